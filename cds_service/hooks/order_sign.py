"""``order-sign``: the order-select checks over all draft orders, just before signing."""

from __future__ import annotations

from ..registry import ServiceDescriptor
from .prefetch_templates import RECORD_PREFETCH
from .prefetch_templates import REQUIRED_KEYS
from .prefetch_templates import UNAVAILABLE_MEANS
from .prefetch_templates import USAGE

SERVICE = ServiceDescriptor(
    id="order-sign",
    hook="order-sign",
    title="Spine mass work-up advisor (signing)",
    description=(
        "Final check of every draft order before signing for a patient with a spine mass: "
        "plain X-ray instead of MRI, MRI priority and extent, and critical cards not yet "
        "addressed by the orders being signed."
    ),
    prefetch=RECORD_PREFETCH,
    usage_requirements=USAGE,
    prefetch_required=REQUIRED_KEYS,
    unavailable_means=UNAVAILABLE_MEANS,
    context_required=("userId", "patientId", "draftOrders"),
)
