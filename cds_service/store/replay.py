"""The JWT replay check's stand-in while the database is down: a bounded per-process cache.

The replay record lives in the database so every worker and replica shares it. When the
database cannot be reached, refusing every hook call would turn a database outage into a
CDS outage (urgent cards included), so each process remembers the token ids it saw itself,
bounded in size, until their expiry. A token replayed to the *same* process is still
refused; one replayed to another process during the outage is not (the stated cost).
The database is retried after ``retry_s``, and the cache is consulted first even after it
returns, so a token first seen during the outage stays refused here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict


class ReplayCache:
    """``(iss, jti) -> expires_at`` for at most ``max_entries`` tokens, oldest evicted first."""

    def __init__(self, *, max_entries: int = 100_000, retry_s: float = 5.0) -> None:
        self.max_entries, self.retry_s = max_entries, retry_s
        self._seen: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._lock = threading.Lock()
        self._retry_at = 0.0  # monotonic time before which the database is not tried
        self._last_report = -1e9  # monotonic time of the last "database down" log line

    def database_due(self) -> bool:
        """Whether to try the database now (always, unless it failed in the last ``retry_s``)."""
        return time.monotonic() >= self._retry_at

    def database_failed(self, report_every_s: float = 60.0) -> bool:
        """Note a failed database call; return whether to report it (once per interval)."""
        now = time.monotonic()
        with self._lock:
            self._retry_at = now + self.retry_s
            report = now - self._last_report >= report_every_s
            if report:
                self._last_report = now
        return report

    def seen(self, iss: str, jti: str) -> bool:
        """Whether this process saw the token id during an outage (and it is not expired)."""
        if not self._seen:
            return False
        with self._lock:
            expires = self._seen.get((iss, jti))
        return expires is not None and expires >= time.time()

    def remember(self, iss: str, jti: str, expires_at: int) -> bool:
        """Record a token id; return False if it was seen before (a replay)."""
        now = time.time()
        with self._lock:
            expires = self._seen.get((iss, jti))
            if expires is not None and expires >= now:
                return False
            self._seen[(iss, jti)] = expires_at
            self._seen.move_to_end((iss, jti))
            while len(self._seen) > self.max_entries:
                self._seen.popitem(last=False)
        return True
