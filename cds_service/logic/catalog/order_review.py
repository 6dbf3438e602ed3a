"""``mri-order-review``: a draft spine MRI that is too slow or too narrow.

Sources: Dutch guideline Wervelmetastasen (tier timing, whole spine); NICE NG234 and CG75
(whole-spine MRI when metastatic cord compression is suspected: 25 % have >= 2 levels).
"""

from __future__ import annotations

from ..cards import Indicator
from ..facts import Facts
from ..facts import OrderKind
from ..facts import Region
from .base import COMMON_REASONS
from .base import ORDER_HOOKS
from .base import Rule
from .base import reason
from .evidence import IKNL_IMAGING
from .evidence import NICE_NG234
from .mri import TIER_FACTS

#: Regions that are not the whole spine. "MR Spine" with no region counts: with metastatic
#: suspicion the safer reading of an unspecified region is that it may not cover C+T+L.
PARTIAL = frozenset({Region.CERVICAL, Region.THORACIC, Region.LUMBAR, Region.UNSPECIFIED})


def draft_mri_exists(f: Facts) -> bool:
    """A draft spine MRI (or CT myelography) exists; the engine decides if it is inadequate."""
    kinds = (OrderKind.MRI_SPINE, OrderKind.CT_MYELOGRAPHY)
    return f.context and any(o.in_draft for k in kinds for o in f.pending(k))


MRI_ORDER_REVIEW = Rule(
    id="mri-order-review",
    title="Review the draft spine MRI order",
    version="1.2.0",
    hooks=ORDER_HOOKS,
    requires=TIER_FACTS | {"orders", "back_pain", "radicular_pain", "mri_contraindication"},
    predicate=draft_mri_exists,
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
