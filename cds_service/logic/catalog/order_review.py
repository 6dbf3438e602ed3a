"""``mri-order-review``: a draft spine MRI that is too slow or too narrow.

Sources: Dutch guideline Wervelmetastasen (tier timing, whole spine); NICE NG234 and CG75
(whole-spine MRI when metastatic cord compression is suspected: 25 % have >= 2 levels).
"""

from __future__ import annotations

from typing import NamedTuple

from ..cards import Indicator
from ..facts import Facts
from ..facts import Order
from ..facts import OrderKind
from ..facts import Region
from .base import COMMON_REASONS
from .base import ORDER_HOOKS
from .base import Rule
from .base import reason
from .evidence import IKNL_IMAGING
from .evidence import NICE_NG234
from .mri import TIER_FACTS
from .mri import Tier
from .mri import select_tier
from .orders import adequate_imaging
from .orders import imaging_orders

#: Regions that are not the whole spine. "MR Spine" with no region counts: with metastatic
#: suspicion the safer reading of an unspecified region is that it may not cover C+T+L.
PARTIAL = frozenset({Region.CERVICAL, Region.THORACIC, Region.LUMBAR, Region.UNSPECIFIED})


class Review(NamedTuple):
    """A draft imaging order to update: too slow for ``tier`` (when set), or too narrow."""

    order: Order
    tier: Tier | None
    narrow: bool


def reviews(f: Facts) -> list[Review]:
    """Every pending draft that is slower than the tier no pending order addresses, or (a
    spine MRI) of a single region when metastatic disease is suspected."""
    imaging = imaging_orders(f)
    if not any(o.in_draft for o in imaging):
        return []
    tier = select_tier(f)
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
    return f.context and bool(reviews(f))


MRI_ORDER_REVIEW = Rule(
    id="mri-order-review",
    title="Review the draft spine MRI order",
    version="1.2.0",
    hooks=ORDER_HOOKS,
    requires=TIER_FACTS | {"orders", "back_pain", "radicular_pain", "mri_contraindication"},
    predicate=draft_imaging_inadequate,
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
