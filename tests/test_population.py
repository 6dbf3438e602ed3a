"""``spine-mass-cds population``: reading a Bulk Data export, grouping by patient, the audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cds_service.cli import main
from cds_service.population.export import chunks
from cds_service.population.export import export_files
from cds_service.population.grouping import ScanStats
from cds_service.population.grouping import patient_of
from cds_service.population.grouping import scan
from tests.population_export import read_cards
from tests.population_export import write_export
from tests.population_export import write_ndjson

NOW = "2026-11-24T12:00:00Z"
SCT = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
BASE = "https://ehr.example.org/fhir/R4/"


def patient(pid: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": pid, "birthDate": "1960-01-01"}


def condition(
    rid: str, ref: str | None, code: str, system: str = SCT, onset: str = ""
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "id": rid,
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "verificationStatus": {"coding": [{"code": "confirmed"}]},
        "code": {"coding": [{"system": system, "code": code}]},
        "onsetDateTime": onset or "2026-11-23T12:00:00Z",
    }
    if ref is not None:
        res["subject"] = {"reference": ref}
    return res


def cancer(rid: str, ref: str) -> dict[str, Any]:
    return condition(rid, ref, "C72.0", ICD, "2026-06-01T00:00:00Z")


def run(export: Path, out: Path, *args: str) -> Any:
    result = CliRunner().invoke(
        main, ["population", str(export), "--now", NOW, "--out", str(out), *args]
    )
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ({"resourceType": "Patient", "id": "p1"}, "p1"),
        ({"resourceType": "Condition", "subject": {"reference": "Patient/p1"}}, "p1"),
        ({"resourceType": "Condition", "subject": {"reference": BASE + "Patient/p1"}}, "p1"),
        ({"resourceType": "Condition", "subject": {"reference": "Patient/p1/_history/4"}}, "p1"),
        (
            {
                "resourceType": "Observation",
                "subject": {"reference": BASE + "Patient/p-1.a/_history/2"},
            },
            "p-1.a",
        ),
        ({"resourceType": "Device", "patient": {"reference": "Patient/p1"}}, "p1"),
        ({"resourceType": "Condition"}, None),
        ({"resourceType": "Condition", "subject": {"reference": "Group/g1"}}, None),
        ({"resourceType": "Condition", "subject": {"reference": "urn:uuid:7f2c"}}, None),
        ({"resourceType": "Condition", "subject": {"reference": "Patient?identifier=x|1"}}, None),
        ({"resourceType": "Condition", "subject": {"display": "Jan Smit"}}, None),
        ({"resourceType": "Condition", "subject": "Patient/p1"}, None),
        ({"resourceType": "Patient"}, None),
    ],
)
def test_the_patient_of_a_resource_is_read_from_every_reference_form(
    resource: dict[str, Any], expected: str | None
) -> None:
    assert patient_of(resource) == expected


def test_a_patient_split_across_files_and_reference_forms_is_evaluated_as_one(
    tmp_path: Path,
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    write_ndjson(export / "Patient.ndjson", [patient("p1"), patient("p2")])
    write_ndjson(
        export / "Condition.ndjson",
        [
            cancer("c1", "Patient/p1"),
            cancer("c2", "Patient/p2"),
            condition("orphan", None, "71286001"),
            condition("group", "Group/g1", "71286001"),
            condition("conditional", "Patient?identifier=urn:mrn|1", "71286001"),
        ],
    )
    # The cord compression is in a second, gzipped file under an absolute reference.
    write_ndjson(
        export / "Condition.2.ndjson.gz", [condition("cc", BASE + "Patient/p1", "71286001")]
    )
    pacemaker = {
        "resourceType": "Device",
        "id": "pm",
        "status": "active",
        "type": {"coding": [{"system": SCT, "code": "424921004"}]},
        "patient": {"reference": BASE + "Patient/p1/_history/2"},
    }
    write_ndjson(export / "Device.ndjson", [pacemaker])
    write_ndjson(
        export / "Encounter.ndjson",
        [{"resourceType": "Encounter", "id": "e", "subject": {"reference": "Patient/p1"}}],
    )
    out = tmp_path / "out"
    result = run(export, out, "--workers", "2")

    cards = read_cards(out)
    assert set(cards) == {"p1"}, "p2 has cancer only: no card"
    assert {"mri-12h", "mri-contraindicated"} <= set(cards["p1"]["topics"])
    report = json.loads((out / "report.json").read_text())
    assert report["patients"] == 2
    assert report["export"]["without_patient"] == {"Condition": 3}
    assert report["export"]["not_read_by_the_service"] == {"Encounter": 1}
    assert report["export"]["resources"] == 6
    assert "patients/s" in result.stderr and "ETA" in result.stderr


def test_malformed_lines_are_reported_by_file_and_line_and_the_rest_is_evaluated(
    tmp_path: Path,
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    good = [json.dumps(r) for r in (patient("p1"), cancer("c1", "Patient/p1"))]
    cc = json.dumps(condition("cc", "Patient/p1", "71286001"))
    (export / "Condition.ndjson").write_text(
        "\n".join(
            [good[1], '{"resourceType": "Condition", "id": ', "[1, 2]", '{"id": "x"}', "", cc]
        )
        + "\n"
    )
    write_ndjson(export / "Patient.ndjson", [patient("p1")])
    out = tmp_path / "out"
    run(export, out)

    assert "mri-12h" in read_cards(out)["p1"]["topics"]
    report = json.loads((out / "report.json").read_text())
    assert report["export"]["malformed_lines"] == 3
    assert report["export"]["malformed"] == [
        {"file": "Condition.ndjson", "line": 2, "reason": "not JSON"},
        {"file": "Condition.ndjson", "line": 3, "reason": "not a FHIR resource (no resourceType)"},
        {"file": "Condition.ndjson", "line": 4, "reason": "not a FHIR resource (no resourceType)"},
    ]
    assert "Condition.ndjson line 2: not JSON" in (out / "report.html").read_text()


def test_line_numbers_hold_when_a_large_file_is_split_between_workers(tmp_path: Path) -> None:
    rows = [json.dumps(cancer(f"c{n}", f"Patient/p{n % 7}")) for n in range(1, 51)]
    rows[16], rows[40] = "{broken", "null"
    path = tmp_path / "Condition.ndjson"
    path.write_text("\n".join(rows) + "\n")

    parts = chunks([("Condition.ndjson", path)], chunk_bytes=700)
    assert len(parts) > 5
    stats = ScanStats()
    seen = [line for part in parts for _, _, line, _ in scan(part, stats)]
    assert [(m[1], m[2]) for m in stats.malformed] == [
        (17, "not JSON"),
        (41, "not a FHIR resource (no resourceType)"),
    ]
    assert seen == [n for n in range(1, 51) if n not in (17, 41)]


def test_an_export_manifest_names_the_files_to_read(tmp_path: Path) -> None:
    write_ndjson(tmp_path / "Patient.ndjson", [patient("p1")])
    write_ndjson(tmp_path / "Condition_1.ndjson", [cancer("c1", "Patient/p1")])
    write_ndjson(tmp_path / "Observation.ndjson", [])  # not in the manifest: not read
    manifest = {
        "transactionTime": "2026-11-24T10:00:00Z",
        "request": "https://bulk.example.org/fhir/$export",
        "requiresAccessToken": True,
        "output": [
            {"type": "Patient", "url": "https://bulk.example.org/files/Patient.ndjson"},
            {"type": "Condition", "url": f"file://{tmp_path}/Condition_1.ndjson"},
        ],
        "error": [],
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))

    assert [name for name, _ in export_files(tmp_path)] == ["Patient.ndjson", "Condition_1.ndjson"]


def test_a_manifest_naming_a_missing_file_is_a_clean_error(tmp_path: Path) -> None:
    output = [{"type": "Patient", "url": "https://bulk.example.org/files/Patient.ndjson"}]
    (tmp_path / "manifest.json").write_text(json.dumps({"output": output}))
    result = CliRunner().invoke(
        main, ["population", str(tmp_path), "--now", NOW, "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 1
    assert "Patient.ndjson" in result.output and "Traceback" not in result.output


# --- the NG234 audit on a hand-checked export -------------------------------------------------

WHOLE_SPINE_MRI = "30855-1"


def mscc_patient(
    pid: str, sign: str, mri: str | None, orders: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Cancer + cord compression + limb weakness from ``sign``; an MRI report at ``mri``."""
    ref = f"Patient/{pid}"
    record = [
        patient(pid),
        cancer(f"{pid}-ca", ref),
        condition(f"{pid}-cc", ref, "71286001", onset=sign),
        condition(f"{pid}-weak", ref, "713514005", onset=sign),
    ]
    if mri:
        record.append(
            {
                "resourceType": "DiagnosticReport",
                "id": f"{pid}-mri",
                "status": "final",
                "code": {"coding": [{"system": LOINC, "code": WHOLE_SPINE_MRI}]},
                "effectiveDateTime": mri,
                "subject": {"reference": ref},
            }
        )
    for n, order in enumerate(orders):
        record.append({**order, "id": f"{pid}-order-{n}", "subject": {"reference": ref}})
    return record


