"""``dexamethasone`` and ``steroid-lymphoma-caution``.

Sources: NICE NG234 rec. 1.8 (16 mg as soon as possible with neurological symptoms or
signs), Dutch guideline Wervelmetastasen module Corticosteroiden
(https://richtlijnendatabase.nl/richtlijn/wervelmetastasen/behandeling/corticosteroiden.html:
96-100 mg is not better than 16 mg and harms more), CEPO 2012. Steroids before biopsy
can make a lymphoma biopsy non-diagnostic (evidence file §1.1 row 7).
"""

from __future__ import annotations

from functools import partial

from .. import suggestions as fhir
from ..cards import Action
from ..cards import Indicator
from ..facts import Facts
from ..facts import OrderKind
from .base import ALL_HOOKS
from .base import COMMON_REASONS
from .base import Rule
from .base import reason
from .evidence import CEPO_2012
from .evidence import IKNL_STEROIDS
from .evidence import NICE_NG234
from .mri import TierDecision
from .plan import Plan
from .plan import blocked_text
from .render import evidence_refs


def neurology_of_compression(f: Facts) -> bool:
    """With malignant context (cancer or metastatic suspicion), cord compression, any present
    deficit, sphincter loss or bilateral signs.

    Defined on facts, not on MRI cards: an MRI already done changes nothing here. Without
    malignant context (disc-related cauda equina, a benign intradural tumour) the answer is
    surgery, not steroids (1.2).
    """
    malignant = bool(f.cancer or f.metastatic_suspicion)
    return malignant and bool(
        f.cord_compression or f.motor_deficit or f.sphincter_dysfunction or f.bilateral
    )


def needs_dexamethasone(f: Facts) -> bool:
    """Neurology of compression and no active dexamethasone (an order, or one given or taken
    within 24 h); a held order is not active: the card then names it."""
    return neurology_of_compression(f) and not f.pending(OrderKind.DEXAMETHASONE)


def steroids_may_mask_lymphoma(f: Facts) -> bool:
    return needs_dexamethasone(f) and bool(f.lymphoma_suspected)


STEROID_FACTS = frozenset(
    {"cord_compression", "cancer", "metastatic_suspicion", "motor_deficit"}
    | {"sphincter_dysfunction", "bilateral", "orders"}
)


ADULT_DOSE = (
    "Give dexamethasone **16 mg per day** by mouth (8 mg twice daily) as soon as possible and "
    "continue while awaiting definitive treatment, never a 96 mg regimen."
)
CHILD_DOSE = (
    "Start dexamethasone as soon as possible at a weight-based dose agreed with paediatric "
    "oncology, not the adult dose."
)
CARE = (
    "Add proton-pump-inhibitor cover, monitor blood glucose, and stop if compression is excluded."
)


def dexamethasone_plan(facts: Facts, _tier: TierDecision) -> list[Plan]:
    """16 mg/day for adults; no suggestion for a child (weight-based dose, §3) or when a held
    order must be released instead (never a second order beside it). When lymphoma is
    suspected the suggestion is not recommended and the caution card explains why."""
    caution = STEROID_LYMPHOMA_CAUTION.predicate(facts)
    held = blocked_text(facts, (OrderKind.DEXAMETHASONE,), "dexamethasone order")
    child = facts.paediatric
    text = f"{CHILD_DOSE if child else ADULT_DOSE} {CARE}"
    if held:
        text += held
    elif caution:
        text += " Lymphoma is suspected: see the caution card before starting."
    suggest = not (child or held)
    return [
        Plan(
            DEXAMETHASONE,
            "held" if held else ("paediatric" if child else ""),
            label="Start dexamethasone 16 mg/day" if suggest else "",
            recommended=False if caution and suggest else None,
            extra=text,
            deferred=partial(_dexamethasone_action, facts) if suggest else None,
        )
    ]


def lymphoma_caution_plan(facts: Facts, _tier: TierDecision) -> list[Plan]:
    """The caution explains the dexamethasone card: shown exactly when that card is."""
    return [Plan(STEROID_LYMPHOMA_CAUTION, companion_of=DEXAMETHASONE.id)]


def _dexamethasone_action(facts: Facts) -> Action:
    resource = fhir.dexamethasone_request(facts, evidence_refs(DEXAMETHASONE, facts))
    return Action("create", "Order dexamethasone 8 mg twice daily by mouth", resource)


DEXAMETHASONE = Rule(
    id="dexamethasone",
    title="Dexamethasone for suspected cord compression",
    version="1.2.0",
    hooks=ALL_HOOKS,
    requires=STEROID_FACTS,
    predicate=needs_dexamethasone,
    plan=dexamethasone_plan,
    trigger="with suspected or confirmed cancer or metastatic suspicion: cord compression, any present motor deficit (stable too), sphincter dysfunction or bilateral radicular signs; no active dexamethasone (a pending order, or an administration or statement within 24 h). A held order: the card fires without a suggestion and names it. Under 18: no suggestion (weight-based dose)",
    indicator=Indicator.WARNING,
    summary="Start dexamethasone 16 mg/day: neurological signs of spinal cord compression",
    variants={
        "paediatric": "Start dexamethasone (weight-based dose): neurological signs of cord compression",
        "held": "Release the held dexamethasone order: neurological signs of cord compression",
    },
    detail="{extra}",
    suggestion="MedicationRequest dexamethasone 4 mg oral tablet (RxNorm 197582), 8 mg twice daily = 16 mg/day by mouth; isRecommended false when lymphoma is suspected",
    provenance=(NICE_NG234, IKNL_STEROIDS, CEPO_2012),
    override_reasons=(
        reason("steroids-contraindicated", "Steroids contraindicated for this patient"),
        *COMMON_REASONS,
    ),
)


STEROID_LYMPHOMA_CAUTION = Rule(
    id="steroid-lymphoma-caution",
    title="Steroids before tissue when lymphoma is suspected",
    version="1.2.0",
    hooks=ALL_HOOKS,
    requires=STEROID_FACTS | {"lymphoma_suspected"},
    predicate=steroids_may_mask_lymphoma,
    plan=lymphoma_caution_plan,
    trigger="the dexamethasone card fires and lymphoma is suspected but not confirmed",
    indicator=Indicator.WARNING,
    summary="Lymphoma suspected: steroids may make the biopsy non-diagnostic; get tissue first if stable",
    detail=(
        "Lymphoma is suspected but not confirmed, and corticosteroids can make its biopsy "
        "non-diagnostic. If the patient is neurologically stable, obtain tissue before "
        "dexamethasone and discuss with haematology; with progressive neurology do not "
        "delay steroids."
    ),
    suggestion="none on this card; the dexamethasone suggestion is marked isRecommended false",
    provenance=(NICE_NG234, CEPO_2012),
)
