"""Card and suggestion uuids: time-ordered version-7 UUIDs (RFC 9562), randomness in batches.

Why version 7: every card becomes a ``card_record`` row keyed by its uuid. Random (v4) keys
land on a random page of that index, so each new card dirties (and writes to the WAL) a
page of its own, and the cost per card grows with the table (docs/performance.md). A v7 uuid
starts with the Unix time in milliseconds, so new keys append to the index. Its other 74
bits are random (``os.urandom``), so uuids stay unguessable and unique across workers;
the issue time they reveal is the time the card was sent.

``str(uuid.uuid4())`` makes a ``urandom`` call, a ``UUID`` object and its ``str``, and a
call needs up to a dozen, so one ``os.urandom`` read serves :data:`BATCH` uuids. The
batch lives in a deque: ``popleft`` hands each random block to exactly one thread. A
forked gunicorn worker would inherit the master's remaining batch and repeat its random
bits, so the child drops it (``os.register_at_fork``) and reads its own.
"""

from __future__ import annotations

import os
import time
from collections import deque

BATCH = 64
_VARIANT = "89ab" * 4  # RFC 9562 variant: the two high bits of the variant field are 10
_pool: deque[str] = deque()


def _refill() -> None:
    digits = os.urandom(10 * BATCH).hex()  # 80 random bits per uuid, 74 of them used
    _pool.extend(digits[i : i + 20] for i in range(0, len(digits), 20))


_prefix: tuple[int, str] = (-1, "")  # (ms, its text): replaced whole, so threads never mix


def _time_prefix(millis: int) -> str:
    """The uuid's text before its random bits, laid out once per millisecond: a call's
    uuids share one."""
    global _prefix
    cached = _prefix
    if cached[0] == millis:
        return cached[1]
    t = f"{millis & 0xFFFFFFFFFFFF:012x}"
    text = f"{t[:8]}-{t[8:]}-7"
    _prefix = (millis, text)
    return text


def _format(millis: int, random20: str) -> str:
    """Lay out a v7 uuid: 48-bit ms timestamp, version 7, 12 + 62 random bits."""
    variant = _VARIANT[int(random20[3], 16)]
    return f"{_time_prefix(millis)}{random20[:3]}-{variant}{random20[4:7]}-{random20[7:19]}"


def new_uuid() -> str:
    """Return a new version-7 UUID string (lowercase 8-4-4-4-12, as ``str(uuid.UUID)``)."""
    while True:
        try:
            random20 = _pool.popleft()
            break
        except IndexError:
            _refill()
    return _format(time.time_ns() // 1_000_000, random20)


os.register_at_fork(after_in_child=_pool.clear)
