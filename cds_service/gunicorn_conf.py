"""gunicorn settings: ``gunicorn -c python:cds_service.gunicorn_conf cds_service.wsgi:app``.

The alternative to the shipped server (``python -m cds_service.server``, granian): the
same duties (:mod:`cds_service.serving`) hooked into gunicorn's master and workers, for an
operator who needs what granian lacks (a per-request worker timeout, ``forwarded_allow_ips``).

The ``CDS_*`` settings are checked here, in the master, before gunicorn logs or forks
anything: a bad value ends start-up with one line naming the variable (exit status 2).
"""

from __future__ import annotations

from typing import Any

from cds_service import serving

_settings = serving.settings_or_exit()

# gunicorn reads these module-level names as settings; the command line may override them.
bind = _settings.bind
workers = serving.worker_count(_settings)
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# No control socket: it would live in $HOME, which is read-only in the container.
control_socket_disable = True
accesslog = None  # the app logs one JSON line per call; no second, unstructured access log
logconfig_dict = serving.json_logging(errors="gunicorn.error", access="gunicorn.access")
forwarded_allow_ips = _settings.forwarded_allow_ips

# Set before any worker imports prometheus_client, so each one writes its samples there.
serving.metrics_dir()


def on_starting(server: Any) -> None:
    serving.empty_metrics_dir()


def child_exit(server: Any, worker: Any) -> None:
    serving.worker_died(worker.pid)


def post_worker_init(worker: Any) -> None:
    serving.worker_started()


def worker_exit(server: Any, worker: Any) -> None:
    serving.worker_stopping()
