"""Small builders of real FHIR R4 resource JSON for the logic tests.

Dates are given relative to :data:`NOW` (the fixture clock) so tests read as "6 days ago".
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cds_service.logic.inputs import HookInput
from tests.support import FIXTURE_NOW

NOW = FIXTURE_NOW
PATIENT = "pat-1"

SNOMED = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT = "http://www.ama-assn.org/go/cpt"
RADELEMENT = "http://radelement.org"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"

LEFT = (SNOMED, "7771000", "Left")
RIGHT = (SNOMED, "24028007", "Right")
BOTH = (SNOMED, "51440002", "Right and left")

Json = dict[str, Any]


def ago(days: float = 0, hours: float = 0) -> str:
    """Return the FHIR dateTime ``days``/``hours`` before NOW."""
    return (NOW - timedelta(days=days, hours=hours)).isoformat().replace("+00:00", "Z")


def cc(system: str, code: str, display: str | None = None, text: str | None = None) -> Json:
    coding: Json = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: Json = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def site(*codings: tuple[str, str, str], text: str | None = None) -> Json:
    out: Json = {"coding": [{"system": s, "code": c, "display": d} for s, c, d in codings]}
    if text:
        out["text"] = text
    return out


def _subject() -> Json:
    return {"reference": f"Patient/{PATIENT}"}


def condition(
    rid: str | None,
    system: str,
    code: str,
    *,
    display: str | None = None,
    clinical: str | None = "active",
    verification: str | None = "confirmed",
    onset: str | None = None,
    body_site: list[Json] | None = None,
) -> Json:
    res: Json = {
        "resourceType": "Condition",
        "subject": _subject(),
        "code": cc(system, code, display),
    }
    if rid is not None:
        res["id"] = rid
    if clinical:
        res["clinicalStatus"] = cc(CLINICAL, clinical)
    if verification:
        res["verificationStatus"] = cc(VERIFICATION, verification)
    if onset:
        res["onsetDateTime"] = onset
    if body_site:
        res["bodySite"] = body_site
    return res


def observation(
    rid: str,
    system: str,
    code: str,
    *,
    when: str | None = None,
    status: str = "final",
    body_site: Json | None = None,
    interpretation: str | None = None,
    **value: Any,
) -> Json:
    """An Observation; ``value`` is one ``value[x]`` keyword, e.g. ``valueInteger=3``."""
    res: Json = {
        "resourceType": "Observation",
        "id": rid,
        "status": status,
        "subject": _subject(),
        "code": cc(system, code),
        "effectiveDateTime": when if when is not None else ago(1),
        **value,
    }
    if body_site:
        res["bodySite"] = body_site
    if interpretation:
        res["interpretation"] = [cc(INTERPRETATION, interpretation)]
    return res


def service_request(
    rid: str,
    system: str,
    code: str,
    *,
    status: str = "active",
    priority: str | None = None,
    **extra: Any,
) -> Json:
    res: Json = {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": _subject(),
        "code": cc(system, code),
        **extra,
    }
    if priority:
        res["priority"] = priority
    return res


def medication_request(rid: str, code: str, *, status: str = "active", **extra: Any) -> Json:
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "subject": _subject(),
        "medicationCodeableConcept": cc(RXNORM, code),
        **extra,
    }


def procedure(rid: str, system: str, code: str, *, status: str = "completed", **extra: Any) -> Json:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": status,
        "subject": _subject(),
        "code": cc(system, code),
        **extra,
    }


def device(rid: str, code: str, **extra: Any) -> Json:
    return {
        "resourceType": "Device",
        "id": rid,
        "type": cc(SNOMED, code),
        "patient": _subject(),
        **extra,
    }


def diagnostic_report(rid: str, code: str, *, status: str = "final", **extra: Any) -> Json:
    return {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": status,
        "subject": _subject(),
        "code": cc(LOINC, code),
        **extra,
    }


def imaging_study(rid: str, code: str, *, status: str = "available", **extra: Any) -> Json:
    return {
        "resourceType": "ImagingStudy",
        "id": rid,
        "status": status,
        "subject": _subject(),
        "procedureCode": [cc(LOINC, code)],
        **extra,
    }


def patient(birth_date: str, rid: str = PATIENT) -> Json:
    return {"resourceType": "Patient", "id": rid, "birthDate": birth_date}


def hook_input(
    *resources: Any,
    draft_orders: tuple[Any, ...] = (),
    selections: tuple[str, ...] = (),
    hook: str = "patient-view",
) -> HookInput:
    return HookInput(
        hook=hook,
        patient_id=PATIENT,
        now=NOW,
        resources=tuple(resources),
        draft_orders=draft_orders,
        selections=selections,
    )
