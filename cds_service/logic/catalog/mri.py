"""MRI time tiers (``mri-12h`` ... ``mri-2w``): how fast the spine MRI must happen.

Source: Dutch guideline Wervelmetastasen (IKNL 2015, module Beeldvormend onderzoek,
https://richtlijnendatabase.nl/richtlijn/wervelmetastasen/diagnostiek/beeldvormend_onderzoek.html),
five tiers by neurology; the ``nice`` profile maps them onto NICE NG234's two
(24 h with neurology, 1 week for pain alone). Only the most urgent tier fires; the
engine applies the pending-order rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ..cards import Indicator
from ..facts import Course
from ..facts import Facts
from ..facts import Priority
from .base import ALL_HOOKS
from .base import COMMON_REASONS
from .base import Rule
from .base import reason
from .evidence import ACR_MYELOPATHY
from .evidence import IKNL_IMAGING
from .evidence import NICE_NG234

RECENT = timedelta(days=7)  # Dutch guideline: deficit developing over less / more than 7 days
CONTEXT = frozenset({"spine_mass", "metastatic_suspicion", "cord_compression"})
NEUROLOGY = frozenset({"bilateral", "sphincter_dysfunction", "paraparesis", "motor_deficit"})
TIER_FACTS = CONTEXT | NEUROLOGY | {"mri_done", "profile", "deficit_onset", "deficit_course"}


def _cord_level_signs(f: Facts) -> bool:
    """Signs of cord or cauda equina compression: the 12 h tier (bilateral by nature)."""
    return bool(f.cord_compression or f.bilateral or f.sphincter_dysfunction or f.paraparesis)


def _deficit_is_recent(f: Facts) -> bool:
    """A present deficit with onset < 7 days ago or unknown onset (unknown = recent)."""
    if not f.motor_deficit:
        return False
    return f.deficit_onset is None or f.now - f.deficit_onset < RECENT


def _deficit_is_old(f: Facts) -> bool:
    return bool(f.motor_deficit) and not _deficit_is_recent(f)


def _open(f: Facts) -> bool:
    """The tier can apply at all: spine-mass context and no MRI since the symptoms."""
    return f.context and not f.mri_done


def needs_mri_within_12h(f: Facts) -> bool:
    """Dutch: cord compression, bilateral radicular signs, sphincter loss, paraparesis."""
    return _open(f) and f.profile != "nice" and _cord_level_signs(f)


def needs_mri_within_24h(f: Facts) -> bool:
    """Dutch: recent unilateral deficit. NICE: any neurology, stable deficits too."""
    if not _open(f):
        return False
    if f.profile == "nice":
        return _cord_level_signs(f) or bool(f.motor_deficit)
    return _deficit_is_recent(f)


def needs_mri_within_48h(f: Facts) -> bool:
    """Dutch: unilateral deficit that began >= 7 days ago and is not stable."""
    return (
        _open(f)
        and f.profile != "nice"
        and _deficit_is_old(f)
        and f.deficit_course is not Course.STABLE
    )


def needs_mri_within_1w(f: Facts) -> bool:
    """Dutch: radicular pain without deficit, or an old stable deficit. NICE: pain alone."""
    if not _open(f):
        return False
    if f.profile == "nice":
        return bool(f.back_pain or f.radicular_pain)
    stable_old = _deficit_is_old(f) and f.deficit_course is Course.STABLE
    return bool(f.radicular_pain and not f.motor_deficit) or stable_old


def needs_mri_within_2w(f: Facts) -> bool:
    """Dutch: local back pain only (more urgent tiers win when they also hold)."""
    return _open(f) and f.profile != "nice" and bool(f.back_pain)


@dataclass(frozen=True)
class Tier:
    """An MRI tier: its rule, the order priority it needs and its time window."""

    rule: Rule
    priority: Priority
    window: timedelta
    window_text: str


def protocol_note(*, whole: bool, contrast: bool) -> str:
    """The MRI protocol note (``ServiceRequest.note``), agreeing with the order's code (§2).

    Sagittal T1 and T2/STIR (of the whole spine only when the code is whole spine), axial T2
    through the level of concern, and gadolinium only when the code says so.
    """
    extent = " of the whole spine" if whole else " of the region"
    agent = (
        "; before and after intravenous gadolinium (an intradural tumour is suspected)"
        if contrast
        else "; no intravenous contrast"
    )
    return (
        f"Protocol: sagittal T1 and T2/STIR{extent}, axial T2 through the level of "
        f"concern{agent}. Plain radiographs do not replace the MRI."
    )


WHY_NOT_XRAY = reason("mri-elsewhere", "MRI already booked or done at another site")


def _tier(
    code: str,
    window_text: str,
    priority: Priority,
    window: timedelta,
    indicator: Indicator,
    *,
    summary: str,
    trigger: str,
    predicate: Callable[[Facts], bool],
) -> Tier:
    rule = Rule(
        id=code,
        title=f"Spine MRI within {window_text}",
        version="1.2.0",
        hooks=ALL_HOOKS,
        requires=TIER_FACTS | {"back_pain", "radicular_pain"},
        predicate=predicate,
        trigger=trigger,
        indicator=indicator,
        summary=summary,
        variants={
            "escalate": f"Escalate the pending spine MRI: it must happen within {window_text}",
            "ct": f"CT myelography within {window_text}: MRI is contraindicated",
            "held": f"Spine MRI within {window_text}: the MRI on record does not address it",
        },
        detail=(
            f"Image the spine with MRI within **{window_text}** (priority {priority.code}); "
            "plain radiographs do not replace it.{extra}"
        ),
        suggestion=(
            f"ServiceRequest MRI spine, priority {priority.code}, occurrencePeriod now to now + "
            f"{window_text}, with the protocol note: whole spine when metastatic disease is "
            "suspected, else the symptom region (whole spine when unknown); without contrast "
            "(LOINC 30854-4 or the region's WO code) unless an intradural tumour is suspected "
            "(30855-1 or the region's WO and W code). No create when a held or stale order "
            "is on record: the card names it to release, re-prioritise or replace"
        ),
        provenance=(IKNL_IMAGING, NICE_NG234, ACR_MYELOPATHY),
        override_reasons=(WHY_NOT_XRAY, *COMMON_REASONS),
    )
    return Tier(rule, priority, window, window_text)


H = timedelta(hours=1)
TIERS: tuple[Tier, ...] = (  # most urgent first
    _tier(
        "mri-12h",
        "12 hours",
        Priority.STAT,
        12 * H,
        Indicator.CRITICAL,
        summary="Spine MRI within 12 hours: signs of spinal cord or cauda equina compression",
        trigger="Dutch profile: cord compression, bilateral radicular pain or deficit, sphincter dysfunction or paraparesis; no MRI since (never under the NICE profile)",
        predicate=needs_mri_within_12h,
    ),
    _tier(
        "mri-24h",
        "24 hours",
        Priority.ASAP,
        24 * H,
        Indicator.CRITICAL,
        summary="Spine MRI within 24 hours: neurological deficit in a patient with a spine mass",
        trigger="Dutch: unilateral motor deficit with onset < 7 days ago or unknown onset. NICE: any neurological symptom or sign (stable deficits too); no MRI since",
        predicate=needs_mri_within_24h,
    ),
    _tier(
        "mri-48h",
        "48 hours",
        Priority.URGENT,
        48 * H,
        Indicator.WARNING,
        summary="Spine MRI within 48 hours: motor deficit for 7 days or more, not stable",
        trigger="Dutch profile: unilateral motor deficit with onset >= 7 days ago that is not documented as stable; no MRI since (never under the NICE profile)",
        predicate=needs_mri_within_48h,
    ),
    _tier(
        "mri-1w",
        "1 week",
        Priority.ROUTINE,
        7 * 24 * H,
        Indicator.WARNING,
        summary="Spine MRI within 1 week: spinal or radicular pain, or a stable deficit, with a spine mass",
        trigger="Dutch: unilateral radicular pain without deficit, or a stable deficit with onset >= 7 days ago. NICE: back or radicular pain without neurology; no MRI since",
        predicate=needs_mri_within_1w,
    ),
    _tier(
        "mri-2w",
        "2 weeks",
        Priority.ROUTINE,
        14 * 24 * H,
        Indicator.INFO,
        summary="Spine MRI within 2 weeks: back pain in a patient with a spine mass",
        trigger="Dutch profile: local back pain only; no MRI since (never under the NICE profile)",
        predicate=needs_mri_within_2w,
    ),
)


def select_tier(facts: Facts) -> Tier | None:
    """Return the most urgent tier whose trigger holds (only that one fires)."""
    return next((t for t in TIERS if t.rule.predicate(facts)), None)
