"""Defensive readers for raw FHIR R4 JSON.

Every reader accepts anything (a prefetch may carry wrong types, unknown elements or bad
dates) and either returns a value, ``None`` for "not stated", or raises :class:`Malformed`
when a value is present but unusable; the builder turns that into a ``skipped`` note.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from functools import cache
from typing import Any

from ..cards import Coding
from ..facts import Side
from ..text_cache import text_cache
from ..valuesets import VS
from ..valuesets import display_of
from ..valuesets import match
from ..valuesets import system_name

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_NO_SETS: frozenset[VS] = frozenset()


class Malformed(Exception):
    """A stated value cannot be read; the message says which, never the value itself."""


def text(value: Any) -> str | None:
    """Return ``value`` when it is a non-empty string."""
    return value if isinstance(value, str) and value.strip() else None


def as_list(value: Any) -> list[Any]:
    """Return a list element as a list; a lone object (a common EHR slip) becomes one item."""
    if isinstance(value, list):
        return value
    return [value] if isinstance(value, dict) else []


def coding_objects(concept: Any) -> list[dict[str, Any]]:
    """Return the JSON objects of a CodeableConcept's ``coding``, whatever else it holds.

    The one loop over ``coding``: every reader below filters what it returns.
    """
    raw = concept.get("coding") if isinstance(concept, dict) else None
    if isinstance(raw, list):
        if len(raw) == 1 and isinstance(raw[0], dict):
            return raw  # the usual single coding: no copy to build
        return [c for c in raw if isinstance(c, dict)]
    return [raw] if isinstance(raw, dict) else []  # a lone object: a common EHR slip


def _usable(system: Any, code: Any) -> bool:
    """A string system and a non-blank string code: a coding the readers can use."""
    return isinstance(system, str) and isinstance(code, str) and bool(system and code.strip())


def _codings(usable: list[dict[str, Any]]) -> list[Coding]:
    out = []
    for c in usable:
        display = c.get("display")
        out.append(
            Coding(
                c["system"], c["code"], display if isinstance(display, str) and display else None
            )
        )
    return out


def codings(concept: Any) -> list[Coding]:
    """Return the usable codings of a CodeableConcept (those with a string system and code)."""
    return _codings([c for c in coding_objects(concept) if _usable(c.get("system"), c.get("code"))])


def coded(concept: Any) -> tuple[list[Coding], frozenset[VS]]:
    """Return :func:`codings` and :func:`sets_of` of a CodeableConcept in one walk.

    A concept in no value set, most of a record, returns ``([], ∅)`` without building a
    :class:`Coding`: no reader looks at its codings.
    """
    usable, found = [], _NO_SETS
    for c in coding_objects(concept):
        system, code = c.get("system", ""), c.get("code", "")  # absent reads as unusable
        if _usable(system, code):
            usable.append(c)
            if sets := match(system, code):
                found = found | sets if found else sets
    return (_codings(usable), found) if found else ([], _NO_SETS)


def codings_of_all(concepts: Any) -> list[Coding]:
    """Return the usable codings of a list of CodeableConcepts (or of a lone one)."""
    return [c for cc in as_list(concepts) for c in codings(cc)]


def sets_of(cods: list[Coding]) -> frozenset[VS]:
    """Return the value sets any of ``cods`` belongs to."""
    if len(cods) == 1:
        return match(cods[0][0], cods[0][1])
    out: set[VS] = set()
    for system, code, _ in cods:
        out |= match(system, code)
    return frozenset(out) if out else _NO_SETS


def label(cods: list[Coding], wanted: frozenset[VS] = _NO_SETS) -> str:
    """Return ``"Display (SYSTEM code)"`` for the first coding in ``wanted`` (else the first)."""
    chosen = cods[0]
    if len(cods) > 1 and wanted:
        chosen = next((c for c in cods if match(c[0], c[1]) & wanted), chosen)
    return _label(*chosen)


@text_cache(maxsize=4096)
def _label(system: str, code: str, display: str | None) -> str:
    shown = display or display_of(system, code) or code
    return f"{shown} ({system_name(system)} {code})"


def codes_in(concept: Any) -> set[str]:
    """Return the bare codes of a CodeableConcept, whatever their system (status elements)."""
    out = set()
    for c in coding_objects(concept):
        if isinstance(code := c.get("code"), str) and code.strip():
            out.add(code)
    return out


def parse_datetime(value: Any, element: str) -> datetime | None:
    """Parse a FHIR date/dateTime/instant into aware UTC; a date alone is 00:00 UTC.

    :raises Malformed: the element is present but not a readable date.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(f"unparseable {element}")
    parsed = parse_timestamp(value)
    if parsed is None:
        raise Malformed(f"unparseable {element}")
    return parsed


