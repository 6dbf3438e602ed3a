"""What one pass over the resources collects before facts are assembled."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import NamedTuple

from ..facts import Certainty
from ..facts import Evidence
from ..facts import Order
from ..facts import Side
from ..valuesets import VS
from .fhir import Malformed
from .fhir import choice_datetime
from .fhir import parse_datetime


class Item(NamedTuple):
    """One current, relevant resource reduced to what the facts need.

    A NamedTuple rather than a frozen dataclass: one is built per relevant resource, and a
    tuple is cheaper to build (docs/performance.md).

    :param sets: value sets its code belongs to.
    :param site: lower-cased ``bodySite`` text and displays (generic-histology rule, regions).
    :param present: ``False`` for an Observation recording the finding absent.
    :param level: deficit Observations: MRC grade 0-5 (absent = 5), ``None`` = present, ungraded.
    :param code: the (system, code) of its first matching coding: serial Observations of a
        deficit are compared per code.
    :param worse: interpretation W (v3-ObservationInterpretation).
    :param number: SINS or ECOG value, when it has one.
    :param recorded: a Condition's ``recordedDate``: never an onset, but it dates the
        recording (the 72 h diagnosing-MRI rule).
    """

    ref: str
    label: str
    sets: frozenset[VS]
    certainty: Certainty | None = None
    side: Side | None = None
    when: datetime | None = None
    site: str = ""
    present: bool = True
    level: int | None = None
    code: tuple[str, str] = ("", "")
    worse: bool = False
    number: float | None = None
    recorded: datetime | None = None

    def evidence(self, tags: frozenset[str] = frozenset()) -> Evidence:
        return Evidence(
            ref=self.ref,
            label=self.label,
            certainty=self.certainty,
            side=self.side,
            when=self.when,
            tags=tags,
        )


@dataclass
class Collected:
    """Mutable accumulator of the single pass; :mod:`.assemble` turns it into Facts."""

    now: datetime
    conditions: list[Item] = field(default_factory=list)
    observations: list[Item] = field(default_factory=list)
    procedures: list[Item] = field(default_factory=list)  # completed Procedures
    devices: list[Item] = field(default_factory=list)  # active (or status absent) Devices
    imaging_done: list[Item] = field(default_factory=list)  # completed spine MRI, dated
    orders: dict[str, Order] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    birth_dates: list[tuple[bool, datetime]] = field(default_factory=list)  # (is the patient)

    def note(self, ref: str, reason: str) -> None:
        self.notes.append(f"{ref}: {reason}")


def lenient_datetime(
    res: Any, base: str, ref: str, acc: Collected, *, period_end: bool = True
) -> datetime | None:
    """Read ``<base>[x]`` where a bad date must not drop the resource: note it, return None."""
    try:
        return choice_datetime(res, base, period_end=period_end)
    except Malformed as exc:
        acc.note(ref, f"{exc} ignored (date unknown)")
        return None


def lenient_element(res: Any, element: str, ref: str, acc: Collected) -> datetime | None:
    """Read a plain date element (``recordedDate``, ``authoredOn``) the same lenient way."""
    try:
        return parse_datetime(res.get(element), element)
    except Malformed as exc:
        acc.note(ref, f"{exc} ignored (date unknown)")
        return None
