"""``tissue-diagnosis``: no confirmed primary behind a spinal metastasis or malignant mass.

Sources: Dutch guideline Wervelmetastasen, module Diagnostiek bij onduidelijke origine;
Wanman 2017 (Acta Orthop 88:457); CEPO 2012 (histology before treatment).
"""

from __future__ import annotations

from .. import suggestions as fhir
from ..cards import Indicator
from ..facts import Certainty
from ..facts import Facts
from ..facts import OrderKind
from .base import ALL_HOOKS
from .base import Rule
from .evidence import CEPO_2012
from .evidence import IKNL_UNKNOWN_PRIMARY
from .mri import TierDecision
from .plan import Plan
from .plan import referral_plan


def unexplained_lesions(f: Facts) -> tuple[str, ...]:
    """Refs of the lesions without a confirmed primary: metastases, unknown primaries and
    suspected malignant spine masses (presumed MSCC included)."""
    suspected = [
        e.ref
        for e in f.spine_mass.tagged("malignant").evidence
        if e.certainty is Certainty.SUSPECTED
    ]
    return tuple(dict.fromkeys([*f.metastasis_or_unknown_primary.refs, *suspected]))


def only_intradural(f: Facts) -> bool:
    """Every unexplained lesion is a suspected intradural one: no CT-guided biopsy (1.2);
    tissue comes from neurosurgical biopsy or resection."""
    lesions = unexplained_lesions(f)
    intradural = set(f.intradural_suspected.refs)
    return bool(lesions) and all(ref in intradural for ref in lesions)


def needs_tissue_diagnosis(f: Facts) -> bool:
    """Metastasis, unknown primary or a suspected malignant spine mass; no confirmed primary.

    A pending spine biopsy addresses the card (the spec is silent; a second biopsy order
    would be a duplicate, and the order hooks must never suggest one).
    """
    suspected_malignant_mass = any(
        e.certainty is Certainty.SUSPECTED for e in f.spine_mass.tagged("malignant").evidence
    )
    unexplained = bool(f.metastasis_or_unknown_primary) or suspected_malignant_mass
    return unexplained and not f.confirmed_primary and not f.pending(OrderKind.SPINE_BIOPSY)


CT_BIOPSY = (
    "No confirmed primary malignancy explains the spinal lesion: obtain histology (CT-guided "
    "biopsy of the vertebral or extradural lesion, or tissue at surgery) before non-surgical "
    "definitive treatment. Do not delay emergency decompression for it."
)
NEUROSURGICAL_BIOPSY = (
    "No confirmed primary malignancy explains the suspected intradural lesion: tissue comes "
    "from neurosurgical biopsy or resection, not a CT-guided biopsy. Discuss with "
    "neurosurgery before non-surgical definitive treatment."
)


def tissue_plan(facts: Facts, _tier: TierDecision) -> list[Plan]:
    """CT-guided biopsy for a vertebral, extradural or unknown-site lesion; for a suspected
    intradural lesion alone no suggestion: tissue comes from neurosurgery (1.2)."""
    intradural = only_intradural(facts)
    plan = referral_plan(
        facts,
        TISSUE_DIAGNOSIS,
        fhir.BIOPSY,
        OrderKind.SPINE_BIOPSY,
        text=NEUROSURGICAL_BIOPSY if intradural else CT_BIOPSY,
        variant="intradural" if intradural else "",
        suggest=not intradural,
    )
    return [plan]


TISSUE_DIAGNOSIS = Rule(
    id="tissue-diagnosis",
    title="Tissue diagnosis before treatment",
    version="1.2.0",
    hooks=ALL_HOOKS,
    requires=frozenset({"metastasis_or_unknown_primary", "spine_mass", "confirmed_primary"})
    | {"orders", "intradural_suspected"},
    predicate=needs_tissue_diagnosis,
    plan=tissue_plan,
    trigger="a metastasis or unknown-primary Condition, or a suspected malignant spine mass (presumed MSCC included), and no confirmed primary malignancy (remission and a Z85 history count as confirmed); no spine biopsy pending. CT-guided biopsy only for a vertebral, extradural or unknown-site lesion: when every such lesion is a suspected intradural one, no suggestion and the detail names neurosurgical biopsy or resection",
    indicator=Indicator.WARNING,
    summary="No confirmed primary tumour: obtain tissue (CT-guided spine biopsy) before non-surgical treatment",
    variants={
        "intradural": "No confirmed primary tumour: tissue by neurosurgical biopsy or resection before treatment",
    },
    detail="{extra}",
    suggestion="ServiceRequest CT-guided biopsy of spine (LOINC 24986-2), priority urgent; none when the only lesion is a suspected intradural one",
    provenance=(IKNL_UNKNOWN_PRIMARY, CEPO_2012),
)
