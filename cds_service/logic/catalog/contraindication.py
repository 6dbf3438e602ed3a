"""``mri-contraindicated``: an MRI tier applies but a device or implant rules MRI out.

Sources: NICE NG234 (CT when MRI is contraindicated), ACR Appropriateness Criteria
Myelopathy (CT myelography "may be appropriate"); evidence file §1.1 row 5 and §2.3
(many modern devices are MR-conditional, so the card says *check*, not *never*).
"""

from __future__ import annotations

from ..cards import Indicator
from ..facts import Facts
from ..facts import OrderKind
from .base import ALL_HOOKS
from .base import COMMON_REASONS
from .base import Rule
from .base import reason
from .evidence import ACR_MYELOPATHY
from .evidence import NICE_NG234
from .mri import TIER_FACTS
from .mri import TierDecision
from .mri import select_tier
from .orders import adequate_imaging
from .orders import imaging_orders
from .orders import judged_drafts
from .plan import Plan
from .render import escape


def device_meets_mri(f: Facts) -> bool:
    """A pacemaker, ICD or cochlear implant, and a judged draft spine MRI (order-select: a
    selection, order-sign: any draft) or an MRI tier that no pending CT myelography of its
    priority addresses (a pending MRI keeps the warning: MR conditionality gets checked)."""
    if not (f.mri_contraindication and f.context):
        return False
    if judged_drafts(f, OrderKind.MRI_SPINE):
        return True
    tier = select_tier(f)
    return tier is not None and not any(
        o.kind is OrderKind.CT_MYELOGRAPHY for o in adequate_imaging(tier, imaging_orders(f))
    )


CT_FALLBACK = (
    "If MRI is not possible, image with CT myelography at the same priority, or CT of the "
    "whole spine when myelography cannot be done in time."
)


def device_names(facts: Facts) -> str:
    """The implanted devices behind ``mri_contraindication``, for the card text."""
    labels = dict.fromkeys(escape(e.label) for e in facts.mri_contraindication.evidence)
    return "; ".join(labels)  # record text: escaped, it must not inject markdown


def contraindication_plan(facts: Facts, decision: TierDecision) -> list[Plan]:
    """On a judged draft MRI the card is about that order; else it explains the tier card."""
    tier = decision.tier
    devices = device_names(facts)
    judged_mri = sorted(o.ref for o in judged_drafts(facts, OrderKind.MRI_SPINE))
    if judged_mri or tier is None:  # without a judged draft the predicate saw a tier
        # §2: a selected (order-sign: any draft) MRI in a patient with an implanted device.
        orders = ", ".join(f"`{r}`" for r in judged_mri)
        extra = f" Device: {devices}; draft order: {orders}."
        return [
            Plan(MRI_CONTRAINDICATED, "selected-order", about=frozenset(judged_mri), extra=extra)
        ]
    # Spec silent on a device plus a pending *MRI* that addresses the tier: the safer
    # reading keeps the warning (no suggestion) so MR conditionality gets checked.
    variant = "pending-mri" if decision.adequate else ""
    extra = f" {CT_FALLBACK} Device: {devices}."
    return [Plan(MRI_CONTRAINDICATED, variant, companion_of=tier.rule.id, extra=extra)]


MRI_CONTRAINDICATED = Rule(
    id="mri-contraindicated",
    title="MRI contraindicated: CT myelography instead",
    version="1.2.0",
    hooks=ALL_HOOKS,
    requires=TIER_FACTS | {"mri_contraindication", "back_pain", "radicular_pain"},
    predicate=device_meets_mri,
    plan=contraindication_plan,
    trigger="an MRI tier fires and the record shows a pacemaker, implantable defibrillator or cochlear implant; in order-select/order-sign also a selected (order-sign: any draft) spine MRI order in a patient with context and such a device",
    indicator=Indicator.WARNING,
    summary="MRI may be contraindicated (implanted device): CT myelography suggested instead",
    variants={
        "pending-mri": "A spine MRI is pending but the patient has an implanted device: check MR conditionality",
        "selected-order": "Implanted device: confirm MR-conditional labelling before this spine MRI",
    },
    detail=(
        "The record shows an implanted device that may make MRI unsafe: confirm its "
        "MR-conditional labelling with radiology before any scan, as many modern devices "
        "can be scanned.{extra}"
    ),
    suggestion="none on this card; with a tier the tier card suggests CT myelography (LOINC 47985-7 or the region's CT W contrast IT code) at the tier's priority; on a selected MRI order no suggestion",
    provenance=(NICE_NG234, ACR_MYELOPATHY),
    override_reasons=(
        reason("mr-conditional", "Device is MR-conditional: MRI is safe"),
        *COMMON_REASONS,
    ),
)
