"""Card plans: which cards apply to the facts, with their actions, before hook filtering.

The cross-card rules of CLINICAL-RULES.md §2 live here: only the most urgent MRI tier;
a pending MRI (or, when MRI is contraindicated, CT myelography) of adequate priority
addresses the tier; a less urgent one turns the tier card into an *escalate* card and
each such draft gets an ``mri-order-review`` update; never a second MRI order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import NamedTuple

from .. import suggestions as fhir
from ..cards import Action
from ..cards import Indicator
from ..facts import Facts
from ..facts import Order
from ..facts import OrderKind
from ..facts import Priority
from ..facts import Region
from ..valuesets import VS
from ..valuesets import match
from .base import Rule
from .contraindication import CT_FALLBACK
from .contraindication import MRI_CONTRAINDICATED
from .mri import Tier
from .mri import protocol_note
from .mri import select_tier
from .order_review import MRI_ORDER_REVIEW
from .order_review import reviews
from .orders import IMAGING_KINDS
from .orders import adequate_imaging
from .orders import imaging_orders
from .orders import judged_drafts
from .render import escape
from .render import evidence_refs
from .xray import XRAY_INSUFFICIENT


class Plan(NamedTuple):
    """One card to render, if the hook keeps it (a NamedTuple: cheaper to build than a
    frozen dataclass, and nothing compares or hashes plans).

    :param about: refs of the draft orders the card is about (order-topic cards only).
    :param companion_of: the card this one explains; kept exactly when that one is.
    :param replaces_tier: this card carries or replaces the MRI tier card's action, so
        the tier card is not returned beside it (one MRI, never two).
    :param deferred: builds the card's one action instead of ``actions``, only when the
        card is rendered: the order hooks drop most cards, so most drafts are never built.
    """

    rule: Rule
    variant: str = ""
    actions: tuple[Action, ...] = ()
    label: str = ""
    recommended: bool | None = None
    about: frozenset[str] = frozenset()
    companion_of: str | None = None
    replaces_tier: bool = False
    indicator: Indicator | None = None
    extra: str = ""
    age_note: str = ""
    deferred: Callable[[], Action] | None = None


def blocked_text(facts: Facts, kinds: tuple[OrderKind, ...], what: str) -> str:
    """One sentence naming held or stale record orders of ``kinds`` (they address nothing).

    Empty when there are none. The card fires without a ``create``: a second order beside
    the held one would duplicate it; the clinician releases, re-prioritises or replaces it.
    """
    blocked = [o for kind in kinds for o in facts.blocked(kind)]
    if not blocked:
        return ""
    named = ", ".join(
        f"`{o.ref}`, {'on hold' if o.held else 'authored before the current symptoms'}"
        for o in blocked
    )
    return (
        f" The {what} on record ({named}) addresses nothing: release, re-prioritise or "
        "replace it rather than ordering a second one."
    )


def device_names(facts: Facts) -> str:
    """The implanted devices behind ``mri_contraindication``, for the card text."""
    labels = dict.fromkeys(escape(e.label) for e in facts.mri_contraindication.evidence)
    return "; ".join(labels)  # record text: escaped, it must not inject markdown


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


def imaging_plans(facts: Facts) -> tuple[list[Plan], Tier | None, Action | None]:
    """Plan the tier, contraindication and order-review cards.

    :returns: the plans, the tier that applies, and the tier's ``create`` action when the
        tier still needs an order (the X-ray card reuses it).
    """
    tier = select_tier(facts)
    imaging = imaging_orders(facts)
    plans: list[Plan] = []
    create: Action | None = None
    adequate: tuple[Order, ...] = ()
    if tier is not None:
        adequate = adequate_imaging(tier, imaging)
        lesser = tuple(o for o in imaging if o not in adequate)
        held = blocked_text(facts, IMAGING_KINDS, "imaging order")
        if lesser and not adequate:
            refs = ", ".join(f"`{o.ref}` ({o.effective_priority.code})" for o in lesser)
            extra = (
                f" A less urgent order is pending ({refs}): **escalate it** to priority "
                f"{tier.priority.code} instead of ordering a second MRI."
            )
            plans.append(Plan(tier.rule, "escalate", extra=extra))
        elif not adequate and held:
            plans.append(Plan(tier.rule, "held", extra=held))
        elif not adequate:
            create = _tier_action(facts, tier)
            variant = "ct" if facts.mri_contraindication else ""
            plans.append(Plan(tier.rule, variant, (create,), label=create.description))
    if MRI_CONTRAINDICATED.predicate(facts):
        plans.append(_contraindication_plan(facts, tier, adequate))
    if MRI_ORDER_REVIEW.predicate(facts):
        plans += _review_plans(facts)
    return plans, tier, create


def _contraindication_plan(facts: Facts, tier: Tier | None, adequate: tuple[Order, ...]) -> Plan:
    """On a judged draft MRI the card is about that order; else it explains the tier card."""
    devices = device_names(facts)
    judged_mri = sorted(o.ref for o in judged_drafts(facts, OrderKind.MRI_SPINE))
    if judged_mri or tier is None:  # without a judged draft the predicate saw a tier
        # §2: a selected (order-sign: any draft) MRI in a patient with an implanted device.
        orders = ", ".join(f"`{r}`" for r in judged_mri)
        extra = f" Device: {devices}; draft order: {orders}."
        return Plan(MRI_CONTRAINDICATED, "selected-order", about=frozenset(judged_mri), extra=extra)
    # Spec silent on a device plus a pending *MRI* that addresses the tier: the safer
    # reading keeps the warning (no suggestion) so MR conditionality gets checked.
    variant = "pending-mri" if adequate else ""
    extra = f" {CT_FALLBACK} Device: {devices}."
    return Plan(MRI_CONTRAINDICATED, variant, companion_of=tier.rule.id, extra=extra)


def _review_plans(facts: Facts) -> list[Plan]:
    """An ``mri-order-review`` per draft that is too slow for the tier or too narrow."""
    plans = []
    for order, tier, narrow in reviews(facts):
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
            "coding": [{"system": fhir.LOINC, "code": code, "display": display}],
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
        resource["note"] = [*kept, {"text": protocol_note(whole=is_whole, contrast=contrast)}]
    return resource


def _has_contrast(code: Any) -> bool:
    """The draft's own code asks for intravenous gadolinium (W, or WO and W, contrast)."""
    codings = code.get("coding") if isinstance(code, dict) else None
    return any(
        VS.MRI_CONTRAST in match(c["system"], c["code"])
        for c in (codings if isinstance(codings, list) else [])
        if isinstance(c, dict)
        and isinstance(c.get("system"), str)
        and isinstance(c.get("code"), str)
    )