def dexamethasone(status: str) -> dict[str, Any]:
    drug = {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "197582"}]}
    return {
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": drug,
        "authoredOn": "2026-11-23T00:00:00Z",
    }


def referral(code: str, status: str) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "status": status,
        "intent": "order",
        "code": {"coding": [{"system": SCT, "code": code}]},
        "authoredOn": "2026-11-23T00:00:00Z",
    }


NEUROSURGERY, RADIOTHERAPY = "308482002", "306256000"


def test_audit_figures_of_a_hand_checked_export(tmp_path: Path) -> None:
    """Hours from first sign to MRI: a 12, b 48, c 18; d has no MRI; e and f are not MSCC.

    median 18, p90 (nearest rank: 3rd of 3) 48, within 24 h 2 of 3; dexamethasone a and d
    (c's is on hold) = 2 of 4; referral a only (b's is on hold) = 1 of 4; without MRI: d.
    """
    records = [
        *mscc_patient(
            "a",
            "2026-11-21T12:00:00Z",
            "2026-11-22T00:00:00Z",
            [dexamethasone("active"), referral(NEUROSURGERY, "active")],
        ),
        *mscc_patient(
            "b", "2026-11-20T12:00:00Z", "2026-11-22T12:00:00Z", [referral(RADIOTHERAPY, "on-hold")]
        ),
        *mscc_patient(
            "c", "2026-11-23T12:00:00Z", "2026-11-24T06:00:00Z", [dexamethasone("on-hold")]
        ),
        *mscc_patient("d", "2026-11-23T00:00:00Z", None, [dexamethasone("active")]),
        patient("e"),
        condition("e-cc", "Patient/e", "71286001"),  # compression without cancer: not MSCC
        patient("f"),
        cancer("f-ca", "Patient/f"),
    ]
    out = tmp_path / "out"
    run(write_export(tmp_path / "export", records), out)

    audit = json.loads((out / "audit.json").read_text())
    assert audit["mscc_patients"] == 4
    assert audit["first_sign_unknown"] == 0
    assert audit["sign_to_mri_hours"] == {
        "patients": 3,
        "median": 18.0,
        "p90": 48.0,
        "within_24h": 0.6667,
    }
    assert audit["dexamethasone_started"] == {"patients": 2, "share": 0.5}
    assert audit["surgical_or_oncology_referral"] == {"patients": 1, "share": 0.25}
    assert audit["without_mri"] == {"patients": 1, "share": 0.25}
    assert audit["patients_without_mri"] == ["d"]
    page = (out / "report.html").read_text()
    assert "NICE NG234 MSCC audit" in page and "48.0 h" in page


def test_a_truncated_gzip_file_is_reported_and_its_complete_lines_are_used(
    tmp_path: Path,
) -> None:
    rows = [patient("p1"), cancer("c1", "Patient/p1")] + [
        cancer(f"c{n}", f"Patient/q{n}") for n in range(2, 400)
    ]
    whole = write_ndjson(tmp_path / "all.ndjson.gz", rows).read_bytes()
    export = tmp_path / "export"
    export.mkdir()
    (export / "Condition.ndjson.gz").write_bytes(whole[: len(whole) * 2 // 3])
    out = tmp_path / "out"
    run(export, out)

    report = json.loads((out / "report.json").read_text())
    [problem] = report["export"]["malformed"]
    assert problem["file"] == "Condition.ndjson.gz"
    assert problem["reason"] == "file ends early: truncated or corrupt"
    assert 2 < report["patients"] < 399
    assert problem["line"] == report["export"]["resources"] + 1
