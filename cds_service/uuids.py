"""Card and suggestion uuids: random version-4 UUIDs, read from the OS in batches.

``str(uuid.uuid4())`` costs ~2 µs (a ``urandom`` call, a ``UUID`` object, its ``str``) and
a call needs up to a dozen. One ``os.urandom`` read serves :data:`BATCH` uuids, formatted
as ``uuid.uuid4`` formats them (lowercase 8-4-4-4-12, version 4, RFC 4122 variant).

The batch lives in a deque: ``popleft`` hands each uuid to exactly one thread. A forked
gunicorn worker would inherit the master's remaining batch and repeat its uuids, so the
child drops it (``os.register_at_fork``) and reads its own randomness.
"""

from __future__ import annotations

import os
from collections import deque

BATCH = 64
_VARIANT = "89ab" * 4  # RFC 4122 variant: the high bits of clock_seq_hi are 10
_pool: deque[str] = deque()


def _format(hex32: str) -> str:
    """Set the version and variant nibbles of 32 random hex digits; keep the other 122 bits."""
    variant = _VARIANT[int(hex32[16], 16)]
    return f"{hex32[:8]}-{hex32[8:12]}-4{hex32[13:16]}-{variant}{hex32[17:20]}-{hex32[20:]}"


def _refill() -> None:
    digits = os.urandom(16 * BATCH).hex()
    _pool.extend(_format(digits[i : i + 32]) for i in range(0, len(digits), 32))


def new_uuid() -> str:
    """Return a new random UUID string, as ``str(uuid.uuid4())`` does."""
    while True:
        try:
            return _pool.popleft()
        except IndexError:
            _refill()


os.register_at_fork(after_in_child=_pool.clear)
