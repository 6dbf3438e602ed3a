#!/usr/bin/env python3
"""Write the benchmark request bodies (deterministic, synthetic, real codes only).

* ``patient-view.json``: a patient-view prefetch of ~20 resources in which several rules
  fire (suspected cord compression with a thoracic vertebral metastasis, left leg weakness,
  back pain, ECOG and SINS recorded, a few unrelated vital signs).
* ``order-select.json``: the same record, ordering a plain thoracic spine X-ray and a
  routine thoracic MRI, both selected.
* :func:`large_record` scales the record (for the in-process linearity benchmark).
* :data:`WORKLOAD`: the three ``patient-view`` bodies of the real workload (issue 18), each
  of about 20 resources with every prefetch key the service declares present: an adult
  with no spine-mass context, a cancer patient with no spine symptom (both answer no
  card), and the firing record above. Observations and MedicationRequests are what an EHR
  that ignores the narrowed templates would send (labs, vitals, routine medications):
  the heavier, conservative case.

Dates are relative to the moment the file is written, so the bodies stay "current".
"""

from __future__ import annotations

import json
from collections.abc import Callable
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


def _quantity(
    oid: str, code: str, display: str, when: datetime, value: float, unit: str
) -> dict[str, Any]:
    """A LOINC Observation with a UCUM quantity: the labs and vitals of any chart."""
    ucum = {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit}
    return _observation(oid, LOINC, code, display, when, {"valueQuantity": ucum})


def _medication_request(mid: str, text: str, when: datetime) -> dict[str, Any]:
    """An active outpatient order named by text only.

    The project's verified code tables hold no RxNorm code for these routine drugs and a
    code is never invented here; a text-only medication is also what many records carry.
    """
    return {
        "resourceType": "MedicationRequest",
        "id": mid,
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"text": text},
        "subject": {"reference": f"Patient/{PID}"},
        "authoredOn": _iso(when),
        "dosageInstruction": [{"text": "as directed"}],
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
    return _with_every_key(conditions, observations, [], "female", "1954-03-02")


