#!/usr/bin/env python3
"""Write the benchmark request bodies (deterministic, synthetic, real codes only).

* ``patient-view.json``: a patient-view prefetch of ~20 resources in which several rules
  fire (suspected cord compression with a thoracic vertebral metastasis, left leg weakness,
  back pain, ECOG and SINS recorded, a few unrelated vital signs).
* ``order-select.json``: the same record, ordering a plain thoracic spine X-ray and a
  routine thoracic MRI, both selected.
* :func:`large_record` scales the record (for the in-process linearity benchmark).

Dates are relative to the moment the file is written, so the bodies stay "current".
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
PID = "bench-pt-1"
SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
CLIN = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VER = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _condition(
    cid: str,
    system: str,
    code: str,
    display: str,
    *,
    onset: datetime | None = None,
    ver: str = "confirmed",
    side: tuple[str, str] | None = None,
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": {"coding": [{"system": CLIN, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": VER, "code": ver}]},
        "code": {"coding": [{"system": system, "code": code, "display": display}], "text": display},
        "subject": {"reference": f"Patient/{PID}"},
    }
    if onset:
        res["onsetDateTime"] = _iso(onset)
    if side:
        res["bodySite"] = [{"coding": [{"system": SCT, "code": side[0], "display": side[1]}]}]
    return res


def _observation(
    oid: str, system: str, code: str, display: str, when: datetime, value: dict[str, Any]
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": system, "code": code, "display": display}]},
        "subject": {"reference": f"Patient/{PID}"},
        "effectiveDateTime": _iso(when),
        **value,
    }


def _bundle(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"resource": r} for r in resources],
    }


def record(now: datetime, scale: int = 1) -> dict[str, Any]:
    """Return the prefetch of the benchmark patient; ``scale`` multiplies the resources."""
    conditions: list[dict[str, Any]] = []
    observations: list[dict[str, Any]] = []
    for i in range(scale):
        s = f"-{i}" if scale > 1 else ""
        conditions += [
            _condition(
                f"c-met{s}",
                SCT,
                "94274006",
                "Metastatic malignant neoplasm to thoracic vertebral column",
                onset=now - timedelta(days=40),
            ),
            _condition(
                f"c-cc{s}",
                SCT,
                "71286001",
                "Spinal cord compression",
                onset=now - timedelta(days=2),
                ver="provisional",
            ),
            _condition(
                f"c-weak{s}",
                SCT,
                "713514005",
                "Muscle weakness of limb",
                onset=now - timedelta(days=3),
                side=("7771000", "Left"),
            ),
            _condition(
                f"c-bp{s}", SCT, "279038004", "Thoracic back pain", onset=now - timedelta(days=20)
            ),
            _condition(f"c-dm{s}", ICD, "E11.9", "Type 2 diabetes mellitus without complications"),
            _condition(f"c-htn{s}", ICD, "I10", "Essential (primary) hypertension"),
        ]
        observations += [
            _observation(
                f"o-ecog{s}",
                LOINC,
                "89247-1",
                "ECOG Performance Status score",
                now - timedelta(days=1),
                {"valueInteger": 2},
            ),
            _observation(
                f"o-sins{s}",
                "http://radelement.org",
                "RDES21",
                "Spine instability neoplastic score",
                now - timedelta(days=1),
                {"valueInteger": 8},
            ),
            _observation(
                f"o-mrc1{s}",
                SCT,
                "713514005",
                "Muscle weakness of limb",
                now - timedelta(days=3),
                {"valueInteger": 4},
            ),
            _observation(
                f"o-mrc2{s}",
                SCT,
                "713514005",
                "Muscle weakness of limb",
                now - timedelta(days=1),
                {"valueInteger": 3},
            ),
            _observation(
                f"o-hr{s}",
                LOINC,
                "8867-4",
                "Heart rate",
                now - timedelta(hours=5),
                {
                    "valueQuantity": {
                        "value": 88,
                        "unit": "/min",
                        "system": "http://unitsofmeasure.org",
                        "code": "/min",
                    }
                },
            ),
            _observation(
                f"o-sbp{s}",
                LOINC,
                "8480-6",
                "Systolic blood pressure",
                now - timedelta(hours=5),
                {
                    "valueQuantity": {
                        "value": 142,
                        "unit": "mm[Hg]",
                        "system": "http://unitsofmeasure.org",
                        "code": "mm[Hg]",
                    }
                },
            ),
            _observation(
                f"o-dbp{s}",
                LOINC,
                "8462-4",
                "Diastolic blood pressure",
                now - timedelta(hours=5),
                {
                    "valueQuantity": {
                        "value": 86,
                        "unit": "mm[Hg]",
                        "system": "http://unitsofmeasure.org",
                        "code": "mm[Hg]",
                    }
                },
            ),
            _observation(
                f"o-temp{s}",
                LOINC,
                "8310-5",
                "Body temperature",
                now - timedelta(hours=5),
                {
                    "valueQuantity": {
                        "value": 37.1,
                        "unit": "Cel",
                        "system": "http://unitsofmeasure.org",
                        "code": "Cel",
                    }
                },
            ),
            _observation(
                f"o-wt{s}",
                LOINC,
                "29463-7",
                "Body weight",
                now - timedelta(days=2),
                {
                    "valueQuantity": {
                        "value": 71.5,
                        "unit": "kg",
                        "system": "http://unitsofmeasure.org",
                        "code": "kg",
                    }
                },
            ),
            _observation(
                f"o-rr{s}",
                LOINC,
                "9279-1",
                "Respiratory rate",
                now - timedelta(hours=5),
                {
                    "valueQuantity": {
                        "value": 16,
                        "unit": "/min",
                        "system": "http://unitsofmeasure.org",
                        "code": "/min",
                    }
                },
            ),
            _observation(
                f"o-ht{s}",
                LOINC,
                "8302-2",
                "Body height",
                now - timedelta(days=2),
                {
                    "valueQuantity": {
                        "value": 165,
                        "unit": "cm",
                        "system": "http://unitsofmeasure.org",
                        "code": "cm",
                    }
                },
            ),
            _observation(
                f"o-ecog-old{s}",
                LOINC,
                "89247-1",
                "ECOG Performance Status score",
                now - timedelta(days=60),
                {"valueInteger": 1},
            ),
            _observation(
                f"o-glu{s}",
                LOINC,
                "2339-0",
                "Glucose [Mass/volume] in Blood",
                now - timedelta(days=2),
                {
                    "valueQuantity": {
                        "value": 131,
                        "unit": "mg/dL",
                        "system": "http://unitsofmeasure.org",
                        "code": "mg/dL",
                    }
                },
            ),
        ]
    empty = {"resourceType": "Bundle", "type": "searchset", "total": 0}
    return {
        "patient": {
            "resourceType": "Patient",
            "id": PID,
            "gender": "female",
            "birthDate": "1954-03-02",
            "name": [{"family": "Bench", "given": ["Test"]}],
        },
        "conditions": _bundle(conditions),
        "observations": _bundle(observations),
        "medicationRequests": empty,
        "serviceRequests": empty,
        "procedures": empty,
        "devices": empty,
        "diagnosticReports": empty,
        "imagingStudies": empty,
        "medicationAdministrations": empty,
        "medicationStatements": empty,
    }


def large_record(now: datetime, n_conditions: int, n_observations: int) -> dict[str, Any]:
    """Return a prefetch with exactly the given numbers of Conditions and Observations."""
    base = record(now, scale=max(1, n_observations // 13 + 1))
    conds = base["conditions"]["entry"]
    obs = base["observations"]["entry"]
    while len(conds) < n_conditions:
        conds = conds + conds
    base["conditions"] = _bundle([e["resource"] for e in conds[:n_conditions]])
    base["observations"] = _bundle([e["resource"] for e in obs[:n_observations]])
    return base


def patient_view(now: datetime, scale: int = 1) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": "6c4b8f6e-6f2d-4c55-9a43-1f0d7a6f1b21",
        "fhirServer": "https://ehr.example.org/fhir/R4",
        "context": {"userId": "Practitioner/bench-dr", "patientId": PID},
        "prefetch": record(now, scale),
    }


def _draft_sr(sid: str, code: str, display: str) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": sid,
        "status": "draft",
        "intent": "order",
        "priority": "routine",
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
        "subject": {"reference": f"Patient/{PID}"},
    }


def order_select(now: datetime) -> dict[str, Any]:
    drafts = [
        _draft_sr("sr-xr", "37905-7", "XR Thoracic spine 2 Views"),
        _draft_sr("sr-mri", "24980-5", "MR Thoracic spine"),
    ]
    return {
        "hook": "order-select",
        "hookInstance": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "fhirServer": "https://ehr.example.org/fhir/R4",
        "context": {
            "userId": "Practitioner/bench-dr",
            "patientId": PID,
            "selections": ["ServiceRequest/sr-xr", "ServiceRequest/sr-mri"],
            "draftOrders": {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": d} for d in drafts],
            },
        },
        "prefetch": record(now),
    }


def main() -> None:
    now = datetime.now(UTC)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "patient-view.json").write_text(json.dumps(patient_view(now)))
    (out / "order-select.json").write_text(json.dumps(order_select(now)))


if __name__ == "__main__":
    main()
