"""The imaging plans: the MRI tier card and the imaging cards that hinge on the same tier.

Each imaging rule builds its own card in its module; the cross-card rules of
CLINICAL-RULES.md §2 that tie them together live here: only the most urgent MRI tier;
a pending MRI (or, when MRI is contraindicated, CT myelography) of adequate priority
addresses the tier; a less urgent one turns the tier card into an *escalate* card and
each such draft gets an ``mri-order-review`` update; never a second MRI order.
"""

from __future__ import annotations

from .. import suggestions as fhir
from ..cards import Action
from ..facts import Facts
from ..facts import Order
from .contraindication import MRI_CONTRAINDICATED
from .contraindication import contraindication_plan
from .mri import Tier
from .mri import select_tier
from .order_review import MRI_ORDER_REVIEW
from .order_review import review_plans
from .orders import IMAGING_KINDS
from .orders import adequate_imaging
from .orders import imaging_orders
from .plan import Plan
from .plan import blocked_text
from .render import evidence_refs


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
        plans.append(contraindication_plan(facts, tier, adequate))
    if MRI_ORDER_REVIEW.predicate(facts):
        plans += review_plans(facts)
    return plans, tier, create
