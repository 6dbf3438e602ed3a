"""A realistic synthetic FHIR Bulk Data export, deterministic for a seed (``synth``).

Real populations are mostly patients the service must stay silent for, so the mix is:
every patient has encounters, vital signs and labs, many have diabetes, hypertension or
hyperlipidaemia with their usual medicines; ``cancer_share`` have a cancer (breast, lung,
prostate) and ``spine_share`` a spine-mass scenario, one of :data:`SCENARIOS`, which
together reach every ``patient-view`` card topic. Each patient has about 50 resources.

All dates are relative to ``now``; the same seed, ``now`` and shares give byte-identical
files. Codes are the ones CLINICAL-RULES.md and its code tables name, plus common LOINC,
ICD-10-CM and RxNorm ingredient codes for the background record.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from ..logic.systems import HL7_TERMINOLOGY
from ..logic.systems import ICD10CM
from ..logic.systems import LOINC
from ..logic.systems import RADELEMENT
from ..logic.systems import RXNORM
from ..logic.systems import SNOMED
from ..logic.systems import UCUM

Res = dict[str, Any]

#: (system, code, display) of the background problem list and its usual medicine (RxNorm).
CHRONIC = (
    ((ICD10CM, "E11.9", "Type 2 diabetes mellitus without complications"), ("6809", "metformin")),
    ((ICD10CM, "I10", "Essential (primary) hypertension"), ("29046", "lisinopril")),
    ((ICD10CM, "E78.5", "Hyperlipidemia, unspecified"), ("83367", "atorvastatin")),
    ((ICD10CM, "I10", "Essential (primary) hypertension"), ("17767", "amlodipine")),
)
CANCERS = (
    (ICD10CM, "C50.911", "Malignant neoplasm of unspecified site of right female breast"),
    (ICD10CM, "C34.90", "Malignant neoplasm of unspecified part of unspecified bronchus or lung"),
    (ICD10CM, "C61", "Malignant neoplasm of prostate"),
)
#: (LOINC, display, unit, low, high) of the vital signs and labs every patient has.
MEASURES = (
    ("8480-6", "Systolic blood pressure", "mm[Hg]", 105, 165),
    ("8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 100),
    ("8867-4", "Heart rate", "/min", 55, 100),
    ("29463-7", "Body weight", "kg", 50, 110),
    ("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 180),
    ("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.8, 9.5),
    ("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.6, 1.6),
    ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 10.5, 16.5),
)
#: RxNorm (code, display) of the dexamethasone the MSCC scenario orders, gives or records.
DEXAMETHASONE = ("197582", "dexamethasone 4 MG Oral Tablet")
WHOLE_SPINE_MRI = (
    LOINC,
    "30855-1",
    "MR Cervical and thoracic and lumbar spine WO and W contrast IV",
)


class _Patient:
    """Builds one patient's resources with ids unique in the export."""

    def __init__(self, pid: str, now: datetime, rng: random.Random) -> None:
        self.pid, self.now, self.rng = pid, now, rng
        self.resources: list[Res] = []

    def ago(self, days: float) -> str:
        return (self.now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def add(self, rtype: str, body: Res) -> Res:
        res = {"resourceType": rtype, "id": f"{self.pid}-{len(self.resources)}", **body}
        res["patient" if rtype == "Device" else "subject"] = {"reference": f"Patient/{self.pid}"}
        self.resources.append(res)
        return res

    def condition(
        self,
        coding: tuple[str, str, str],
        days: float | None,
        *,
        verification: str = "confirmed",
        site: str | None = None,
    ) -> Res:
        body: Res = {
            "clinicalStatus": _cc(HL7_TERMINOLOGY + "condition-clinical", "active"),
            "verificationStatus": _cc(HL7_TERMINOLOGY + "condition-ver-status", verification),
            "category": [_cc(HL7_TERMINOLOGY + "condition-category", "problem-list-item")],
            "code": _concept(*coding),
        }
        if site:
            code, display = {"left": ("7771000", "Left"), "right": ("24028007", "Right")}[site]
            body["bodySite"] = [
                {**_concept(SNOMED, code, display), "text": f"{display} lower limb"}
            ]
        if days is not None:
            body["onsetDateTime"] = self.ago(days)
        body["recordedDate"] = self.ago(days if days is not None else 1)
        return self.add("Condition", body)

    def observation(self, coding: tuple[str, str, str], days: float, value: Res) -> Res:
        return self.add(
            "Observation",
            {"status": "final", "code": _concept(*coding), "effectiveDateTime": self.ago(days)}
            | value,
        )

    def request(self, coding: tuple[str, str, str], status: str, priority: str, days: float) -> Res:
        body = {"status": status, "intent": "order", "priority": priority}
        return self.add(
            "ServiceRequest", body | {"code": _concept(*coding), "authoredOn": self.ago(days)}
        )

    def medication(self, rxnorm: str, display: str, status: str, days: float) -> Res:
        body = {"status": status, "intent": "order", "authoredOn": self.ago(days)}
        return self.add(
            "MedicationRequest",
            body | {"medicationCodeableConcept": _concept(RXNORM, rxnorm, display)},
        )

    def mri(self, days: float) -> Res:
        """A completed whole-spine MRI, as a report or (rules 1.2) only as an ImagingStudy."""
        code = _concept(*WHOLE_SPINE_MRI)
        if self.rng.random() < 0.5:
            report: Res = {"status": "final", "code": code, "effectiveDateTime": self.ago(days)}
            return self.add("DiagnosticReport", report)
        study: Res = {"status": "available", "procedureCode": [code], "started": self.ago(days)}
        return self.add("ImagingStudy", study | {"numberOfSeries": 3})

    def dexamethasone(self, days: float) -> Res:
        """Dexamethasone ordered, given (MedicationAdministration) or taken (MedicationStatement)."""
        drug = {"medicationCodeableConcept": _concept(RXNORM, *DEXAMETHASONE)}
        kind = self.rng.choice(
            ("MedicationRequest", "MedicationAdministration", "MedicationStatement")
        )
        if kind == "MedicationRequest":
            return self.medication(*DEXAMETHASONE, "active", days)
        if kind == "MedicationAdministration":
            dose = {"dose": {"value": 8, "unit": "mg", "system": UCUM, "code": "mg"}}
            body = {"status": "completed", "effectiveDateTime": self.ago(days), "dosage": dose}
            return self.add(kind, drug | body)
        return self.add(
            kind, drug | {"status": "active", "effectivePeriod": {"start": self.ago(days)}}
        )


def _concept(system: str, code: str, display: str) -> Res:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _cc(system: str, code: str) -> Res:
    return {"coding": [{"system": system, "code": code}]}


# --- spine-mass scenarios: each adds the records of one clinical picture --------------------

SPINAL_CORD_CANCER = (ICD10CM, "C72.0", "Malignant neoplasm of spinal cord")
CORD_COMPRESSION = (SNOMED, "71286001", "Spinal cord compression")
WEAKNESS = (SNOMED, "713514005", "Muscle weakness of limb")
VERTEBRAL_METASTASIS = (SNOMED, "94602001", "Metastatic malignant neoplasm to vertebral column")
SINS = (RADELEMENT, "RDES21", "Spine instability neoplastic score (SINS)")


def _mscc(p: _Patient) -> None:
    """Cord compression in cancer, days of weakness; imaging and treatment vary (the audit)."""
    p.condition(p.rng.choice(CANCERS), 400)
    sign = p.rng.uniform(0.5, 6)
    p.condition(WEAKNESS, sign, site=p.rng.choice(("left", "right")))
    p.condition(
        CORD_COMPRESSION, sign - 0.2, verification=p.rng.choice(("provisional", "confirmed"))
    )
    if p.rng.random() < 0.6:  # imaged after the compression was suspected
        mri_at = sign - 0.2 - p.rng.uniform(0.05, min(sign - 0.2, 3) - 0.01)
        p.mri(mri_at)
    if p.rng.random() < 0.7:
        p.dexamethasone(sign / 2)
    if p.rng.random() < 0.5:
        p.request((SNOMED, "308482002", "Referral to neurosurgeon"), "active", "urgent", sign / 2)


def _weakness(p: _Patient) -> None:
    """A primary spinal-cord tumour with limb weakness of 1-10 days: the 24 h and 48 h tiers."""
    p.condition(SPINAL_CORD_CANCER, 120)
    p.condition(WEAKNESS, p.rng.choice((1, 3, 5, 8, 10)), site="left")
    if p.rng.random() < 0.5:
        p.observation((LOINC, "89247-1", "ECOG Performance Status score"), 2, {"valueInteger": 2})


def _radicular(p: _Patient) -> None:
    p.condition(p.rng.choice(CANCERS), 300)
    p.condition((SNOMED, "128196005", "Lumbar radiculopathy"), 10, site="right")


def _back_pain(p: _Patient) -> None:
    p.condition(p.rng.choice(CANCERS), 300)
    p.condition((SNOMED, "161891005", "Backache"), 20)


def _pacemaker(p: _Patient) -> None:
    p.condition(SPINAL_CORD_CANCER, 200)
    p.condition(CORD_COMPRESSION, 1)
    p.add(
        "Device",
        {
            "status": "active",
            "type": _concept(SNOMED, "424921004", "Permanent cardiac pacemaker, device"),
        },
    )


def _lymphoma(p: _Patient) -> None:
    p.condition((SNOMED, "118601006", "Non-Hodgkin's lymphoma"), 5, verification="provisional")
    p.condition(CORD_COMPRESSION, 1)


def _myeloma(p: _Patient) -> None:
    p.condition((ICD10CM, "C90.00", "Multiple myeloma not having achieved remission"), 30)
    p.condition(VERTEBRAL_METASTASIS, 40)
    p.observation(SINS, 3, {"valueInteger": 4})


def _unknown_primary(p: _Patient) -> None:
    p.condition((ICD10CM, "C80.1", "Malignant (primary) neoplasm, unspecified"), 20)
    p.condition(VERTEBRAL_METASTASIS, 40)


def _schwannoma(p: _Patient) -> None:
    mass = p.condition((SNOMED, "189948006", "Schwannoma"), 100)
    mass["bodySite"] = [{"text": "Spinal nerve root L4"}]
    p.condition((SNOMED, "128196005", "Lumbar radiculopathy"), 15, site="left")


SCENARIOS: tuple[Callable[[_Patient], None], ...] = (
    _mscc,
    _weakness,
    _radicular,
    _back_pain,
    _pacemaker,
    _lymphoma,
    _myeloma,
    _unknown_primary,
    _schwannoma,
)


def patient(
    number: int, now: datetime, rng: random.Random, cancer_share: float, spine_share: float
) -> list[Res]:
    """All resources of synthetic patient ``number`` (the Patient first)."""
    pid = f"syn{number:07d}"
    p = _Patient(pid, now, rng)
    birth = now - timedelta(days=rng.randint(25 * 365, 90 * 365))
    p.resources.append(
        {
            "resourceType": "Patient",
            "id": pid,
            "gender": rng.choice(("female", "male")),
            "birthDate": birth.strftime("%Y-%m-%d"),
        }
    )
    visits = rng.randint(4, 8)
    for visit in range(visits):
        days = rng.uniform(1, 720) if visit else rng.uniform(1, 60)
        p.add(
            "Encounter",
            {
                "status": "finished",
                "class": {"system": HL7_TERMINOLOGY + "v3-ActCode", "code": "AMB"},
                "period": {"start": p.ago(days)},
            },
        )
        for loinc, display, unit, low, high in MEASURES[: rng.randint(5, len(MEASURES))]:
            value = round(rng.uniform(low, high), 1)
            p.observation(
                (LOINC, loinc, display),
                days,
                {"valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}},
            )
    for problem, (rxnorm, drug) in rng.sample(CHRONIC, rng.randint(0, 2)):
        p.condition(problem, rng.uniform(200, 3000))
        p.medication(rxnorm, drug, "active", rng.uniform(10, 300))
    draw = rng.random()
    if draw < spine_share:
        SCENARIOS[number % len(SCENARIOS)](p)
    elif draw < spine_share + cancer_share:
        p.condition(rng.choice(CANCERS), rng.uniform(30, 2000))
    return p.resources


def write_export(
    out: Path,
    *,
    patients: int,
    seed: int,
    now: datetime,
    cancer_share: float = 0.08,
    spine_share: float = 0.02,
) -> Counter[str]:
    """Write ``out/<Type>.ndjson`` for ``patients`` patients; return resources per type."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    handles: dict[str, Any] = {}
    counts: Counter[str] = Counter()
    try:
        for number in range(1, patients + 1):
            for res in patient(number, now, rng, cancer_share, spine_share):
                rtype = res["resourceType"]
                if rtype not in handles:
                    handles[rtype] = (out / f"{rtype}.ndjson").open("wb")
                handles[rtype].write(orjson.dumps(res) + b"\n")
                counts[rtype] += 1
    finally:
        for fh in handles.values():
            fh.close()
    return counts
