"""The rule catalog: every card topic of CLINICAL-RULES.md §2, as data.

One module per topic family, each holding its rules' records, predicates and plans;
:data:`RULES` is the one list of them, in card order, and :func:`plan_cards` runs each
rule's plan when its predicate holds. The engine (:mod:`cds_service.logic.engine`) and its
passes (:mod:`cds_service.logic.passes`) import only the names in ``__all__``, never a
rule module: adding a rule is its module and one line in :data:`RULES`.
"""

from __future__ import annotations

from ..facts import Facts
from .ambulatory import AMBULATORY_STATUS
from .base import CatalogError
from .base import Planner
from .base import Provenance
from .base import Rule
from .contraindication import MRI_CONTRAINDICATED
from .mri import TIERS
from .mri import TierDecision
from .mri import decide_tier
from .order_review import MRI_ORDER_REVIEW
from .orders import relevant_drafts
from .plan import Plan
from .radiotherapy import RADIOTHERAPY_REFERRAL
from .render import Why
from .render import detail
from .stability import STABILITY_ASSESSMENT
from .steroids import DEXAMETHASONE
from .steroids import STEROID_LYMPHOMA_CAUTION
from .surgical import SURGICAL_REFERRAL
from .tissue import TISSUE_DIAGNOSIS
from .validate import validate_catalog
from .xray import XRAY_INSUFFICIENT

__all__ = [
    "RULES",
    "TIER_IDS",
    "TOPIC_CODES",
    "BY_ID",
    "CatalogError",
    "Plan",
    "Provenance",
    "Rule",
    "TierDecision",
    "Why",
    "detail",
    "plan_cards",
    "relevant_drafts",
    "validate_catalog",
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
    """Every card the facts call for, before the engine's passes (hooks, swap, companions).

    The MRI tier is decided once, for every plan that hinges on it. A plan shared by
    several rules (the five tiers) runs once, for the first of them whose predicate holds.
    """
    decision = decide_tier(facts)
    plans: list[Plan] = []
    planned: set[Planner] = set()
    for rule in RULES:
        if rule.plan not in planned and rule.predicate(facts):
            planned.add(rule.plan)
            plans += rule.plan(facts, decision)
    return plans
