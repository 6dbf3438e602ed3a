"""MRI time tiers (``mri-12h`` ... ``mri-2w``): how fast the spine MRI must happen.

Source: Dutch guideline Wervelmetastasen (IKNL 2015, module Beeldvormend onderzoek,
https://richtlijnendatabase.nl/richtlijn/wervelmetastasen/diagnostiek/beeldvormend_onderzoek.html),
five tiers by neurology; the ``nice`` profile maps them onto NICE NG234's two
(24 h with neurology, 1 week for pain alone). Only the most urgent tier fires, and the
pending, less urgent and held imaging orders decide its card: :func:`decide_tier` settles
that once per request for every rule that hinges on the tier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from .. import suggestions as fhir
from ..cards import Action
from ..cards import Indicator
from ..facts import Course
from ..facts import Facts
from ..facts import Order
from ..facts import Priority
from .base import ALL_HOOKS
from .base import COMMON_REASONS
from .base import Rule
from .base import reason
from .evidence import ACR_MYELOPATHY
from .evidence import IKNL_IMAGING
from .evidence import NICE_NG234
from .orders import IMAGING_KINDS
from .orders import adequate_imaging
from .orders import imaging_orders
from .plan import Plan
from .plan import blocked_text
from .render import evidence_refs

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


@dataclass(frozen=True)
class TierDecision:
    """The one MRI tier of a request and what the imaging orders on record make of it (§2).

    :param adequate: pending imaging at least as urgent as the tier: it addresses the tier.
    :param lesser: pending imaging less urgent than the tier: escalate it, never a second MRI.
    :param held: the sentence naming held or stale imaging orders ("" when none).
    :param create: the tier's imaging order, when nothing pending or held stands in its way;
        the X-ray card suggests this very action (one MRI, never two).
    """

    tier: Tier | None = None
    adequate: tuple[Order, ...] = ()
    lesser: tuple[Order, ...] = ()
    held: str = ""
    create: Action | None = None

    @property
    def waits_on_held(self) -> bool:
        """The tier card names a held or stale order to release instead of ordering one."""
        return self.tier is not None and not (self.adequate or self.lesser) and bool(self.held)


NO_TIER = TierDecision()


def decide_tier(facts: Facts) -> TierDecision:
    """The most urgent tier that holds, and the orders that address, delay or block it."""
    tier = select_tier(facts)
    if tier is None:
        return NO_TIER
    imaging = imaging_orders(facts)
    adequate = adequate_imaging(tier, imaging)
    lesser = tuple(o for o in imaging if o not in adequate)
    held = blocked_text(facts, IMAGING_KINDS, "imaging order")
    create = None if adequate or lesser or held else _tier_action(facts, tier)
    return TierDecision(tier, adequate, lesser, held, create)


def _tier_action(facts: Facts, tier: Tier) -> Action:
    mri_possible = not facts.mri_contraindication
    resource = fhir.imaging_request(
        facts,
        tier.priority,
        tier.window,
        evidence_refs(tier.rule, facts),
        mri_possible=mri_possible,
    )
    what = "spine MRI" if mri_possible else "CT myelography"
    return Action("create", f"Order {what} within {tier.window_text}", resource)


def tier_plan(facts: Facts, decision: TierDecision) -> list[Plan]:
    """The card of the one tier: escalate a less urgent pending order, name a held one, or
    order the MRI (CT myelography when MRI is contraindicated); none when addressed."""
    tier = decision.tier
    if tier is None or decision.adequate:
        return []
    if decision.lesser:
        refs = ", ".join(f"`{o.ref}` ({o.effective_priority.code})" for o in decision.lesser)
        extra = (
            f" A less urgent order is pending ({refs}): **escalate it** to priority "
            f"{tier.priority.code} instead of ordering a second MRI."
        )
        return [Plan(tier.rule, "escalate", extra=extra)]
    if decision.create is None:
        return [Plan(tier.rule, "held", extra=decision.held)]
    variant = "ct" if facts.mri_contraindication else ""
    create = decision.create
    return [Plan(tier.rule, variant, (create,), label=create.description)]


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
        plan=tier_plan,
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