def xray_plan(facts: Facts, tier: Tier | None, create: Action | None) -> Plan | None:
    """``xray-insufficient`` over the relevant draft X-rays: delete them, create the MRI."""
    if not XRAY_INSUFFICIENT.predicate(facts):
        return None
    xrays = judged_drafts(facts, OrderKind.XRAY_SPINE)
    deletes = tuple(
        Action("delete", f"Remove the draft plain X-ray {o.ref}", resource_id=o.ref) for o in xrays
    )
    imaging = create
    if tier is None and not imaging_orders(facts) and not facts.mri_done:
        # No tier applies: a routine MRI of the region (whole spine when metastatic),
        # without a time window (the spec gives none); none when imaging is pending/done.
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
    held = blocked_text(facts, IMAGING_KINDS, "imaging order")
    if imaging:
        extra = " Replace the X-ray with the imaging suggested below."
    elif tier is not None and held:
        extra = held  # the tier's MRI waits on the held or stale order, not a second one
    else:
        extra = " Spine imaging is already ordered or done: remove the X-ray."
    return Plan(
        XRAY_INSUFFICIENT,
        actions=actions,
        label=label,
        extra=extra,
        about=frozenset(o.ref for o in xrays),
        replaces_tier=imaging is not None and imaging is create,
    )
