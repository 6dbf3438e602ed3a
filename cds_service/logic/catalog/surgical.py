"""``surgical-referral``: instability, progressive deficit, confirmed compression, ...

Sources: Patchell 2005 (Lancet 366:643, https://pubmed.ncbi.nlm.nih.gov/16112300/):
surgery plus radiotherapy keeps patients walking; SINS (Fisher 2010): surgical
consultation for SINS >= 7; NOMS (Laufer 2013). Benign intradural tumours: resection is
standard; minimally invasive hemilaminectomy for the elderly (evidence file §1.1 row 9).
"""

from __future__ import annotations

from .. import suggestions as fhir
from ..cards import Indicator
from ..facts import Facts
from ..facts import OrderKind
from ..facts import Priority
from .base import ALL_HOOKS
from .base import COMMON_REASONS
from .base import Rule
from .base import reason
from .evidence import NOMS_2013
from .evidence import PATCHELL_2005
from .evidence import SINS_FISHER_2010
from .mri import TierDecision
from .plan import Plan
from .plan import referral_plan

ELDERLY_AGE = 65


def deficit_progressive(f: Facts) -> bool:
    """A present deficit that is not documented as stable (unknown counts as progressive)."""
    return bool(f.motor_deficit) and f.deficit_course.counts_as_progressive


def surgical_indications(f: Facts) -> tuple[str, ...]:
    """Name every surgical indication that holds, for the card detail."""
    named = (
        ("spinal instability (SINS >= 7 or a coded instability)", bool(f.instability)),
        ("progressive (or not documented stable) motor deficit", deficit_progressive(f)),
        ("confirmed spinal cord or cauda equina compression", f.cord_compression.confirmed),
        ("presumed metastatic spinal cord compression", bool(f.mscc)),
        ("symptomatic benign intradural tumour", bool(f.benign_intradural) and f.symptomatic),
        (
            "progression after radiotherapy",
            bool(f.prior_radiotherapy) and deficit_progressive(f),
        ),
    )
    return tuple(text for text, holds in named if holds)


def needs_surgical_referral(f: Facts) -> bool:
    return (
        bool(f.spine_mass)
        and bool(surgical_indications(f))
        and not f.pending(OrderKind.REFERRAL_NEUROSURGERY)
    )


def urgent_today(f: Facts) -> bool:
    """ "Discuss today" only when the card is critical (compression) or the deficit progressive."""
    return bool(f.cord_compression) or deficit_progressive(f)


def hemilaminectomy_fits(f: Facts) -> bool:
    """Only a benign intradural tumour, at 65 or older, without instability (1.2): never for
    metastases or an unstable spine, never for a child."""
    return (
        bool(f.benign_intradural)
        and f.age is not None
        and f.age >= ELDERLY_AGE
        and not f.instability
    )


HEMILAMINECTOMY_NOTE = (
    " At {age} years with a benign intradural tumour, consider minimally invasive "
    "hemilaminectomy: outcomes comparable to laminectomy with less surgical load."
)


def surgical_plan(facts: Facts, _tier: TierDecision) -> list[Plan]:
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
    plan = referral_plan(
        facts,
        SURGICAL_REFERRAL,
        fhir.REFERRAL_NEUROSURGERY,
        OrderKind.REFERRAL_NEUROSURGERY,
        text=text,
        variant="critical" if compressed else "",
        priority=Priority.STAT if compressed else Priority.URGENT,
        indicator=Indicator.CRITICAL if compressed else None,
    )
    return [plan]


SURGICAL_REFERRAL = Rule(
    id="surgical-referral",
    title="Referral to neurosurgery",
    version="1.2.0",
    hooks=ALL_HOOKS,
    requires=frozenset(
        {"spine_mass", "instability", "motor_deficit", "deficit_course", "cord_compression"}
        | {"benign_intradural", "back_pain", "radicular_pain", "sphincter_dysfunction"}
        | {"prior_radiotherapy", "orders", "age", "mscc", "cancer"}
    ),
    predicate=needs_surgical_referral,
    plan=surgical_plan,
    trigger="spine mass (including via presumed MSCC or a spinal bone metastasis) and any of: instability; a progressive (not stable) deficit; confirmed cord compression, or presumed MSCC suspected or confirmed; a symptomatic benign intradural tumour; progression after radiotherapy; no neurosurgery referral pending (a held one addresses nothing). Critical when cord compression is suspected or confirmed. Discuss today only when critical or progressive; hemilaminectomy only for a benign intradural tumour at 65 or older without instability",
    indicator=Indicator.WARNING,
    summary="Refer to neurosurgery: spine mass with a surgical indication",
    variants={"critical": "Refer to neurosurgery now: spine mass with spinal cord compression"},
    detail="{extra}{age_note}",
    suggestion="ServiceRequest referral to neurosurgeon (SNOMED 308482002), priority urgent (stat with cord compression)",
    provenance=(PATCHELL_2005, SINS_FISHER_2010, NOMS_2013),
    override_reasons=(
        reason("not-surgical-candidate", "Not a surgical candidate (prognosis, paraplegia > 48 h)"),
        *COMMON_REASONS,
    ),
)
