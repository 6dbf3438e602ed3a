"""Builders of FHIR R4 resource JSON for the tests, at two levels of detail.

The plain builders (``condition``, ``observation`` ...) give what a logic test states and
nothing more, so a test shows the one element it is about. The ``charted_*`` builders give
the same resource as an EHR's chart sends it (code text, category, recorded and authored
dates): ``tests/fixtures/requests/generate.py`` writes the request fixtures with them, and
the tests read that JSON. Every resource points at :data:`PATIENT` (the generator points it
at the fixture's patient). Dates are relative to the fixture clock, so a test reads
"6 days ago".
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
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
INTERPRETATION = TERMINOLOGY + "v3-ObservationInterpretation"
CLINICAL = TERMINOLOGY + "condition-clinical"
VERIFICATION = TERMINOLOGY + "condition-ver-status"

LEFT = (SNOMED, "7771000", "Left")
RIGHT = (SNOMED, "24028007", "Right")
BOTH = (SNOMED, "51440002", "Right and left")
SIDES = {"left": LEFT, "right": RIGHT}

Json = dict[str, Any]


def ago(days: float = 0, hours: float = 0) -> str:
    """Return the FHIR dateTime ``days``/``hours`` before NOW."""
    return (NOW - timedelta(days=days, hours=hours)).isoformat().replace("+00:00", "Z")


def cc(system: str, code: str, display: str | None = None, text: str | None = None) -> Json:
    """A CodeableConcept with one coding; display and text only when given."""
    coding: Json = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: Json = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def concept(system: str, code: str, display: str, text: str | None = None) -> Json:
    """A CodeableConcept as a chart sends it: the display repeated as text unless given."""
    return cc(system, code, display, text or display)


def site(*codings: tuple[str, str, str], text: str | None = None) -> Json:
    out: Json = {"coding": [{"system": s, "code": c, "display": d} for s, c, d in codings]}
    if text:
        out["text"] = text
    return out


def side(name: str, text: str) -> list[Json]:
    """A ``bodySite`` list naming the ``left`` or ``right`` side."""
    return [site(SIDES[name], text=text)]


def _subject() -> Json:
    return {"reference": f"Patient/{PATIENT}"}


def condition(
    rid: str | None,
    system: str,
    code: str,
    display: str | None = None,
    *,
    text: str | None = None,
    clinical: str | None = "active",
    verification: str | None = "confirmed",
    category: str | None = None,
    onset: str | None = None,
    onset_period_start: str | None = None,
    recorded: str | None = None,
    body_site: list[Json] | None = None,
) -> Json:
    res: Json = {"resourceType": "Condition"}
    if rid is not None:
        res["id"] = rid
    if clinical:
        res["clinicalStatus"] = cc(CLINICAL, clinical)
    if verification:
        res["verificationStatus"] = cc(VERIFICATION, verification)
    if category:
        res["category"] = [cc(TERMINOLOGY + "condition-category", category)]
    res["code"] = cc(system, code, display, text)
    if body_site:
        res["bodySite"] = body_site
    if onset:
        res["onsetDateTime"] = onset
    if onset_period_start:
        res["onsetPeriod"] = {"start": onset_period_start}
    if recorded:
        res["recordedDate"] = recorded
    res["subject"] = _subject()
    return res


def charted_condition(
    rid: str,
    system: str,
    code: str,
    display: str,
    *,
    clinical: str | None = "active",
    verification: str = "confirmed",
    category: str = "problem-list-item",
    **onset_and_site: Any,
) -> Json:
    """A problem-list Condition, recorded at its onset (else a day ago);
    ``entered-in-error`` drops clinicalStatus (invariant con-5)."""
    start = onset_and_site.get("onset") or onset_and_site.get("onset_period_start")
    return condition(
        rid,
        system,
        code,
        display,
        text=display,
        clinical=None if verification == "entered-in-error" else clinical,
        verification=verification,
        category=category,
        recorded=start or ago(days=1),
        **onset_and_site,
    )


def observation(
    rid: str,
    system: str,
    code: str,
    display: str | None = None,
    *,
    text: str | None = None,
    when: str | None = None,
    status: str = "final",
    category: str | None = None,
    body_site: Json | None = None,
    interpretation: str | None = None,
    **value: Any,
) -> Json:
    """An Observation; ``value`` is one ``value[x]`` keyword, e.g. ``valueInteger=3``."""
    res: Json = {"resourceType": "Observation", "id": rid, "status": status}
    if category:
        res["category"] = [cc(TERMINOLOGY + "observation-category", category)]
    res["code"] = cc(system, code, display, text)
    res["effectiveDateTime"] = when if when is not None else ago(1)
    if body_site:
        res["bodySite"] = body_site
    if interpretation:
        res["interpretation"] = [cc(INTERPRETATION, interpretation)]
    res.update(value)
    res["subject"] = _subject()
    return res


def charted_observation(
    rid: str,
    system: str,
    code: str,
    display: str,
    *,
    effective: str,
    category: str = "exam",
    value: Json | None = None,
    body_site: list[Json] | None = None,
    status: str = "final",
) -> Json:
    """An exam Observation; ``value`` is e.g. ``{"valueInteger": 3}``."""
    site_ = body_site[0] if body_site else None
    return observation(
        rid,
        system,
        code,
        display,
        text=display,
        when=effective,
        status=status,
        category=category,
        body_site=site_,
        **(value or {}),
    )


def present() -> Json:
    return {"valueCodeableConcept": concept(SNOMED, "52101004", "Present")}


def service_request(
    rid: str,
    system: str,
    code: str,
    display: str | None = None,
    *,
    text: str | None = None,
    status: str = "active",
    intent: str = "order",
    priority: str | None = None,
    occurrence: str | None = None,
    authored: str | None = None,
    **extra: Any,
) -> Json:
    res: Json = {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": status,
        "intent": intent,
        "code": cc(system, code, display, text),
    }
    if priority:
        res["priority"] = priority
    if occurrence:
        res["occurrenceDateTime"] = occurrence
    if authored:
        res["authoredOn"] = authored
    res.update(extra)
    res["subject"] = _subject()
    return res


def charted_service_request(
    rid: str, system: str, code: str, display: str, *, authored: str | None = None, **kw: Any
) -> Json:
    """A ServiceRequest authored an hour ago unless ``authored`` says when."""
    authored = authored or ago(hours=1)
    return service_request(rid, system, code, display, text=display, authored=authored, **kw)


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


def dexamethasone(rid: str, *, status: str) -> Json:
    """Dexamethasone 4 mg tablet, 8 mg twice daily (16 mg/day), as the Rx View sends it."""
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": concept(RXNORM, "197582", "dexamethasone 4 MG Oral Tablet"),
        "authoredOn": ago(hours=2),
        "dosageInstruction": [
            {
                "text": "8 mg by mouth twice daily",
                "timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
                "route": {"text": "by mouth"},
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": 8,
                            "unit": "mg",
                            "system": "http://unitsofmeasure.org",
                            "code": "mg",
                        }
                    }
                ],
            }
        ],
        "subject": _subject(),
    }


def procedure(
    rid: str,
    system: str,
    code: str,
    display: str | None = None,
    *,
    text: str | None = None,
    status: str = "completed",
    **extra: Any,
) -> Json:
    return {
        "resourceType": "Procedure",
        "id": rid,
        "status": status,
        "code": cc(system, code, display, text),
        **extra,
        "subject": _subject(),
    }


def device(
    rid: str,
    code: str,
    display: str | None = None,
    *,
    text: str | None = None,
    status: str | None = None,
    **extra: Any,
) -> Json:
    res: Json = {"resourceType": "Device", "id": rid}
    if status:
        res["status"] = status
    res["type"] = cc(SNOMED, code, display, text)
    res.update(extra)
    res["patient"] = _subject()
    return res


def diagnostic_report(rid: str, code: str, *, status: str = "final", **extra: Any) -> Json:
    return {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": status,
        "subject": _subject(),
        "code": cc(LOINC, code),
        **extra,
    }


def mri_report(rid: str, code: str, display: str, *, effective: str) -> Json:
    """A final radiology report (the MRI already done), as a chart sends it."""
    return {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": "final",
        "category": [cc(TERMINOLOGY + "v2-0074", "RAD")],
        "code": concept(LOINC, code, display),
        "effectiveDateTime": effective,
        "issued": effective,
        "conclusion": "Report on file.",
        "subject": _subject(),
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
