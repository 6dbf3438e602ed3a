"""A bounded cache for functions of record text that keeps no long text.

Codes, timestamps and labels repeat across calls, so their readers cache by value. The
values come from the client, though: an ``lru_cache`` would keep up to ``maxsize`` of
them for the life of the worker, megabytes each from hostile records. A call with an
argument longer than :data:`MAX_CHARS` (no real code, timestamp or display comes near it)
is computed every time and never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from functools import wraps
from typing import Any
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., Any])

MAX_CHARS = 256


def text_cache(maxsize: int) -> Callable[[F], F]:
    """``lru_cache(maxsize)`` for calls whose string arguments are each at most MAX_CHARS."""

    def wrap(fn: F) -> F:
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(*args: Any) -> Any:
            for arg in args:  # a plain loop: this runs for every code and date read
                if isinstance(arg, str) and len(arg) > MAX_CHARS:
                    return fn(*args)
            return cached(*args)

        call.cache_info = cached.cache_info  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return wrap