#: FHIR's time allows a leap second (``:60``); Python's datetime does not: read as ``:59``.
_LEAP_SECOND = re.compile(r"(T\d{2}:\d{2}):60")


@text_cache(maxsize=4096)
def parse_timestamp(value: str) -> datetime | None:
    """Parse any FHIR date, dateTime or instant into aware UTC; ``None`` when unusable.

    The one timestamp parser of the service (resources, feedback, the CLI's ``--now``).
    A date alone is 00:00 UTC; a leap second is read as ``:59``; more than six fractional
    digits are cut. A value that is valid FHIR but outside what a datetime holds in UTC
    (``9999-12-31T23:59:59-05:00``, an EHR placeholder) is an unknown date, like an
    unreadable one: ``None``, never an exception. Cached (bounded): a patient's dates
    recur on every hook call; datetimes are immutable.
    """
    m = _DATE.fullmatch(value)
    try:
        if m:
            year, month, day = m.group(1), m.group(2) or "1", m.group(3) or "1"
            return datetime(int(year), int(month), int(day), tzinfo=UTC)
        if "T" not in value:
            return None
        parsed = datetime.fromisoformat(_LEAP_SECOND.sub(r"\1:59", value, count=1))
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


@cache
def _choice_elements(base: str) -> tuple[str, str, str]:
    """``(<base>DateTime, <base>Instant, <base>Period)``; a few static bases, built once."""
    return f"{base}DateTime", f"{base}Instant", f"{base}Period"


def choice_datetime(res: Any, base: str, *, period_end: bool) -> datetime | None:
    """Read ``<base>DateTime`` / ``<base>Instant`` / ``<base>Period`` (its end or start)."""
    as_datetime, as_instant, as_period = _choice_elements(base)
    for element in (as_datetime, as_instant):
        if element in res:
            return parse_datetime(res[element], element)
    period = res.get(as_period)
    if period is None:
        return None
    if not isinstance(period, dict):
        raise Malformed(f"unparseable {as_period}")
    order = ("end", "start") if period_end else ("start", "end")
    for key in order:
        when = parse_datetime(period.get(key), f"{as_period}.{key}")
        if when is not None:
            return when
    return None


_SIDES = {VS.SIDE_LEFT: Side.LEFT, VS.SIDE_RIGHT: Side.RIGHT, VS.SIDE_BILATERAL: Side.BILATERAL}


def body_site(value: Any) -> tuple[Side | None, str]:
    """Return :func:`side_of` and :func:`site_text` of ``bodySite`` (mostly absent)."""
    if value is None:
        return None, ""
    return side_of(value), site_text(value)


def side_of(body_site: Any) -> Side | None:
    """Return the laterality coded in ``bodySite`` (left and right together = bilateral)."""
    found = {_SIDES[vs] for cc in as_list(body_site) for vs in coded(cc)[1] if vs in _SIDES}
    if Side.BILATERAL in found or {Side.LEFT, Side.RIGHT} <= found:
        return Side.BILATERAL
    return found.pop() if found else None


def site_text(body_site: Any) -> str:
    """Return the lower-cased text and coding displays of ``bodySite``, for keyword tests."""
    parts: list[str] = []
    for cc in as_list(body_site):
        parts.extend(iter_site_words(cc))
    return " ".join(parts).lower()


def iter_site_words(cc: Any) -> Iterator[str]:
    if not isinstance(cc, dict):
        return
    if t := text(cc.get("text")):
        yield t
    for c in coding_objects(cc):
        if d := text(c.get("display")):
            yield d
