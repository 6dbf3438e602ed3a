"""``mri-order-review``: a draft spine MRI that is too slow or too narrow.

Sources: Dutch guideline Wervelmetastasen (tier timing, whole spine); NICE NG234 and CG75
(whole-spine MRI when metastatic cord compression is suspected: 25 % have >= 2 levels).
"""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

from .. import suggestions as fhir
from ..cards import Action
from ..cards import Indicator
from ..extract.fhir import codings
from ..facts import Facts
from ..facts import Order
from ..facts import OrderKind
from ..facts import Priority
from ..facts import Region
from ..systems import LOINC
from ..valuesets import VS
from ..valuesets import match
from .base import COMMON_REASONS
from .base import ORDER_HOOKS
from .base import Rule
from .base import reason
from .evidence import IKNL_IMAGING
from .evidence import NICE_NG234
from .mri import TIER_FACTS
from .mri import Tier
from .mri import TierDecision
from .mri import select_tier
from .orders import adequate_imaging
from .orders import imaging_orders
from .plan import Plan

#: Regions that are not the whole spine. "MR Spine" with no region counts: with metastatic
#: suspicion the safer reading of an unspecified region is that it may not cover C+T+L.
PARTIAL = frozenset({Region.CERVICAL, Region.THORACIC, Region.LUMBAR, Region.UNSPECIFIED})


class Review(NamedTuple):
    """A draft imaging order to update: too slow for ``tier`` (when set), or too narrow."""

    order: Order
    tier: Tier | None
    narrow: bool


def reviews(f: Facts, tier: Tier | None) -> list[Review]:
    """Every pending draft that is slower than ``tier`` when no pending order addresses it,
    or (a spine MRI) of a single region when metastatic disease is suspected."""
    imaging = imaging_orders(f)
    if not any(o.in_draft for o in imaging):
        return []
    unmet = tier if tier is not None and not adequate_imaging(tier, imaging) else None
    found = []
    for order in imaging:
        if not order.in_draft:
            continue
        slow = unmet is not None and order.effective_priority < unmet.priority
        narrow = (
            bool(f.metastatic_suspicion)
            and order.kind is OrderKind.MRI_SPINE
            and order.region in PARTIAL
        )
        if slow or narrow:
            found.append(Review(order, unmet if slow else None, narrow))
    return found


def draft_imaging_inadequate(f: Facts) -> bool:
    """Context and a draft spine MRI (or CT myelography) too slow or too narrow; the hook
    filter keeps the cards about judged drafts."""
    return f.context and bool(reviews(f, select_tier(f)))


def review_plans(facts: Facts, decision: TierDecision) -> list[Plan]:
    """An ``mri-order-review`` per draft that is too slow for the tier or too narrow."""
    plans = []
    for order, tier, narrow in reviews(facts, decision.tier):
        slow = tier is not None
        resource = _reviewed(facts, order, tier.priority if tier else None, narrow)
        variant = "both" if slow and narrow else ("region" if narrow else "")
        why = []
        if slow and tier:
            why.append(
                f"`{order.ref}` has priority {order.effective_priority.code}; the findings "
                f"need imaging within {tier.window_text} (priority {tier.priority.code})."
            )
        if narrow:
            why.append(
                f"`{order.ref}` images one region only; with suspected metastatic disease image "
                "the whole spine (a quarter of patients have compression at two or more levels)."
            )
        action = Action("update", "Update the draft order: " + _change_text(slow, narrow), resource)
        plans.append(
            Plan(
                MRI_ORDER_REVIEW,
                variant,
                (action,),
                label=action.description,
                about=frozenset({order.ref}),
                replaces_tier=slow,
                extra=" ".join(why),
            )
        )
    return plans


def _change_text(slow: bool, narrow: bool) -> str:
    parts = (["raise the priority"] if slow else []) + (["image the whole spine"] if narrow else [])
    return " and ".join(parts)


def _reviewed(facts: Facts, order: Order, priority: Priority | None, whole: bool) -> dict[str, Any]:
    """The same draft resource (same id), priority raised and/or code set to whole spine.

    The whole-spine code follows the contrast rule; an update that only raises the priority
    keeps the draft's code. The protocol note is rewritten to agree with the final code.
    """
    resource = dict(order.resource)
    # Every suggested resource is a draft about this patient (§2), whatever form the EHR's
    # draft used for its subject (absolute URL, missing).
    resource["status"] = "draft"
    resource["subject"] = {"reference": f"Patient/{facts.patient_id}"}
    if priority is not None:
        resource["priority"] = priority.code
    contrast = bool(facts.intradural_suspected)
    if whole:
        code, display = fhir.mri_code(facts, Region.WHOLE)
        resource["code"] = {
            "coding": [{"system": LOINC, "code": code, "display": display}],
            "text": display,
        }
    else:
        contrast = _has_contrast(resource.get("code"))
    if order.kind is OrderKind.MRI_SPINE:
        # §2: every MRI suggestion carries a protocol note that agrees with its code; the
        # clinician's own notes are kept, an earlier protocol note of ours is replaced.
        notes = resource.get("note")
        kept = [n for n in notes if isinstance(n, dict)] if isinstance(notes, list) else []
        kept = [n for n in kept if not str(n.get("text", "")).startswith("Protocol: ")]
        is_whole = whole or order.region is Region.WHOLE
        resource["note"] = [*kept, {"text": fhir.protocol_note(whole=is_whole, contrast=contrast)}]
    return resource


def _has_contrast(code: Any) -> bool:
    """The draft's own code asks for intravenous gadolinium (W, or WO and W, contrast)."""
    return any(VS.MRI_CONTRAST in match(c.system, c.code) for c in codings(code))


MRI_ORDER_REVIEW = Rule(
    id="mri-order-review",
    title="Review the draft spine MRI order",
    version="1.2.0",
    hooks=ORDER_HOOKS,
    requires=TIER_FACTS | {"orders", "back_pain", "radicular_pain", "mri_contraindication"},
    predicate=draft_imaging_inadequate,
    plan=review_plans,
    trigger="order-select: a selected draft spine MRI (order-sign: any draft) less urgent than the tier that applies, or of a single region when metastatic disease is suspected",
    indicator=Indicator.WARNING,
    summary="The draft spine MRI is less urgent than required: raise its priority",
    variants={
        "region": "Metastatic disease suspected: image the whole spine, not a single region",
        "both": "Draft spine MRI too slow and too narrow: raise priority, image the whole spine",
    },
    detail="{extra} The suggestion updates the draft order in place; no second MRI is ordered.",
    suggestion="update the draft ServiceRequest (same id): priority raised to the tier's and/or code changed to whole spine (LOINC 30855-1)",
    provenance=(IKNL_IMAGING, NICE_NG234),
    override_reasons=(
        reason("clinician-timing", "Timing or extent agreed with radiology"),
        *COMMON_REASONS,
    ),
)
