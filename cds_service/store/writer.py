"""Write card records off the request path: a per-process queue written in batches.

A synchronous INSERT + COMMIT per call cost more than the rest of the request's own work,
and a clinician must never wait for (or lose a card to) the analytics table. So a call only
appends its rows to a bounded in-memory queue, written one transaction per batch:

* Under load, by the request thread *after its response has been sent*
  (:meth:`CardWriter.flush_if_due`, hooked on the response's close): once ``batch_rows``
  are waiting, or the oldest has waited ``interval_s``. Writing from a busy background
  thread cost far more CPU in GIL hand-offs (the driver releases the GIL around every
  statement step) than the rows themselves (docs/performance.md).
* When the service goes quiet, by a daemon thread that wakes every ``interval_s`` and
  writes rows nobody else has written for that long; under load it finds nothing to do.

* Never blocks or fails a call: when the queue is full (the database is down or slow) the
  oldest rows are dropped, counted and logged; a failed batch goes back to the queue.
* Backs off while the database is down: after a failed batch the next try waits 1 s,
  doubling up to ``max_backoff_s``; the failure is logged once a minute, the recovery once.
* Fork-safe: the thread starts lazily in the process that records (a gunicorn worker, not
  the master), and a forked child starts with an empty queue of its own.
* After each batch, ``after_write`` runs (outside the write lock): on SQLite it hands the
  WAL checkpoint to a thread of its own (:mod:`.checkpoint`).
* Durable at a clean exit: :func:`flush_all` runs at interpreter exit and when a server's
  worker stops (:func:`cds_service.serving.worker_stopping`: a forked worker skips ``atexit``); :meth:`CardWriter.flush` lets tests and reports read their writes.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from .daemon import ProcessThread

log = logging.getLogger("cds_service.store")

Row = Mapping[str, Any]  # one card record, as :func:`cds_service.store.card_rows` builds it
WriteRows = Callable[[Sequence[Row]], None]

_WRITERS: weakref.WeakSet[CardWriter] = weakref.WeakSet()


class CardWriter:
    """Batch rows into ``write`` (one transaction per call) on a background thread."""

    def __init__(
        self,
        write: WriteRows,
        *,
        max_rows: int = 20_000,
        batch_rows: int = 200,
        interval_s: float = 1.0,
        after_write: Callable[[], None] | None = None,
        max_backoff_s: float = 30.0,
    ) -> None:
        self._write = write
        self.max_backoff_s = max_backoff_s
        self._after_write = after_write  # e.g. the WAL checkpointer's poke
        self.max_rows, self.batch_rows, self.interval_s = max_rows, batch_rows, interval_s
        self.dropped = 0
        self._reset()
        _WRITERS.add(self)

    def _reset(self) -> None:
        """Start (again) with an empty queue and no thread, owned by this process."""
        self._daemon = ProcessThread(self._run, "card-writer")
        self._queue: deque[Row] = deque()
        self._oldest = 0.0  # monotonic time the oldest queued row arrived
        self._lock = threading.Lock()  # guards the queue
        self._write_lock = threading.Lock()  # one batch in flight at a time
        self._failures = 0  # consecutive failed batches
        self._retry_at = 0.0  # monotonic time before which no batch is tried
        self._reported_at = -1e9  # monotonic time of the last failure log line

    def put(self, rows: Sequence[Row]) -> None:
        """Queue ``rows`` for writing; never blocks on the database, never raises."""
        if self._daemon.forked():  # a forked child: the parent's thread is not here
            self._reset()
        with self._lock:
            if not self._queue:
                self._oldest = time.monotonic()
            self._queue.extend(rows)
            overflow = len(self._queue) - self.max_rows
            for _ in range(max(0, overflow)):
                self._queue.popleft()
        if overflow > 0:
            self._count_dropped(overflow)
        self._daemon.ensure_started()

    def due(self) -> bool:
        """Whether a batch is full or its oldest row has waited ``interval_s``."""
        queue = self._queue
        if not queue:
            return False
        now = time.monotonic()
        return now >= self._retry_at and (
            len(queue) >= self.batch_rows or now - self._oldest >= self.interval_s
        )

    def flush_if_due(self) -> None:
        """Write the queue when :meth:`due`; meant for after a response has been sent."""
        if self.due():
            self.flush()  # which does nothing in a forked child that has not recorded yet

    def _run(self) -> None:
        while True:
            time.sleep(self.interval_s)
            self.flush_if_due()

    def flush(self) -> None:
        """Write everything queued so far, in the calling thread; keep it on failure."""
        if self._daemon.forked():
            return
        with self._write_lock:
            with self._lock:
                rows = list(self._queue)
                self._queue.clear()
            if not rows:
                return
            try:
                self._write(rows)
            except Exception as exc:  # noqa: BLE001 - the database being down is not a crash
                self._failed(exc, len(rows))
                self._requeue(rows)
                return
            if self._failures:
                log.warning(
                    "card records written again",
                    extra={"event": "card_write_recovered", "failed_batches": self._failures},
                )
                self._failures, self._retry_at = 0, 0.0
        if self._after_write is not None:
            self._after_write()

    def _failed(self, exc: Exception, rows: int) -> None:
        """Back off exponentially; log the failure once a minute (not once per try)."""
        self._failures += 1
        now = time.monotonic()
        self._retry_at = now + min(self.max_backoff_s, 2.0 ** (self._failures - 1))
        if now - self._reported_at >= 60.0:
            self._reported_at = now
            log.error(
                "card records not written; will retry with back-off",
                extra={
                    "event": "card_write_failed",
                    "error_type": type(exc).__name__,
                    "queued": rows,
                    "failed_batches": self._failures,
                },
            )

    def _requeue(self, rows: list[Row]) -> None:
        """Put a failed batch back in front of newer rows, dropping the oldest past the bound."""
        with self._lock:
            self._queue.extendleft(reversed(rows))
            overflow = len(self._queue) - self.max_rows
            for _ in range(max(0, overflow)):
                self._queue.popleft()
        if overflow > 0:
            self._count_dropped(overflow)

    def _count_dropped(self, count: int) -> None:
        self.dropped += count
        log.warning(
            "card record queue full: oldest records dropped",
            extra={"event": "card_records_dropped", "dropped": count, "total": self.dropped},
        )


def flush_all() -> None:
    """Write every writer's queue of this process (interpreter exit, a server's worker exit)."""
    for writer in list(_WRITERS):
        writer.flush()


atexit.register(flush_all)
