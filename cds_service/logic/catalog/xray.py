"""``xray-insufficient``: a plain spine radiograph ordered where MRI is needed.

Sources: NICE NG234 (do not use plain X-ray to diagnose or rule out spinal metastases or
MSCC); ACR Appropriateness Criteria Myelopathy (radiography usually not appropriate).
"""

from __future__ import annotations

from .. import suggestions as fhir
from ..cards import Action
from ..cards import Indicator
from ..facts import Facts
from ..facts import OrderKind
from ..facts import Priority
from .base import COMMON_REASONS
from .base import ORDER_HOOKS
from .base import Rule
from .base import reason
from .evidence import ACR_MYELOPATHY
from .evidence import NICE_NG234
from .mri import TierDecision
from .orders import IMAGING_KINDS
from .orders import imaging_orders
from .orders import judged_drafts
from .plan import Plan
from .plan import blocked_text
from .render import evidence_refs


def judged_draft_xray(f: Facts) -> bool:
    """Context and a judged draft spine radiograph (order-select: a selection, order-sign:
    any draft)."""
    return f.context and bool(judged_drafts(f, OrderKind.XRAY_SPINE))


def xray_plan(facts: Facts, decision: TierDecision) -> list[Plan]:
    """``xray-insufficient`` over the judged draft X-rays: delete them and create the tier's
    MRI (its very ``create``: one MRI, never two), a routine one without a tier; when a
    held or stale MRI stands in the way, name that order instead of creating one."""
    tier, create = decision.tier, decision.create
    xrays = judged_drafts(facts, OrderKind.XRAY_SPINE)
    deletes = tuple(
        Action("delete", f"Remove the draft plain X-ray {o.ref}", resource_id=o.ref) for o in xrays
    )
    imaging = create
    held = decision.held if decision.waits_on_held else ""
    if tier is None and not imaging_orders(facts) and not facts.mri_done:
        # No tier applies: a routine MRI of the region (whole spine when metastatic),
        # without a time window (the spec gives none); none when imaging is pending/done,
        # and none beside a held or stale one (§2: never a second order beside it).
        held = blocked_text(facts, IMAGING_KINDS, "imaging order")
        if not held:
            reasons = evidence_refs(XRAY_INSUFFICIENT, facts)
            resource = fhir.imaging_request(
                facts, Priority.ROUTINE, None, reasons, mri_possible=not facts.mri_contraindication
            )
            imaging = Action("create", "Order routine spine imaging instead", resource)
    actions = deletes + ((imaging,) if imaging else ())
    label = (
        f"Remove the X-ray; {imaging.description[0].lower()}{imaging.description[1:]}"
        if imaging
        else "Remove the plain X-ray"
    )
    if imaging:
        extra = " Replace the X-ray with the imaging suggested below."
    elif held:
        extra = held  # release the held or stale order, never a second one
    else:
        extra = " Spine imaging is already ordered or done: remove the X-ray."
    plan = Plan(
        XRAY_INSUFFICIENT,
        actions=actions,
        label=label,
        extra=extra,
        about=frozenset(o.ref for o in xrays),
        # One card about the tier's MRI: this one, when it carries the tier's own order, or
        # names the held order a warning tier waits on (the order hooks would drop that tier
        # card, and its device warning with it). A critical tier card stays: §2 returns
        # every critical card the drafts do not address, and only it states the window.
        replaces_tier=(imaging is not None and imaging is create)
        or (decision.waits_on_held and not _critical(decision)),
    )
    return [plan]


def _critical(decision: TierDecision) -> bool:
    return decision.tier is not None and decision.tier.rule.indicator is Indicator.CRITICAL


XRAY_INSUFFICIENT = Rule(
    id="xray-insufficient",
    title="Plain spine X-ray is insufficient",
    version="1.2.0",
    hooks=ORDER_HOOKS,
    requires=frozenset({"spine_mass", "metastatic_suspicion", "cord_compression", "orders"}),
    predicate=judged_draft_xray,
    plan=xray_plan,
    trigger="order-select: a selected draft spine radiograph (order-sign: any draft) in a patient with spine-mass context",
    indicator=Indicator.WARNING,
    summary="A plain spine X-ray cannot rule out cord compression or metastases: order an MRI instead",
    detail=(
        "Plain radiographs miss most paraspinal and epidural disease and must not be used to "
        "diagnose or exclude spinal metastases or cord compression.{extra}"
    ),
    suggestion="one suggestion, two actions: delete the draft X-ray (resourceId ServiceRequest/<id>) and create the MRI of the tier that applies (routine MRI when no tier applies; no create when an MRI is already pending or done, or held or stale on record: that order is named)",
    provenance=(NICE_NG234, ACR_MYELOPATHY),
    override_reasons=(
        reason("xray-other-question", "X-ray answers a different question (e.g. alignment)"),
        *COMMON_REASONS,
    ),
)
