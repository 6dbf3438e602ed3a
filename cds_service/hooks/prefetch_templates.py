"""Prefetch templates shared by every service: the record the rules read (§1).

Only CDS Hooks 2.0 tokens (``{{context.patientId}}``) are used; no FHIRPath, no
``_include``. Status filters keep the payload small while still returning everything
§1 counts: completed orders, procedures and imaging studies are needed for ``mri_done``;
administrations and statements of dexamethasone for ``dexamethasone_active``.
:data:`RECORD_PREFETCH` is written as the whole record per resource type and then narrowed
by code and status to what the rules read (:mod:`.prefetch_narrowing`, derived from the
value sets); :data:`FULL_RECORD_PREFETCH` keeps the unnarrowed form for the equivalence
test and the cost figures in docs/prefetch-cost.md.
"""

from __future__ import annotations

from .prefetch_narrowing import narrowed

RECORD_PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}",
    "serviceRequests": "ServiceRequest?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "devices": "Device?patient={{context.patientId}}",
    "diagnosticReports": "DiagnosticReport?patient={{context.patientId}}",
    "imagingStudies": "ImagingStudy?patient={{context.patientId}}",
    "medicationAdministrations": "MedicationAdministration?patient={{context.patientId}}",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}",
}
FULL_RECORD_PREFETCH: dict[str, str] = dict(RECORD_PREFETCH)
RECORD_PREFETCH = narrowed(FULL_RECORD_PREFETCH)  # every key above, narrowed the same way

#: Without the Conditions the service cannot know whether a spine mass, cancer or cord
#: compression is present, so it can say nothing safely: this key alone is required (412).
REQUIRED_KEYS: tuple[str, ...] = ("conditions",)

#: What cannot be checked when an optional key could be neither prefetched nor fetched.
#: The cards still come (no cards at all is worse for a compressed cord), and each says this.
UNAVAILABLE_MEANS: dict[str, str] = {
    "patient": "Patient (age)",
    "observations": "Observations (strength grades and their course, ECOG, SINS, symptoms "
    "recorded as observations)",
    "medicationRequests": "MedicationRequests (an active dexamethasone order)",
    "serviceRequests": "ServiceRequests (pending or completed MRI, referrals)",
    "procedures": "Procedures (completed MRI, prior radiotherapy, cochlear implant)",
    "devices": "Devices (pacemaker or defibrillator: MRI contraindication)",
    "diagnosticReports": "DiagnosticReports (completed MRI reports)",
    "imagingStudies": "ImagingStudies (completed MRI known from the imaging archive)",
    "medicationAdministrations": "MedicationAdministrations (dexamethasone given in the "
    "last 24 hours)",
    "medicationStatements": "MedicationStatements (dexamethasone taken in the last 24 hours)",
}

USAGE = (
    "Send every prefetch key, or give fhirServer (https, on the service's allow-list) and "
    "fhirAuthorization so missing keys can be fetched. Without the conditions the service "
    "answers 412; any other key that cannot be obtained is named in every card's detail as "
    "not checked. A null key means 'no data' and is not re-fetched."
)
