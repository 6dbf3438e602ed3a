"""A progress line on stderr: done/total, patients per second and the time left.

A 100,000-patient run takes minutes; without a rate and an ETA nobody knows whether to
wait or to stop it. Redrawn at most a few times a second so drawing costs nothing.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

_REDRAW_S = 0.25


class Progress:
    """``Evaluating 41250/100000 patients  812 patients/s  ETA 1m12s`` on one line."""

    def __init__(self, total: int, label: str, unit: str, stream: TextIO | None = None) -> None:
        self.total, self.label, self.unit = total, label, unit
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._drawn >= _REDRAW_S or self.done >= self.total:
            self._drawn = now
            self.stream.write("\r" + self.line(now - self.started))
            self.stream.flush()

    def line(self, elapsed: float) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = "?" if left is None else _duration(left)
        return (
            f"{self.label} {self.done}/{self.total} {self.unit}  "
            f"{rate:,.0f} {self.unit}/s  ETA {eta}   "
        )

    def close(self) -> None:
        self.stream.write("\r" + self.line(time.monotonic() - self.started) + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
