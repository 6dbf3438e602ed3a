"""Completed imaging, procedures and devices: ``mri_done`` candidates and contraindications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..valuesets import VS
from .fhir import choice_datetime
from .fhir import coded
from .fhir import codings_of_all
from .fhir import label
from .fhir import parse_datetime
from .fhir import sets_of
from .records import Collected
from .records import Item
from .records import lenient_datetime

_MRI = frozenset({VS.MRI_SPINE})
_MRI_WHOLE = frozenset({VS.MRI_SPINE, VS.IMAGING_WHOLE})
_PROCEDURE_SETS = frozenset({VS.MRI_SPINE, VS.PRIOR_RADIOTHERAPY, VS.MRI_CONTRA_PROCEDURE})


def _add_mri(res: Any, ref: str, acc: Collected, cods: list[Any], when: datetime | None) -> None:
    """Keep a completed spine MRI; one that cannot be placed in time cannot prove it is recent."""
    if when is None:
        acc.note(ref, "completed MRI has no date, cannot be placed in time")
        return
    whole = any(VS.IMAGING_WHOLE in sets_of([c]) for c in cods)
    acc.imaging_done.append(Item(ref, label(cods, _MRI), _MRI_WHOLE if whole else _MRI, when=when))


def read_procedure(res: Any, ref: str, acc: Collected) -> None:
    cods, sets = coded(res.get("code"))
    sets &= _PROCEDURE_SETS
    if not sets or res.get("status") != "completed":
        return
    when = lenient_datetime(res, "performed", ref, acc)
    acc.procedures.append(Item(ref, label(cods, sets), sets, when=when))
    if VS.MRI_SPINE in sets:
        _add_mri(res, ref, acc, cods, when)


def read_device(res: Any, ref: str, acc: Collected) -> None:
    cods, sets = coded(res.get("type"))
    if VS.MRI_CONTRA_DEVICE in sets and res.get("status", "active") == "active":
        acc.devices.append(Item(ref, label(cods, sets), sets))


#: Resource type -> (done statuses, the element holding its code, date choice, fallback date).
_DONE: dict[str, tuple[frozenset[str], str, str, str]] = {
    "ServiceRequest": (frozenset({"completed"}), "code", "occurrence", "authoredOn"),
    "DiagnosticReport": (
        frozenset({"final", "amended", "corrected"}),
        "code",
        "effective",
        "issued",
    ),
}
#: The statuses that make a request or report "done" (prefetch narrowing searches by them).
DONE_STATUSES: dict[str, frozenset[str]] = {rtype: spec[0] for rtype, spec in _DONE.items()}


def read_done_request_or_report(res: Any, ref: str, acc: Collected) -> None:
    """A completed spine-MRI ServiceRequest (dated by occurrence, else ``authoredOn``) or
    final DiagnosticReport (dated by ``effective[x]``, else ``issued``)."""
    statuses, element, choice, fallback = _DONE[res["resourceType"]]
    if res.get("status") not in statuses:
        return
    cods, sets = coded(res.get(element))
    if VS.MRI_SPINE not in sets:
        return
    when = choice_datetime(res, choice, period_end=True)
    if when is None:
        when = parse_datetime(res.get(fallback), fallback)
    _add_mri(res, ref, acc, cods, when)


def read_imaging_study(res: Any, ref: str, acc: Collected) -> None:
    """An available ImagingStudy whose ``procedureCode`` is a spine MRI: dated by ``started``."""
    if res.get("status") != "available":
        return
    cods = codings_of_all(res.get("procedureCode"))
    if VS.MRI_SPINE not in sets_of(cods):
        return
    _add_mri(res, ref, acc, cods, parse_datetime(res.get("started"), "started"))
