"""What one chart opening costs the EHR: resources and bytes per prefetch, before and after.

Runs every prefetch template (unnarrowed, then narrowed) against the test FHIR search server
(``tests/fhir_search_server.py``) over each example record and a large synthetic record
(2,000 Observations, 200 Conditions), and prints the Markdown table of
docs/prefetch-cost.md. Usage: ``.venv/bin/python scripts/prefetch_cost.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cds_service import bundles  # noqa: E402
from cds_service.fhir_client import resources_of  # noqa: E402
from cds_service.hooks.prefetch_templates import FULL_RECORD_PREFETCH  # noqa: E402
from cds_service.hooks.prefetch_templates import RECORD_PREFETCH  # noqa: E402
from tests.fhir_search_server import SearchServer  # noqa: E402

PATIENT = "synthetic-1"


def cost(pool: list[dict[str, Any]], patient: str, templates: dict[str, str]) -> tuple[int, int]:
    """Resources and bytes a FHIR server sends to answer every template once."""
    server = SearchServer(pool=pool)
    for template in templates.values():
        url = "/fhir/" + template.replace("{{context.patientId}}", patient)
        path, _, query = url.partition("?")
        server.handle(Request(EnvironBuilder(path=path, query_string=query).get_environ()))
    return sum(n for n, _ in server.sent.values()), sum(b for _, b in server.sent.values())


def _coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}]}


def synthetic() -> list[dict[str, Any]]:
    """A long-stay oncology patient: vitals and labs dominate, a few findings matter."""
    subject = {"reference": f"Patient/{PATIENT}"}
    loinc, sct = "http://loinc.org", "http://snomed.info/sct"
    routine = [
        ("8867-4", "Heart rate"),
        ("8480-6", "Systolic blood pressure"),
        ("8310-5", "Body temperature"),
        ("2339-0", "Glucose"),
        ("718-7", "Hemoglobin"),
        ("2160-0", "Creatinine"),
        ("9279-1", "Respiratory rate"),
        ("59408-5", "Oxygen saturation"),
    ]
    pool: list[dict[str, Any]] = [{"resourceType": "Patient", "id": PATIENT}]
    for i in range(2000):
        code, display = routine[i % len(routine)]
        if i % 200 == 0:
            code, display = "89247-1", "ECOG Performance Status score"
        pool.append(
            {
                "resourceType": "Observation",
                "id": f"obs-{i}",
                "status": "final",
                "category": [
                    _coding(
                        "http://terminology.hl7.org/CodeSystem/observation-category",
                        "vital-signs" if i % 2 else "laboratory",
                        "",
                    )
                ],  # fmt: skip
                "code": _coding(loinc, code, display),
                "subject": subject,
                "effectiveDateTime": f"2026-11-{1 + i % 23:02d}T08:00:00Z",
                "valueQuantity": {
                    "value": 70 + i % 30,
                    "unit": "1",
                    "system": "http://unitsofmeasure.org",
                },
            }  # fmt: skip
        )
    for i in range(200):
        code, display = ("94503003", "Secondary malignant neoplasm of vertebral column") if i == 0 else (
            "38341003", "Hypertensive disorder")  # fmt: skip
        pool.append(
            {
                "resourceType": "Condition",
                "id": f"cond-{i}",
                "clinicalStatus": _coding(
                    "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"
                ),
                "code": _coding(sct, code, display),
                "subject": subject,
            }
        )
    return pool


def main() -> None:
    rows = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        if path.name == "expectations.json":
            continue
        body = bundles.read(json.loads(path.read_text())).cds_request(
            "patient-view", hook_instance="x"
        )
        pool = [r for v in body["prefetch"].values() for r in resources_of(v)]
        rows.append((path.name, body["context"]["patientId"], pool))
    rows.append(("synthetic: 2,000 Observations, 200 Conditions", PATIENT, synthetic()))
    print("| Record | Resources before | Resources after | KiB before | KiB after |")
    print("| --- | ---: | ---: | ---: | ---: |")
    totals = [0, 0, 0, 0]
    for name, patient, pool in rows:
        before = cost(pool, patient, FULL_RECORD_PREFETCH)
        after = cost(pool, patient, RECORD_PREFETCH)
        if not name.startswith("synthetic"):
            totals = [t + v for t, v in zip(totals, (*before, *after), strict=True)]
        print(
            f"| {name} | {before[0]} | {after[0]} | {before[1] / 1024:.1f} | {after[1] / 1024:.1f} |"
        )
    print(
        f"| all {len(rows) - 1} examples | {totals[0]} | {totals[2]} "
        f"| {totals[1] / 1024:.1f} | {totals[3] / 1024:.1f} |"
    )


if __name__ == "__main__":
    main()
