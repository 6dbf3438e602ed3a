"""``tissue-diagnosis``: no confirmed primary behind a spinal metastasis or malignant mass.

Sources: Dutch guideline Wervelmetastasen, module Diagnostiek bij onduidelijke origine;
Wanman 2017 (Acta Orthop 88:457); CEPO 2012 (histology before treatment).
"""

from __future__ import annotations

from ..cards import Indicator
from ..facts import Certainty
from ..facts import Facts
from ..facts import OrderKind
from .base import ALL_HOOKS
from .base import Rule
from .evidence import CEPO_2012
from .evidence import IKNL_UNKNOWN_PRIMARY


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


TISSUE_DIAGNOSIS = Rule(
    id="tissue-diagnosis",
    title="Tissue diagnosis before treatment",
    version="1.1.0",
    hooks=ALL_HOOKS,
    requires=frozenset({"metastasis_or_unknown_primary", "spine_mass", "confirmed_primary"})
    | {"orders"},
    predicate=needs_tissue_diagnosis,
    trigger="a metastasis or unknown-primary Condition, or a suspected malignant spine mass, and no confirmed primary malignancy; no spine biopsy pending",
    indicator=Indicator.WARNING,
    summary="No confirmed primary tumour: obtain tissue (CT-guided spine biopsy) before non-surgical treatment",
    detail=(
        "No confirmed primary malignancy explains the spinal lesion. Obtain histology "
        "(CT-guided biopsy of the spinal lesion, or tissue at surgery) before non-surgical "
        "definitive treatment: histology decides between surgery, radiotherapy and systemic "
        "therapy. Do not delay emergency decompression for it."
    ),
    suggestion="ServiceRequest CT-guided biopsy of spine (LOINC 24986-2), priority urgent",
    provenance=(IKNL_UNKNOWN_PRIMARY, CEPO_2012),
)
