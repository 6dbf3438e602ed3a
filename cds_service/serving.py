"""The duties of a production server around the app, one function each.

Both servers call them: granian through ``cds_service/server.py`` (shipped) and gunicorn
through ``cds_service/gunicorn_conf.py`` (the alternative). Without them, a server answers
calls but forgets what operators rely on: queued card records written on a graceful stop,
``/metrics`` summed over the workers and rid of a dead worker's gauges, a start-up heap the
garbage collector leaves alone, and a bad setting refused before any worker starts.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from .config import Settings
from .config import SettingsError
from .governance import modes_or_exit

#: The exit status of a worker whose app cannot load (``cds_service/wsgi.py``): the whole
#: server stops with it instead of restarting workers that fail the same way forever.
APP_LOAD_FAILED = 4


def settings_or_exit() -> Settings:
    """The environment's settings and rule modes, or one line and exit status 2.

    Checked in the master before it logs or forks anything: one line naming the variable
    or the bad modes entry, not a worker traceback repeated per worker.
    """
    try:
        settings = Settings.load(os.environ)
    except SettingsError as exc:
        sys.stderr.write(f"spine-mass-cds: {exc}\n")
        raise SystemExit(2) from None
    modes_or_exit(settings)
    return settings


def worker_count(settings: Settings) -> int:
    """``CDS_WORKERS``, else one worker per CPU core: the work is CPU-bound Python."""
    return settings.workers or os.cpu_count() or 1


def metrics_dir() -> Path:
    """``PROMETHEUS_MULTIPROC_DIR``, set to a new folder if unset, before any worker starts.

    Each worker then writes its samples there and ``/metrics`` adds them up. It is set in
    the master's environment so every worker inherits the same folder.
    """
    return Path(
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="cds-metrics-"))
    )


def empty_metrics_dir() -> None:
    """Start from an empty metrics folder: a previous run's samples would be counted again."""
    path = metrics_dir()
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):  # only prometheus-client's own files
        stale.unlink()


def worker_died(pid: int) -> None:
    """Tell prometheus-client a worker is gone, so its live gauges stop being summed."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def worker_started() -> None:
    """Move the loaded application out of the cyclic garbage collector's reach.

    Full collections otherwise walk every start-up object and stall the requests queued on
    that worker (figures in docs/performance.md). Reference counting still frees frozen
    objects; only cycles among start-up objects are never collected (``gc.freeze``).
    """
    import gc

    gc.freeze()


def worker_stopping() -> None:
    """Write the worker's queued card records and counter sums before it goes.

    Only where they were loaded: another app served with these duties pays nothing.
    """
    writer = sys.modules.get("cds_service.store.writer")
    if writer is not None:
        writer.flush_all()
    metrics = sys.modules.get("cds_service.metrics")
    if metrics is not None:
        metrics.flush()


def json_logging(errors: str, access: str) -> dict[str, Any]:
    """The server's own loggers as JSON lines on stderr, like the app's.

    ``errors`` and ``access`` name the server's loggers: one log pipeline then reads
    everything the service prints (worker starts and exits, malformed requests).
    """
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "cds_service.logs.JsonFormatter"}},
        "handlers": {"console": handler, "error_console": handler},
        "loggers": {
            errors: {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            access: {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
