"""One background thread per process, started on first use (the card writer, checkpoints).

gunicorn forks its workers from a master that may already have run the app (``--preload``);
threads do not survive a fork, so each worker must start its own, and state that belongs
to the parent's thread (a queue, an event) must be dropped. :meth:`ProcessThread.forked`
tells its owner when to drop it.

Fork only from a process whose threads are idle, as gunicorn's master is (it serves no
calls, so it never starts them): fork copies only the calling thread, and one caught
inside SQLite leaves SQLite's own mutex locked in the child, whose next connect hangs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable


class ProcessThread:
    """A daemon thread running ``target``, started at most once in each process."""

    def __init__(self, target: Callable[[], None], name: str) -> None:
        self._target, self._name = target, name
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def forked(self) -> bool:
        """Whether this is a forked child of the process that made it (no thread here)."""
        return self._pid != os.getpid()

    def ensure_started(self) -> None:
        """Start the thread unless it already runs (cheap after the first call)."""
        if self.thread is not None:
            return
        with self._lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._target, name=self._name, daemon=True)
                self.thread.start()
