"""Pending orders from the record and from ``draftOrders`` (CLINICAL-RULES.md §1)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

from ..cards import Coding
from ..facts import Order
from ..facts import OrderKind
from ..facts import Priority
from ..facts import Region
from ..valuesets import VS
from .fhir import Malformed
from .fhir import as_list
from .fhir import choice_datetime
from .fhir import codings
from .fhir import label
from .fhir import parse_datetime
from .fhir import sets_of
from .fhir import text
from .records import Collected
from .records import lenient_element

PENDING = {"active", "draft", "on-hold"}
HELD = "on-hold"
#: A dexamethasone administration or statement counts as active for 24 hours (§1).
GIVEN_WINDOW = timedelta(hours=24)
GIVEN_STATUSES = {
    "MedicationAdministration": frozenset({"completed", "in-progress"}),
    "MedicationStatement": frozenset({"active"}),
}

#: Each order kind is read by the value set of the same name (an import error if one is
#: missing). First match wins, in ``OrderKind``'s order: an MRI is never also an X-ray.
KINDS: tuple[tuple[VS, OrderKind], ...] = tuple((VS(kind.value), kind) for kind in OrderKind)
REGIONS: tuple[tuple[VS, Region], ...] = (
    (VS.IMAGING_WHOLE, Region.WHOLE),
    (VS.IMAGING_CERVICAL, Region.CERVICAL),
    (VS.IMAGING_THORACIC, Region.THORACIC),
    (VS.IMAGING_LUMBAR, Region.LUMBAR),
    (VS.IMAGING_UNSPECIFIED, Region.UNSPECIFIED),
)
_IMAGING = {OrderKind.MRI_SPINE, OrderKind.CT_MYELOGRAPHY, OrderKind.XRAY_SPINE}
_PRIORITIES = {p.code: p for p in Priority}


def order_codings(res: Any) -> list[Coding]:
    """Return the codings that say what is ordered.

    A MedicationRequest (or Administration, Statement) names its drug in ``medicationCodeableConcept`` or by a reference to
    a contained Medication (``#id``), whose ``code`` is used.
    """
    if not res.get("resourceType", "").startswith("Medication"):
        return codings(res.get("code"))
    if "medicationCodeableConcept" in res:
        return codings(res.get("medicationCodeableConcept"))
    ref = res.get("medicationReference")
    target = text(ref.get("reference")) if isinstance(ref, dict) else None
    if target and target.startswith("#"):
        for med in as_list(res.get("contained")):
            if isinstance(med, dict) and med.get("id") == target[1:]:
                return codings(med.get("code"))
    return []


def read_order(res: Any, ref: str, acc: Collected, *, draft: bool, selected: bool) -> None:
    """Record a pending order of a kind the rules know; a draft wins over its record twin.

    :raises Malformed: a draft order has no usable code (the sandbox's ``coding: [{}]``).
    """
    if not draft and res.get("status") not in PENDING:
        return
    cods = order_codings(res)
    if not cods:
        if draft:
            raise Malformed("draft order has no usable code, ignored")
        return
    sets = sets_of(cods)
    kind = next((k for vs, k in KINDS if vs in sets), None)
    if kind is None or (not draft and ref in acc.orders and acc.orders[ref].in_draft):
        return
    region = next((r for vs, r in REGIONS if vs in sets), None) if kind in _IMAGING else None
    kind_sets = frozenset(vs for vs, k in KINDS if k is kind)
    acc.orders[ref] = Order(
        ref=ref,
        kind=kind,
        label=label(cods, kind_sets),
        priority=_PRIORITIES.get(res["priority"]) if isinstance(res.get("priority"), str) else None,
        region=region,
        in_draft=draft,
        selected=selected,
        resource=res,
        held=not draft and res.get("status") == HELD,
        authored=None if draft else lenient_element(res, "authoredOn", ref, acc),
    )


def read_medication_use(res: Any, ref: str, acc: Collected) -> None:
    """Dexamethasone given or taken within the last 24 h counts as an active order (§1).

    The date: ``effectiveDateTime``, or an ``effectivePeriod`` that is ongoing or ended
    within 24 h; a MedicationStatement's ``dateAsserted`` only without ``effective[x]``.
    Undated use does not count: the card then asks, rather than assuming steroids are on.
    """
    if res.get("status") not in GIVEN_STATUSES[res["resourceType"]]:
        return
    cods = order_codings(res)
    if VS.DEXAMETHASONE not in sets_of(cods):
        return
    if not _given_recently(res, acc.now):
        return
    acc.orders[ref] = Order(
        ref=ref,
        kind=OrderKind.DEXAMETHASONE,
        label=label(cods, frozenset({VS.DEXAMETHASONE})),
        resource=res,
    )


def _given_recently(res: Any, now: datetime) -> bool:
    since = now - GIVEN_WINDOW
    period = res.get("effectivePeriod")
    if isinstance(period, dict) and "effectiveDateTime" not in res:
        start = parse_datetime(period.get("start"), "effectivePeriod.start")
        end = parse_datetime(period.get("end"), "effectivePeriod.end")
        if start is not None and start > now:
            return False
        return (start is not None or end is not None) and (end is None or end >= since)
    when = choice_datetime(res, "effective", period_end=True)
    if when is None and res["resourceType"] == "MedicationStatement":
        when = parse_datetime(res.get("dateAsserted"), "dateAsserted")
    return when is not None and since <= when <= now + GIVEN_WINDOW
