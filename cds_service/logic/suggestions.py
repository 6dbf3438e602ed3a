"""The FHIR R4 resources the cards suggest, built from facts (no I/O, no pydantic).

Every code here comes from CLINICAL-RULES.md or docs/clinical-evidence-and-codes.md
(§2.4 imaging LOINC, §2.5 RxNorm, §2.6 SNOMED referrals). The oral route SNOMED code
is not in the evidence file, so the route is text only. Resources are plain dicts;
start-up validates one of each with ``fhir.resources.R4B`` (:mod:`.catalog.validate`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import lru_cache
from typing import Any

from .facts import Facts
from .facts import Priority
from .facts import Region
from .systems import LOINC
from .systems import RXNORM
from .systems import SNOMED
from .systems import UCUM

#: MR WO contrast by region (evidence file §2.4): the default (§2 contrast rule, 1.2).
MRI_CODES: dict[Region, tuple[str, str]] = {
    Region.WHOLE: ("30854-4", "MR Cervical and thoracic and lumbar spine WO contrast"),
    Region.CERVICAL: ("30667-0", "MR Cervical spine WO contrast"),
    Region.THORACIC: ("36532-0", "MR Thoracic spine WO contrast"),
    Region.LUMBAR: ("30679-5", "MR Lumbar spine WO contrast"),
}
#: MR WO and W contrast IV by region: only when an intradural tumour is suspected.
MRI_CONTRAST_CODES: dict[Region, tuple[str, str]] = {
    Region.WHOLE: ("30855-1", "MR Cervical and thoracic and lumbar spine WO and W contrast IV"),
    Region.CERVICAL: ("24937-5", "MR Cervical spine WO and W contrast IV"),
    Region.THORACIC: ("24981-3", "MR Thoracic spine WO and W contrast IV"),
    Region.LUMBAR: ("24967-2", "MR Lumbar spine WO and W contrast IV"),
}
#: CT W contrast IT (CT myelography) by region (evidence file §2.4).
CT_MYELO_CODES: dict[Region, tuple[str, str]] = {
    Region.WHOLE: ("47985-7", "CT Spine W contrast IT"),
    Region.CERVICAL: ("24934-2", "CT Cervical spine W contrast IT"),
    Region.THORACIC: ("30596-1", "CT Thoracic spine W contrast IT"),
    Region.LUMBAR: ("24965-6", "CT Lumbar spine W contrast IT"),
}
BIOPSY = (LOINC, "24986-2", "CT Guidance for biopsy of Spine")
REFERRAL_NEUROSURGERY = (SNOMED, "308482002", "Referral to neurosurgeon")
REFERRAL_RADIOTHERAPY = (SNOMED, "306256000", "Referral to radiotherapist")
DEXAMETHASONE_4MG = (RXNORM, "197582", "dexamethasone 4 MG Oral Tablet")

CT_NOTE = (
    "MRI contraindicated (implanted device): CT myelography of the spine; check the "
    "device's MR-conditional labelling first. Plain radiographs do not replace it."
)
DEXAMETHASONE_NOTE = (
    "16 mg/day: 8 mg (2 x 4 mg tablets) by mouth twice daily while awaiting definitive "
    "treatment. Add proton-pump-inhibitor cover, monitor blood glucose, stop if cord "
    "compression is excluded, reduce after surgery or start of radiotherapy. Never 96 mg."
)


def fhir_date(moment: datetime) -> str:
    """The day of a moment, ``YYYY-MM-DD`` (a FHIR date; the day cards show).

    Written as ``strftime("%Y-%m-%d")`` writes it on Linux (a year before 1000 unpadded),
    without strftime's cost.
    """
    return f"{moment.year}-{moment.month:02}-{moment.day:02}"


@lru_cache(maxsize=16)
def fhir_instant(moment: datetime) -> str:
    """Render an aware datetime as a FHIR dateTime in UTC, seconds precision.

    Cached (a few entries): every suggestion of a call renders the same ``now``.
    """
    utc = moment.astimezone(UTC)
    return f"{fhir_date(utc)}T{utc.time().isoformat('seconds')}Z"


def imaging_region(facts: Facts) -> Region:
    """Whole spine with metastatic suspicion; else the one symptom region; else whole."""
    if facts.metastatic_suspicion:
        return Region.WHOLE
    regions = facts.symptom_regions - {Region.WHOLE, Region.UNSPECIFIED}
    return next(iter(regions)) if len(regions) == 1 else Region.WHOLE


def mri_code(facts: Facts, region: Region) -> tuple[str, str]:
    """The MRI code of a region: without contrast unless an intradural tumour is suspected."""
    return (MRI_CONTRAST_CODES if facts.intradural_suspected else MRI_CODES)[region]


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


_REASON_TYPES = ("Condition/", "Observation/")


def _references(refs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """``reasonReference`` entries for the Conditions/Observations behind a card."""
    seen: dict[str, str] = {}
    for ref, label in refs:
        if ref not in seen and ref.startswith(_REASON_TYPES):
            seen[ref] = label
    return [{"reference": ref, "display": label} for ref, label in seen.items()]


def service_request(
    facts: Facts,
    concept: tuple[str, str, str],
    priority: Priority,
    *,
    reasons: Iterable[tuple[str, str]] = (),
    window: timedelta | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Return a draft ServiceRequest order for the patient (status draft, intent order)."""
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "status": "draft",
        "intent": "order",
        "priority": priority.code,
        "code": _concept(*concept),
        "subject": {"reference": f"Patient/{facts.patient_id}"},
        "authoredOn": fhir_instant(facts.now),
    }
    if window is not None:
        resource["occurrencePeriod"] = {
            "start": fhir_instant(facts.now),
            "end": fhir_instant(facts.now + window),
        }
    if refs := _references(reasons):
        resource["reasonReference"] = refs
    if note:
        resource["note"] = [{"text": note}]
    return resource