def _routine_labs_and_vitals(now: datetime) -> list[dict[str, Any]]:
    """Thirteen Observations a primary-care chart of a diabetic, hypertensive adult holds."""
    lab, vit = now - timedelta(days=9), now - timedelta(hours=26)
    return [
        _quantity("o-a1c", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", lab, 7.4, "%"),
        _quantity(
            "o-egfr",
            "33914-3",
            "Glomerular filtration rate/1.73 sq M.predicted",
            lab,
            68,
            "mL/min/{1.73_m2}",
        ),
        _quantity(
            "o-crea", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", lab, 1.1, "mg/dL"
        ),
        _quantity(
            "o-k", "2823-3", "Potassium [Moles/volume] in Serum or Plasma", lab, 4.3, "mmol/L"
        ),
        _quantity("o-glu", "2345-7", "Glucose [Mass/volume] in Serum or Plasma", lab, 142, "mg/dL"),
        _quantity(
            "o-ldl",
            "2089-1",
            "Cholesterol in LDL [Mass/volume] in Serum or Plasma",
            lab,
            96,
            "mg/dL",
        ),
        _quantity("o-sbp", "8480-6", "Systolic blood pressure", vit, 148, "mm[Hg]"),
        _quantity("o-dbp", "8462-4", "Diastolic blood pressure", vit, 91, "mm[Hg]"),
        _quantity("o-hr", "8867-4", "Heart rate", vit, 76, "/min"),
        _quantity("o-rr", "9279-1", "Respiratory rate", vit, 14, "/min"),
        _quantity("o-temp", "8310-5", "Body temperature", vit, 36.8, "Cel"),
        _quantity("o-wt", "29463-7", "Body weight", vit, 92.4, "kg"),
        _quantity("o-bmi", "39156-5", "Body mass index (BMI) [Ratio]", vit, 31.2, "kg/m2"),
    ]


def _with_every_key(
    conditions: list[dict[str, Any]],
    observations: list[dict[str, Any]],
    medication_requests: list[dict[str, Any]],
    gender: str,
    birth_date: str,
) -> dict[str, Any]:
    """A prefetch holding every key the service declares: nothing is fetched back."""
    empty = _bundle([])
    return {
        "patient": {
            "resourceType": "Patient",
            "id": PID,
            "gender": gender,
            "birthDate": birth_date,
            "name": [{"family": "Bench", "given": ["Test"]}],
        },
        "conditions": _bundle(conditions),
        "observations": _bundle(observations),
        "medicationRequests": _bundle(medication_requests),
        "serviceRequests": empty,
        "procedures": empty,
        "devices": empty,
        "diagnosticReports": empty,
        "imagingStudies": empty,
        "medicationAdministrations": empty,
        "medicationStatements": empty,
    }


def _hypertension_and_diabetes(since: datetime) -> tuple[list[Any], list[Any]]:
    """The Conditions and MedicationRequests both silent bodies share: the common chart."""
    conditions = [
        _condition("c-htn", ICD, "I10", "Essential (primary) hypertension", onset=since),
        _condition("c-dm", ICD, "E11.9", "Type 2 diabetes mellitus without complications"),
    ]
    meds = [
        _medication_request("m-metformin", "metformin 500 mg oral tablet", since),
        _medication_request("m-lisinopril", "lisinopril 10 mg oral tablet", since),
    ]
    return conditions, meds


def no_context_record(now: datetime) -> dict[str, Any]:
    """An adult with hypertension and type 2 diabetes and nothing about the spine (21)."""
    since = now - timedelta(days=3 * 365)
    conditions, meds = _hypertension_and_diabetes(since)
    conditions += [
        _condition("c-lip", SCT, "55822004", "Hyperlipidemia", onset=since),
        _condition("c-obes", SCT, "414916001", "Obesity"),
    ]
    meds.append(_medication_request("m-atorvastatin", "atorvastatin 20 mg oral tablet", since))
    return _with_every_key(conditions, _routine_labs_and_vitals(now), meds, "male", "1961-07-14")


def cancer_record(now: datetime) -> dict[str, Any]:
    """A woman with breast cancer on treatment and no spine symptom (20 resources)."""
    conditions, meds = _hypertension_and_diabetes(now - timedelta(days=5 * 365))
    breast = _condition(
        "c-breast",
        ICD,
        "C50.911",
        "Malignant neoplasm of unspecified site of right female breast",
        onset=now - timedelta(days=200),
    )
    conditions.insert(0, breast)
    meds.append(_medication_request("m-letrozole", "letrozole 2.5 mg oral tablet", now))
    return _with_every_key(conditions, _routine_labs_and_vitals(now), meds, "female", "1958-11-03")


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
    return patient_view_of(record(now, scale))


def patient_view_of(prefetch: dict[str, Any]) -> dict[str, Any]:
    return {
        "hook": "patient-view",
        "hookInstance": "6c4b8f6e-6f2d-4c55-9a43-1f0d7a6f1b21",
        "fhirServer": "https://ehr.example.org/fhir/R4",
        "context": {"userId": "Practitioner/bench-dr", "patientId": PID},
        "prefetch": prefetch,
    }


#: The real workload of issue 18: name -> (share of chart openings in %, prefetch builder,
#: whether the service answers with cards). The shares are the mix ``bench/workload.py`` loads.
WORKLOAD: dict[str, tuple[int, Callable[[datetime], dict[str, Any]], bool]] = {
    "no-context": (95, no_context_record, False),
    "cancer-no-symptom": (4, cancer_record, False),
    "firing": (1, record, True),
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


def write_workload(out: Path, now: datetime) -> dict[str, Path]:
    """Write the bodies of :data:`WORKLOAD` into ``out``; return name -> file."""
    files = {}
    for name, (_, build, _) in WORKLOAD.items():
        files[name] = out / f"patient-view-{name}.json"
        files[name].write_text(json.dumps(patient_view_of(build(now))))
    return files


def main() -> None:
    now = datetime.now(UTC)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "patient-view.json").write_text(json.dumps(patient_view(now)))
    (out / "order-select.json").write_text(json.dumps(order_select(now)))
    write_workload(out, now)


if __name__ == "__main__":
    main()
