"""The orders the cross-card rules read: the drafts a hook judges, the imaging that addresses a tier.

Shared by the rules' predicates, their plans and the engine, so that the predicate a rule
publishes and the plan that builds its card read the same orders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..facts import Facts
from ..facts import Order
from ..facts import OrderKind

if TYPE_CHECKING:  # mri.py decides the tier with these helpers
    from .mri import Tier

IMAGING_KINDS = (OrderKind.MRI_SPINE, OrderKind.CT_MYELOGRAPHY)


def relevant_drafts(facts: Facts) -> frozenset[str]:
    """Drafts the order hooks judge: order-select the selections, order-sign all drafts."""
    return frozenset(
        o.ref for o in facts.orders if o.in_draft and (facts.hook == "order-sign" or o.selected)
    )


def judged_drafts(facts: Facts, kind: OrderKind) -> tuple[Order, ...]:
    """The pending drafts of ``kind`` the hook judges (see :func:`relevant_drafts`)."""
    judged = relevant_drafts(facts)
    return tuple(o for o in facts.pending(kind) if o.in_draft and o.ref in judged)


def imaging_orders(facts: Facts) -> tuple[Order, ...]:
    """Pending orders that can address a tier: MRI, and CT myelography if MRI is unsafe."""
    orders = facts.pending(OrderKind.MRI_SPINE)
    if facts.mri_contraindication:
        orders += facts.pending(OrderKind.CT_MYELOGRAPHY)
    return orders


def adequate_imaging(tier: Tier, imaging: tuple[Order, ...]) -> tuple[Order, ...]:
    """The pending imaging orders at least as urgent as the tier: they address it."""
    return tuple(o for o in imaging if o.effective_priority >= tier.priority)