def protocol_note(*, whole: bool, contrast: bool) -> str:
    """The MRI protocol note (``ServiceRequest.note``), agreeing with the order's code (§2).

    Sagittal T1 and T2/STIR (of the whole spine only when the code is whole spine), axial T2
    through the level of concern, and gadolinium only when the code says so.
    """
    extent = " of the whole spine" if whole else " of the region"
    agent = (
        "; before and after intravenous gadolinium (an intradural tumour is suspected)"
        if contrast
        else "; no intravenous contrast"
    )
    return (
        f"Protocol: sagittal T1 and T2/STIR{extent}, axial T2 through the level of "
        f"concern{agent}. Plain radiographs do not replace the MRI."
    )


def imaging_request(
    facts: Facts,
    priority: Priority,
    window: timedelta | None,
    reasons: Iterable[tuple[str, str]],
    *,
    mri_possible: bool = True,
) -> dict[str, Any]:
    """The spine imaging of a tier: MRI with a protocol note that agrees with its code, else
    CT myelography.

    :param mri_possible: ``False`` when MRI is contraindicated: CT myelography (W contrast
        IT) of the same region, priority and window.
    """
    region = imaging_region(facts)
    if mri_possible:
        code, display = mri_code(facts, region)
        note = protocol_note(
            whole=region is Region.WHOLE, contrast=bool(facts.intradural_suspected)
        )
    else:
        code, display = CT_MYELO_CODES[region]
        note = CT_NOTE
    return service_request(
        facts, (LOINC, code, display), priority, reasons=reasons, window=window, note=note
    )


def dexamethasone_request(facts: Facts, reasons: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Dexamethasone 8 mg twice daily by mouth (16 mg/day), structured dosage."""
    mg = {"system": UCUM, "code": "mg", "unit": "mg"}
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "priority": "urgent",
        "medicationCodeableConcept": _concept(*DEXAMETHASONE_4MG),
        "subject": {"reference": f"Patient/{facts.patient_id}"},
        "authoredOn": fhir_instant(facts.now),
        "dosageInstruction": [
            {
                "text": "8 mg (2 tablets of 4 mg) by mouth twice daily = 16 mg per day",
                "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                "route": {"text": "oral"},
                "doseAndRate": [{"doseQuantity": {"value": 8, **mg}}],
                "maxDosePerPeriod": {
                    "numerator": {"value": 16, **mg},
                    "denominator": {"value": 1, "system": UCUM, "code": "d", "unit": "day"},
                },
            }
        ],
        "note": [{"text": DEXAMETHASONE_NOTE}],
    }
    if refs := _references(reasons):
        resource["reasonReference"] = refs
    return resource
