"""Card plans that do not depend on imaging orders: steroids, referrals, tissue, status."""

from __future__ import annotations

from functools import partial

from .. import suggestions as fhir
from ..cards import Action
from ..cards import Indicator
from ..facts import Ambulatory
from ..facts import Facts
from ..facts import Priority
from .ambulatory import AMBULATORY_STATUS
from .base import Rule
from .plans import Plan
from .radiotherapy import RADIOTHERAPY_REFERRAL
from .render import ambulatory_text
from .render import evidence_refs
from .stability import STABILITY_ASSESSMENT
from .steroids import DEXAMETHASONE
from .steroids import STEROID_LYMPHOMA_CAUTION
from .steroids import steroids_may_mask_lymphoma
from .surgical import ELDERLY_AGE
from .surgical import HEMILAMINECTOMY_NOTE
from .surgical import SURGICAL_REFERRAL
from .surgical import surgical_indications
from .tissue import TISSUE_DIAGNOSIS


def therapy_plans(facts: Facts) -> list[Plan]:
    """Plan the cards that do not depend on imaging orders."""
    plans: list[Plan] = []
    if DEXAMETHASONE.predicate(facts):
        caution = steroids_may_mask_lymphoma(facts)
        plans.append(
            Plan(
                DEXAMETHASONE,
                label="Start dexamethasone 16 mg/day",
                recommended=False if caution else None,
                extra=(
                    "\n\nLymphoma is suspected: see the caution card before starting."
                    if caution
                    else ""
                ),
                deferred=partial(_dexamethasone_action, facts),
            )
        )
        if caution:
            plans.append(Plan(STEROID_LYMPHOMA_CAUTION, companion_of=DEXAMETHASONE.id))
    if SURGICAL_REFERRAL.predicate(facts):
        plans.append(_surgical_plan(facts))
    if RADIOTHERAPY_REFERRAL.predicate(facts):
        plans.append(_referral_plan(facts, RADIOTHERAPY_REFERRAL, fhir.REFERRAL_RADIOTHERAPY))
    if TISSUE_DIAGNOSIS.predicate(facts):
        plans.append(_referral_plan(facts, TISSUE_DIAGNOSIS, fhir.BIOPSY))
    if STABILITY_ASSESSMENT.predicate(facts):
        plans.append(Plan(STABILITY_ASSESSMENT))
    if AMBULATORY_STATUS.predicate(facts):
        variant = "" if facts.ambulatory is Ambulatory.AMBULATORY else facts.ambulatory.value
        plans.append(Plan(AMBULATORY_STATUS, variant, extra=ambulatory_text(facts)))
    return plans


def _dexamethasone_action(facts: Facts) -> Action:
    resource = fhir.dexamethasone_request(facts, evidence_refs(DEXAMETHASONE, facts))
    return Action("create", "Order dexamethasone 8 mg twice daily by mouth", resource)


def _referral_action(
    facts: Facts, rule: Rule, concept: tuple[str, str, str], priority: Priority
) -> Action:
    """The one suggestion of a referral or biopsy card: a draft ServiceRequest."""
    resource = fhir.service_request(facts, concept, priority, reasons=evidence_refs(rule, facts))
    return Action("create", f"Order: {concept[2]}", resource)


def _referral_plan(facts: Facts, rule: Rule, concept: tuple[str, str, str]) -> Plan:
    """A card whose one suggestion creates a ServiceRequest (referral or biopsy)."""
    action = partial(_referral_action, facts, rule, concept, Priority.URGENT)
    return Plan(rule, label=concept[2], deferred=action)


def _surgical_plan(facts: Facts) -> Plan:
    """Critical, and a stat referral, when cord compression is suspected or confirmed."""
    compressed = bool(facts.cord_compression)
    # The spec gives no referral priority: stat with compression (the card is critical),
    # urgent otherwise (progressive deficits and instability should not wait for routine).
    priority = Priority.STAT if compressed else Priority.URGENT
    concept = fhir.REFERRAL_NEUROSURGERY
    age = facts.age
    return Plan(
        SURGICAL_REFERRAL,
        "critical" if compressed else "",
        label=concept[2],
        indicator=Indicator.CRITICAL if compressed else None,
        extra="; ".join(surgical_indications(facts)),
        age_note=HEMILAMINECTOMY_NOTE.format(age=age)
        if age is not None and age >= ELDERLY_AGE
        else "",
        deferred=partial(_referral_action, facts, SURGICAL_REFERRAL, concept, priority),
    )
