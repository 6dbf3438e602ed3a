"""Move a FHIR document's dates by whole days, keeping each value's precision and zone.

The example patients are written for one evaluation moment; the preview page shows them "as
of now" by moving every date by the days elapsed since, so ages and windows (onset 3 days
ago, observations within 30 days) stay what the examples were written for and the cards stay
those ``examples/expectations.json`` lists. Whole days, because a ``date`` has no time: the
date part moves and the time of day and zone are kept as written, so a value never changes
precision. Partial dates (``2026``, ``2026-11``) are left as written.
"""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta
from typing import Any

from .logic.extract.fhir import parse_timestamp

#: A FHIR ``date``, ``dateTime`` or ``instant`` with a full date.
_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?")


def days_since(reference: datetime, now: datetime) -> int:
    """Return the whole days from ``reference`` to ``now``, rounded to the nearest day."""
    return round((now - reference) / timedelta(days=1))


def shift_dates(value: Any, days: int) -> Any:
    """Return a copy of JSON ``value`` with every full date string moved by ``days``."""
    if isinstance(value, dict):
        return {key: shift_dates(item, days) for key, item in value.items()}
    if isinstance(value, list):
        return [shift_dates(item, days) for item in value]
    if isinstance(value, str) and days and _DATED.fullmatch(value):
        day = parse_timestamp(value[:10])
        if day is None:  # 2026-02-30: not a date, left as written
            return value
        return (day.date() + timedelta(days=days)).isoformat() + value[10:]
    return value
