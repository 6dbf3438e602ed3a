"""gunicorn settings for production: ``gunicorn -c python:cds_service.gunicorn_conf ...``.

Sets up Prometheus multiprocess mode before any worker imports ``prometheus_client``:
each worker writes its samples to ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them
up. A dead worker's live samples are marked so they do not linger.

The ``CDS_*`` settings are checked here, in the master, before gunicorn logs or forks
anything: a bad value ends start-up with one line naming the variable (exit status 2),
not a worker traceback repeated per worker.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from cds_service.config import Settings
from cds_service.config import SettingsError
from cds_service.governance import modes_or_exit

try:
    _settings = Settings.load(os.environ)
except SettingsError as exc:
    sys.stderr.write(f"spine-mass-cds: {exc}\n")
    raise SystemExit(2) from None

# A bad rule modes file stops gunicorn here, in the master, before it logs or forks: one
# line naming the bad entry, not a traceback per worker.
modes_or_exit(_settings)

# gunicorn reads these module-level names as settings; the command line may override them.
bind = _settings.bind
workers = _settings.workers or os.cpu_count() or 1
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# No control socket: it would live in $HOME, which is read-only in the container.
control_socket_disable = True
accesslog = None  # the app logs one JSON line per call; no second, unstructured access log
# gunicorn's own lines (worker boots, timeouts, malformed requests) as JSON lines like the
# app's, so one log pipeline reads everything the service prints.
_JSON_HANDLER = {
    "class": "logging.StreamHandler",
    "formatter": "json",
    "stream": "ext://sys.stderr",
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "cds_service.logs.JsonFormatter"}},
    "handlers": {"console": _JSON_HANDLER, "error_console": _JSON_HANDLER},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
forwarded_allow_ips = _settings.forwarded_allow_ips

_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="cds-metrics-")
)


def on_starting(server: Any) -> None:
    """Start from an empty metrics directory: old samples would be counted again."""
    path = Path(_metrics_dir)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # only prometheus-client's own files
        stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    """Tell prometheus-client a worker died, so its live gauges are dropped."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def post_worker_init(worker: Any) -> None:
    """Move the loaded application out of the cyclic garbage collector's reach.

    Full collections otherwise walk every start-up object and stall the requests queued on
    that worker (figures in docs/performance.md). Reference counting still frees frozen
    objects; only cycles among start-up objects are never collected (``gc.freeze``).
    """
    import gc

    gc.freeze()


def worker_exit(server: Any, worker: Any) -> None:
    """Write the worker's queued card records and counter sums before it goes.

    Only where they were loaded: another app served with this config pays nothing.
    """
    writer = sys.modules.get("cds_service.store.writer")
    if writer is not None:
        writer.flush_all()
    metrics = sys.modules.get("cds_service.metrics")
    if metrics is not None:
        metrics.flush()
