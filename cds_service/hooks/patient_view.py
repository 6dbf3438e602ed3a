"""``patient-view``: every card that applies when a chart is opened."""

from __future__ import annotations

from ..registry import ServiceDescriptor
from .prefetch_templates import RECORD_PREFETCH
from .prefetch_templates import REQUIRED_KEYS
from .prefetch_templates import UNAVAILABLE_MEANS
from .prefetch_templates import USAGE

SERVICE = ServiceDescriptor(
    id="patient-view",
    hook="patient-view",
    title="Spine mass work-up advisor (chart open)",
    description=(
        "For patients with a known or suspected spine mass, spinal metastasis or cord "
        "compression: how fast the spine MRI must happen, dexamethasone when the cord may be "
        "compressed, surgical and radiotherapy referral, CT myelography when MRI is impossible, "
        "tissue diagnosis when the primary is unknown, and stability and ambulatory status."
    ),
    prefetch=RECORD_PREFETCH,
    usage_requirements=USAGE,
    prefetch_required=REQUIRED_KEYS,
    unavailable_means=UNAVAILABLE_MEANS,
    context_required=("userId", "patientId"),
)
