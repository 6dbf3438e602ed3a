"""gunicorn settings for production: ``gunicorn -c python:cds_service.gunicorn_conf ...``.

Sets up Prometheus multiprocess mode before any worker imports ``prometheus_client``:
each worker writes its samples to ``PROMETHEUS_MULTIPROC_DIR`` and ``/metrics`` adds them
up. A dead worker's live samples are marked so they do not linger.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from cds_service.config import DEFAULTS
from cds_service.governance import check_at_start

# A bad rule modes file stops gunicorn here, in the master, before it logs or forks: one
# line naming the bad entry, not a traceback per worker.
check_at_start()

# gunicorn reads these module-level names as settings; the command line may override them.
bind = os.environ.get("CDS_BIND", str(DEFAULTS["BIND"].default))
workers = int(os.environ.get("CDS_WORKERS") or os.cpu_count() or 1)
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# No control socket: it would live in $HOME, which is read-only in the container.
control_socket_disable = True
accesslog = None  # the app logs one JSON line per call; no second, unstructured access log
forwarded_allow_ips = os.environ.get(
    "CDS_FORWARDED_ALLOW_IPS", str(DEFAULTS["FORWARDED_ALLOW_IPS"].default)
)

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

    A worker holds ~130,000 tracked objects after start-up (Flask, SQLAlchemy, the FHIR
    models that check the catalog), and every full collection walks all of them: measured,
    a 62 ms pause every ~20,000 calls, a stall for every request queued on that worker.
    Frozen, the same collection takes under 1 ms. Reference counting still frees frozen
    objects; only cycles among start-up objects are never collected (``gc.freeze``).
    """
    import gc

    gc.freeze()


def worker_exit(server: Any, worker: Any) -> None:
    """Write the worker's queued card records before it goes (see ``store.writer``).

    Only where the writer was loaded: another app served with this config pays nothing.
    """
    writer = sys.modules.get("cds_service.store.writer")
    if writer is not None:
        writer.flush_all()
