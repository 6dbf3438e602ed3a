"""The rule catalog: every card topic of CLINICAL-RULES.md §2, as data.

One module per topic family, each holding its rules' records, predicates and plans;
:data:`RULES` lists them in card order and :func:`plan_cards` gathers their plans. The
engine (:mod:`cds_service.logic.engine`) imports no rule module: it applies the
cross-card rules over these plans.
"""

from __future__ import annotations

from ..facts import Facts
from .ambulatory import AMBULATORY_STATUS
from .base import CatalogError
from .base import Provenance
from .base import Rule
from .contraindication import MRI_CONTRAINDICATED
from .mri import TIERS
from .order_review import MRI_ORDER_REVIEW
from .plan import Plan
from .plans import imaging_plans
from .radiotherapy import RADIOTHERAPY_REFERRAL
from .stability import STABILITY_ASSESSMENT
from .steroids import DEXAMETHASONE
from .steroids import STEROID_LYMPHOMA_CAUTION
from .surgical import SURGICAL_REFERRAL
from .therapy import therapy_plans
from .tissue import TISSUE_DIAGNOSIS
from .xray import XRAY_INSUFFICIENT
from .xray import xray_plan

__all__ = [
    "RULES",
    "TIER_IDS",
    "TOPIC_CODES",
    "BY_ID",
    "CatalogError",
    "Provenance",
    "Rule",
    "plan_cards",
]

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

#: The MRI tier topics: one MRI, so a card carrying the tier's MRI takes their place.
TIER_IDS = frozenset(t.rule.id for t in TIERS)


def plan_cards(facts: Facts) -> list[Plan]:
    """Every card the facts call for, before the engine's hook filters and policies.

    The X-ray card reuses the tier's ``create`` (one MRI, never two) and judges draft
    orders, so it is planned on the order hooks only.
    """
    plans, tier, create = imaging_plans(facts)
    plans += therapy_plans(facts)
    if facts.hook != "patient-view":
        xray = xray_plan(facts, tier, create)
        plans += [xray] if xray else []
    return plans
