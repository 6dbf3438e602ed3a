"""``xray-insufficient``: a plain spine radiograph ordered where MRI is needed.

Sources: NICE NG234 (do not use plain X-ray to diagnose or rule out spinal metastases or
MSCC); ACR Appropriateness Criteria Myelopathy (radiography usually not appropriate).
"""

from __future__ import annotations

from ..cards import Indicator
from ..facts import Facts
from ..facts import OrderKind
from .base import COMMON_REASONS
from .base import ORDER_HOOKS
from .base import Rule
from .base import reason
from .evidence import ACR_MYELOPATHY
from .evidence import NICE_NG234
from .orders import judged_drafts


def judged_draft_xray(f: Facts) -> bool:
    """Context and a judged draft spine radiograph (order-select: a selection, order-sign:
    any draft)."""
    return f.context and bool(judged_drafts(f, OrderKind.XRAY_SPINE))


XRAY_INSUFFICIENT = Rule(
    id="xray-insufficient",
    title="Plain spine X-ray is insufficient",
    version="1.2.0",
    hooks=ORDER_HOOKS,
    requires=frozenset({"spine_mass", "metastatic_suspicion", "cord_compression", "orders"}),
    predicate=judged_draft_xray,
    trigger="order-select: a selected draft spine radiograph (order-sign: any draft) in a patient with spine-mass context",
    indicator=Indicator.WARNING,
    summary="A plain spine X-ray cannot rule out cord compression or metastases: order an MRI instead",
    detail=(
        "Plain radiographs miss most paraspinal and epidural disease and must not be used to "
        "diagnose or exclude spinal metastases or cord compression.{extra}"
    ),
    suggestion="one suggestion, two actions: delete the draft X-ray (resourceId ServiceRequest/<id>) and create the MRI of the tier that applies (routine MRI when no tier applies; no create when an MRI is already pending or done)",
    provenance=(NICE_NG234, ACR_MYELOPATHY),
    override_reasons=(
        reason("xray-other-question", "X-ray answers a different question (e.g. alignment)"),
        *COMMON_REASONS,
    ),
)
