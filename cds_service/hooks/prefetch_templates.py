"""Prefetch templates shared by every service: the record the rules read (§1).

Only CDS Hooks 2.0 tokens (``{{context.patientId}}``) are used; no FHIRPath, no
``_include``. Status filters keep the payload small while still returning everything
§1 counts: completed orders and procedures are needed for ``mri_done``.
"""

from __future__ import annotations

RECORD_PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}",
    "serviceRequests": "ServiceRequest?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "devices": "Device?patient={{context.patientId}}",
    "diagnosticReports": "DiagnosticReport?patient={{context.patientId}}",
}

USAGE = (
    "Send every prefetch key, or give fhirServer (https, on the service's allow-list) and "
    "fhirAuthorization so missing keys can be fetched; otherwise the service answers 412. "
    "A null key means 'no data' and is not re-fetched."
)
