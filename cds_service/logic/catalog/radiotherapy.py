"""``radiotherapy-referral``: radiosensitive histology (lymphoma, myeloma) in the spine.

Sources: NOMS (Laufer 2013, doi:10.1634/theoncologist.2012-0293): radiosensitive
histologies get conventional radiotherapy; CEPO 2012: RT with steroids and chemotherapy
for myeloma and lymphoma without instability; Patchell 2005 excluded them from surgery.
"""

from __future__ import annotations

from .. import suggestions as fhir
from ..cards import Indicator
from ..facts import Facts
from ..facts import OrderKind
from .base import ALL_HOOKS
from .base import Rule
from .evidence import CEPO_2012
from .evidence import NOMS_2013
from .mri import TierDecision
from .plan import Plan
from .plan import referral_plan


def needs_radiotherapy_referral(f: Facts) -> bool:
    """Radiosensitive histology involving the spine, stable spine, no RT referral pending."""
    # Spinal metastases (vertebral column, cord, meninges) are spine_mass evidence already.
    spine_involved = bool(f.spine_mass or f.cord_compression or f.vertebral_malignancy)
    return (
        bool(f.radiosensitive_histology)
        and spine_involved
        and not f.instability
        and not f.pending(OrderKind.REFERRAL_RADIOTHERAPY)
    )


def radiotherapy_plan(facts: Facts, _tier: TierDecision) -> list[Plan]:
    """An urgent referral; none while a held referral must be released instead."""
    return [
        referral_plan(
            facts,
            RADIOTHERAPY_REFERRAL,
            fhir.REFERRAL_RADIOTHERAPY,
            OrderKind.REFERRAL_RADIOTHERAPY,
        )
    ]


RADIOTHERAPY_REFERRAL = Rule(
    id="radiotherapy-referral",
    title="Referral to radiotherapy",
    version="1.2.0",
    hooks=ALL_HOOKS,
    requires=frozenset(
        {"radiosensitive_histology", "spine_mass", "cord_compression"}
        | {"vertebral_malignancy", "instability", "orders"}
    ),
    predicate=needs_radiotherapy_referral,
    plan=radiotherapy_plan,
    trigger="confirmed lymphoma or myeloma/plasmacytoma with spine involvement (spine mass, cord compression or spinal metastasis), no instability, no radiotherapy referral pending",
    indicator=Indicator.INFO,
    summary="Refer to radiotherapy: radiosensitive tumour (lymphoma or myeloma) in the spine",
    detail=(
        "Lymphoma and myeloma are radiosensitive: without spinal instability, radiotherapy "
        "(with steroids and systemic therapy) is the primary treatment rather than surgery."
    ),
    suggestion="ServiceRequest referral to radiotherapist (SNOMED 306256000), priority urgent",
    provenance=(NOMS_2013, CEPO_2012),
)
