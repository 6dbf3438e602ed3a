"""SQLite WAL checkpoints on a background thread, so request threads never wait on fsync.

In WAL mode SQLite copies the log back into the database (a *checkpoint*, two ``fsync``\\ s)
in whichever connection commits once the log holds 1,000 pages. Card records reach that
every thousand or so calls per worker, and the request thread that wrote the batch then
stalled on the two ``fsync`` calls while the requests queued behind it waited.

So after each batch of card records the writing thread *pokes* this checkpointer, whose
thread runs ``PRAGMA wal_checkpoint(PASSIVE)`` while the next batch is still being
gathered. A complete checkpoint lets the next batch restart the log from its beginning,
so the log stays a few dozen pages long and no commit ever reaches the automatic
checkpoint (it stays on, as the safety net). Figures in docs/performance.md.

Why the hand-off waits for the thread to start (up to ``handoff_s``): a woken Python
thread must win the GIL back from a busy request thread, and each call's log write resets
the interpreter's switch timer, so an unassisted wake-up came too late, in the next
batch, where a checkpoint can no longer complete. The poke waits (GIL released) until the
thread has started; the thread then reaches SQLite without giving up the GIL again, since
the connection is its own and the statement is prepared once.

PASSIVE never blocks a writer or a reader, in this process or another worker; a checkpoint
that fails is logged and the next poke tries again. The thread starts lazily in the
process that writes (a forked worker starts its own) and also wakes every ``idle_s`` to
checkpoint what other writes (feedback, the JWT replay record) left in the log.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.pool import PoolProxiedConnection

from .daemon import ProcessThread

log = logging.getLogger("cds_service.store")

CHECKPOINT = "PRAGMA wal_checkpoint(PASSIVE)"
LOG_EVERY_S = 60.0  # a database that keeps failing is reported once a minute, not per batch


class WalCheckpointer:
    """Run SQLite WAL checkpoints on a thread of its own, woken after each batch write.

    :param connect: checks out the thread's own pooled connection (``Engine.raw_connection``).
    """

    def __init__(
        self,
        connect: Callable[[], PoolProxiedConnection],
        *,
        handoff_s: float = 0.002,
        idle_s: float = 1.0,
    ) -> None:
        self._connect = connect
        self.handoff_s, self.idle_s = handoff_s, idle_s
        self.checkpoints = 0  # completed checkpoint statements (tests, diagnostics)
        self.failures = 0
        self._logged_at = -LOG_EVERY_S
        self._reset()

    def _reset(self) -> None:
        self._daemon = ProcessThread(self._run, "wal-checkpoint")
        self._wake = threading.Event()
        self._started = threading.Event()

    def poke(self) -> None:
        """Ask for a checkpoint now; returns once the thread has begun (or ``handoff_s``)."""
        if self._daemon.forked():  # a forked child: the parent's thread is not here
            self._reset()
        try:
            self._daemon.ensure_started()
        except RuntimeError:  # no new threads at interpreter exit (3.12): SQLite's own applies
            return
        self._started.clear()
        self._wake.set()
        self._started.wait(self.handoff_s)

    def _run(self) -> None:
        conn: PoolProxiedConnection | None = None
        while True:
            self._wake.wait(self.idle_s)
            self._wake.clear()
            self._started.set()
            try:
                if conn is None:
                    conn = self._connect()
                cursor = conn.cursor()
                cursor.execute(CHECKPOINT)
                cursor.fetchall()  # done: the statement holds nothing until the next time
                cursor.close()
                self.checkpoints += 1
            except Exception as exc:  # noqa: BLE001 - a checkpoint is housekeeping, never a crash
                self._failed(exc)
                if conn is not None:  # discarded, not handed back to the pool, where a
                    conn.invalidate()  # request thread could get it next
                conn = None  # the next checkpoint checks out a new one

    def _failed(self, exc: Exception) -> None:
        self.failures += 1
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY_S:
            self._logged_at = now
            log.warning(
                "WAL checkpoint failed; SQLite's automatic checkpoint still applies",
                extra={
                    "event": "wal_checkpoint_failed",
                    "error_type": type(exc).__name__,
                    "failures": self.failures,
                },
            )
