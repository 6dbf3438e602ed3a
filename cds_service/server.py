"""The production server: ``python -m cds_service.server [--bind HOST:PORT] [--workers N]``.

granian (WSGI) serves ``cds_service.wsgi:app`` in worker processes, one request at a time
each, and this module adds the duties of :mod:`cds_service.serving` at the points granian
leaves open: the settings checked before anything starts, the metrics folder emptied,
the heap frozen once the app is loaded, queued card records written after ``SIGTERM``,
a dead or replaced worker's gauges removed. A worker whose app cannot load (status 4)
stops the server with that status rather than being respawned forever.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server.mp import MPServer

from . import serving

TARGET = "cds_service.wsgi:app"
#: Seconds a stopping worker may take to finish its calls and write its records.
GRACEFUL_TIMEOUT_S = 20


class BindError(ValueError):
    """``--bind`` is not ``HOST:PORT``."""


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6; an empty host means every interface)."""
    host, sep, port = bind.rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    if not sep or not port.isdigit() or int(port) > 65535 or (":" in host and not bracketed):
        raise BindError(f"must be HOST:PORT (e.g. 0.0.0.0:8080), got {bind!r}")
    return (host[1:-1] if bracketed else host) or "0.0.0.0", int(port)


def _load_app(target: str) -> Any:
    """Import the app in the worker (exit status 4 if it cannot load), then freeze the heap."""
    from .wsgi import app

    serving.worker_started()
    return app


def _serve_worker(*args: Any) -> None:
    """granian's WSGI worker, then the records it queued: it returns after ``SIGTERM``."""
    try:
        MPServer._spawn_wsgi_worker(*args)
    finally:
        serving.worker_stopping()


class Server(MPServer):
    """granian's process server with a dead worker's gauges removed and status 4 honoured."""

    def _failed_to_load(self) -> bool:
        return any(w.inner.exitcode == serving.APP_LOAD_FAILED for w in self.wrks)

    def _respawn_workers(
        self,
        workers: list[int],
        spawn_target: Callable[..., None],
        target_loader: Callable[..., Any],
        delay: float = 0,
    ) -> None:
        if self._failed_to_load():  # respawning would fail the same way: stop instead
            self.interrupt_signal = True
            self.main_loop_interrupt.set()
            return
        replaced = [self.wrks[idx].inner.pid for idx in workers]
        super()._respawn_workers(workers, spawn_target, target_loader, delay)
        for pid in replaced:
            serving.worker_died(pid)

    def _stop_workers(self) -> None:
        stopped = [w.inner.pid for w in self.wrks]
        super()._stop_workers()  # type: ignore[no-untyped-call]
        for pid in stopped:
            serving.worker_died(pid)

    def shutdown(self, exit_code: int = 0) -> None:
        if not exit_code and self._failed_to_load():
            exit_code = serving.APP_LOAD_FAILED
        super().shutdown(exit_code)  # type: ignore[no-untyped-call]


def main(argv: Sequence[str] | None = None) -> None:
    """Check the settings, then serve until ``SIGTERM``/``SIGINT`` (exit 2: bad settings)."""
    settings = serving.settings_or_exit()
    parser = argparse.ArgumentParser(prog="python -m cds_service.server", description=__doc__)
    parser.add_argument("--bind", help="HOST:PORT (default: CDS_BIND)")
    parser.add_argument(
        "--workers",
        type=int,
        default=serving.worker_count(settings),
        help="worker processes (CDS_WORKERS; default one per CPU core)",
    )
    args = parser.parse_args(argv)
    try:
        host, port = parse_bind(args.bind or settings.bind)
    except BindError as exc:
        sys.stderr.write(f"spine-mass-cds: {'--bind' if args.bind else 'CDS_BIND'} {exc}\n")
        raise SystemExit(2) from None
    if args.workers < 1:
        sys.stderr.write(f"spine-mass-cds: --workers must be at least 1, got {args.workers}\n")
        raise SystemExit(2)
    serving.empty_metrics_dir()
    server = Server(
        TARGET,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=args.workers,
        # One call at a time per worker, as gunicorn's sync workers: the work is CPU-bound
        # Python, so more threads only queue behind the GIL and stretch every call's latency.
        blocking_threads=1,
        respawn_failed_workers=True,
        workers_kill_timeout=GRACEFUL_TIMEOUT_S,
        log_level=LogLevels(settings.log_level.lower()),
        log_dictconfig=serving.json_logging(errors="_granian", access="granian.access"),
    )
    server.serve(spawn_target=_serve_worker, target_loader=_load_app)


if __name__ == "__main__":
    main()
