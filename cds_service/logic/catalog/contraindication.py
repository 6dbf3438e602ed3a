"""``mri-contraindicated``: an MRI tier applies but a device or implant rules MRI out.

Sources: NICE NG234 (CT when MRI is contraindicated), ACR Appropriateness Criteria
Myelopathy (CT myelography "may be appropriate"); evidence file §1.1 row 5 and §2.3
(many modern devices are MR-conditional, so the card says *check*, not *never*).
"""

from __future__ import annotations

from ..cards import Indicator
from ..facts import Facts
from .base import ALL_HOOKS
from .base import COMMON_REASONS
from .base import Rule
from .base import reason
from .evidence import ACR_MYELOPATHY
from .evidence import NICE_NG234
from .mri import TIER_FACTS
from .mri import select_tier


def mri_tier_with_contraindication(f: Facts) -> bool:
    """An MRI tier fires and the record shows a pacemaker, ICD or cochlear implant."""
    return bool(f.mri_contraindication) and select_tier(f) is not None


MRI_CONTRAINDICATED = Rule(
    id="mri-contraindicated",
    title="MRI contraindicated: CT myelography instead",
    version="1.1.0",
    hooks=ALL_HOOKS,
    requires=TIER_FACTS | {"mri_contraindication", "back_pain", "radicular_pain"},
    predicate=mri_tier_with_contraindication,
    trigger="an MRI tier fires and the record shows a pacemaker, implantable defibrillator or cochlear implant",
    indicator=Indicator.WARNING,
    summary="MRI may be contraindicated (implanted device): CT myelography suggested instead",
    variants={
        "pending-mri": "A spine MRI is pending but the patient has an implanted device: check MR conditionality",
    },
    detail=(
        "The record shows an implanted device that may make MRI unsafe. Check the device's "
        "MR-conditional labelling with radiology first: many modern devices can be scanned. "
        "If MRI is not possible, image with CT myelography at the same priority (NICE: CT; "
        "myelography at a spinal or neuroscience centre).{extra}"
    ),
    suggestion="none on this card; the MRI tier card suggests CT myelography (LOINC 47985-7 or the region's CT W contrast IT code) at the tier's priority",
    provenance=(NICE_NG234, ACR_MYELOPATHY),
    override_reasons=(
        reason("mr-conditional", "Device is MR-conditional: MRI is safe"),
        *COMMON_REASONS,
    ),
)
