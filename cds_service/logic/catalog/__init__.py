"""The rule catalog: every card topic of CLINICAL-RULES.md §2, as data.

One module per topic family; :data:`RULES` lists them in card order. The engine
(:mod:`cds_service.logic.engine`) applies the cross-card rules.
"""

from __future__ import annotations

from .ambulatory import AMBULATORY_STATUS
from .base import CatalogError
from .base import Provenance
from .base import Rule
from .contraindication import MRI_CONTRAINDICATED
from .mri import TIERS
from .order_review import MRI_ORDER_REVIEW
from .radiotherapy import RADIOTHERAPY_REFERRAL
from .stability import STABILITY_ASSESSMENT
from .steroids import DEXAMETHASONE
from .steroids import STEROID_LYMPHOMA_CAUTION
from .surgical import SURGICAL_REFERRAL
from .tissue import TISSUE_DIAGNOSIS
from .xray import XRAY_INSUFFICIENT

__all__ = ["RULES", "TOPIC_CODES", "BY_ID", "CatalogError", "Provenance", "Rule"]

RULES: tuple[Rule, ...] = (
    *(t.rule for t in TIERS),
    MRI_CONTRAINDICATED,
    DEXAMETHASONE,
    STEROID_LYMPHOMA_CAUTION,
    SURGICAL_REFERRAL,
    RADIOTHERAPY_REFERRAL,
    TISSUE_DIAGNOSIS,
    STABILITY_ASSESSMENT,
    AMBULATORY_STATUS,
    XRAY_INSUFFICIENT,
    MRI_ORDER_REVIEW,
)

#: The card-topic codes of CLINICAL-RULES.md §2, exactly; start-up checks the catalog
#: implements each one once.
TOPIC_CODES: tuple[str, ...] = (
    "mri-12h",
    "mri-24h",
    "mri-48h",
    "mri-1w",
    "mri-2w",
    "mri-contraindicated",
    "dexamethasone",
    "steroid-lymphoma-caution",
    "surgical-referral",
    "radiotherapy-referral",
    "tissue-diagnosis",
    "stability-assessment",
    "ambulatory-status",
    "xray-insufficient",
    "mri-order-review",
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
