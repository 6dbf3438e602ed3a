"""``order-select``: cards about the newly selected orders, plus unaddressed critical cards."""

from __future__ import annotations

from ..registry import ServiceDescriptor
from .prefetch_templates import RECORD_PREFETCH
from .prefetch_templates import REQUIRED_KEYS
from .prefetch_templates import UNAVAILABLE_MEANS
from .prefetch_templates import USAGE

SERVICE = ServiceDescriptor(
    id="order-select",
    hook="order-select",
    title="Spine mass work-up advisor (ordering)",
    description=(
        "Checks newly selected spine imaging, dexamethasone and referral orders for a patient "
        "with a spine mass: warns when a plain X-ray is chosen instead of MRI, when an MRI is "
        "less urgent than required or not whole-spine, and repeats critical cards the draft "
        "orders do not yet address."
    ),
    prefetch=RECORD_PREFETCH,
    usage_requirements=USAGE,
    prefetch_required=REQUIRED_KEYS,
    unavailable_means=UNAVAILABLE_MEANS,
    context_required=("userId", "patientId", "selections", "draftOrders"),
)
