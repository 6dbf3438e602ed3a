"""Card plans that do not depend on imaging orders: steroids, referrals, tissue, status."""

from __future__ import annotations

from functools import partial

from .. import suggestions as fhir
from ..cards import Action
from ..cards import Indicator
from ..facts import Ambulatory
from ..facts import Facts
from ..facts import OrderKind
from ..facts import Priority
from .ambulatory import AMBULATORY_STATUS
from .base import Rule
from .plans import Plan
from .plans import blocked_text
from .radiotherapy import RADIOTHERAPY_REFERRAL
from .render import ambulatory_text
from .render import evidence_refs
from .stability import STABILITY_ASSESSMENT
from .steroids import ADULT_DOSE
from .steroids import CARE
from .steroids import CHILD_DOSE
from .steroids import DEXAMETHASONE
from .steroids import STEROID_LYMPHOMA_CAUTION
from .surgical import HEMILAMINECTOMY_NOTE
from .surgical import SURGICAL_REFERRAL
from .surgical import hemilaminectomy_fits
from .surgical import surgical_indications
from .surgical import urgent_today
from .tissue import CT_BIOPSY
from .tissue import NEUROSURGICAL_BIOPSY
from .tissue import TISSUE_DIAGNOSIS
from .tissue import only_intradural


def therapy_plans(facts: Facts) -> list[Plan]:
    """Plan the cards that do not depend on imaging orders."""
    plans: list[Plan] = []
    if DEXAMETHASONE.predicate(facts):
        caution = STEROID_LYMPHOMA_CAUTION.predicate(facts)
        plans.append(_dexamethasone_plan(facts, caution))
        if caution:
            plans.append(Plan(STEROID_LYMPHOMA_CAUTION, companion_of=DEXAMETHASONE.id))
    if SURGICAL_REFERRAL.predicate(facts):
        plans.append(_surgical_plan(facts))
    if RADIOTHERAPY_REFERRAL.predicate(facts):
        plans.append(
            _referral_plan(
                facts,
                RADIOTHERAPY_REFERRAL,
                fhir.REFERRAL_RADIOTHERAPY,
                OrderKind.REFERRAL_RADIOTHERAPY,
            )
        )
    if TISSUE_DIAGNOSIS.predicate(facts):
        plans.append(_tissue_plan(facts))
    if STABILITY_ASSESSMENT.predicate(facts):
        plans.append(Plan(STABILITY_ASSESSMENT))
    if AMBULATORY_STATUS.predicate(facts):
        variant = "" if facts.ambulatory is Ambulatory.AMBULATORY else facts.ambulatory.value
        plans.append(Plan(AMBULATORY_STATUS, variant, extra=ambulatory_text(facts)))
    return plans


def _dexamethasone_plan(facts: Facts, caution: bool) -> Plan:
    """16 mg/day for adults; no suggestion for a child (weight-based dose, §3) or when a held
    order must be released instead (never a second order beside it)."""
    held = blocked_text(facts, (OrderKind.DEXAMETHASONE,), "dexamethasone order")
    child = facts.paediatric
    text = f"{CHILD_DOSE if child else ADULT_DOSE} {CARE}"
    if held:
        text += held
    elif caution:
        text += " Lymphoma is suspected: see the caution card before starting."
    suggest = not (child or held)
    return Plan(
        DEXAMETHASONE,
        "held" if held else ("paediatric" if child else ""),
        label="Start dexamethasone 16 mg/day" if suggest else "",
        recommended=False if caution and suggest else None,
        extra=text,
        deferred=partial(_dexamethasone_action, facts) if suggest else None,
    )


def _dexamethasone_action(facts: Facts) -> Action:
    resource = fhir.dexamethasone_request(facts, evidence_refs(DEXAMETHASONE, facts))
    return Action("create", "Order dexamethasone 8 mg twice daily by mouth", resource)


def _referral_action(
    facts: Facts, rule: Rule, concept: tuple[str, str, str], priority: Priority
) -> Action:
    """The one suggestion of a referral or biopsy card: a draft ServiceRequest."""
    resource = fhir.service_request(facts, concept, priority, reasons=evidence_refs(rule, facts))
    return Action("create", f"Order: {concept[2]}", resource)


def _referral_plan(
    facts: Facts,
    rule: Rule,
    concept: tuple[str, str, str],
    kind: OrderKind,
    *,
    text: str = "",
    variant: str = "",
    priority: Priority = Priority.URGENT,
    indicator: Indicator | None = None,
    suggest: bool = True,
) -> Plan:
    """A card whose one suggestion creates a ServiceRequest (referral or biopsy); none when a
    held order of that kind is on record (the card names it instead)."""
    held = blocked_text(facts, (kind,), "order")
    action = partial(_referral_action, facts, rule, concept, priority)
    return Plan(
        rule,
        variant,
        label=concept[2] if suggest and not held else "",
        indicator=indicator,
        extra=text + held,
        deferred=action if suggest and not held else None,
    )


def _tissue_plan(facts: Facts) -> Plan:
    """CT-guided biopsy for a vertebral, extradural or unknown-site lesion; for a suspected
    intradural lesion alone no suggestion: tissue comes from neurosurgery (1.2)."""
    intradural = only_intradural(facts)
    return _referral_plan(
        facts,
        TISSUE_DIAGNOSIS,
        fhir.BIOPSY,
        OrderKind.SPINE_BIOPSY,
        text=NEUROSURGICAL_BIOPSY if intradural else CT_BIOPSY,
        variant="intradural" if intradural else "",
        suggest=not intradural,
    )


def _surgical_plan(facts: Facts) -> Plan:
    """Critical, and a stat referral, when cord compression is suspected or confirmed."""
    compressed = bool(facts.cord_compression)
    # The spec gives no referral priority: stat with compression (the card is critical),
    # urgent otherwise (progressive deficits and instability should not wait for routine).
    opening = (
        "Discuss with the spinal surgeon **today**"
        if urgent_today(facts)
        else "Refer for a surgical opinion"
    )
    text = f"{opening}: {'; '.join(surgical_indications(facts))}."
    if hemilaminectomy_fits(facts):
        text += HEMILAMINECTOMY_NOTE.format(age=facts.age)
    return _referral_plan(
        facts,
        SURGICAL_REFERRAL,
        fhir.REFERRAL_NEUROSURGERY,
        OrderKind.REFERRAL_NEUROSURGERY,
        text=text,
        variant="critical" if compressed else "",
        priority=Priority.STAT if compressed else Priority.URGENT,
        indicator=Indicator.CRITICAL if compressed else None,
    )
