"""The example patients through the CLI: each gets exactly its documented cards.

``examples/expectations.json`` is written from CLINICAL-RULES.md (reasoning in
``examples/README.md``); these tests hold the logic to it through the user's entry point.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from cds_service import bundles
from cds_service import create_app
from cds_service.cli import main
from cds_service.logic.extract.fhir import parse_timestamp
from tests.logic.rules_support import assert_concise

EXAMPLES = Path(__file__).parent.parent / "examples"
EXPECTATIONS: dict[str, Any] = json.loads((EXAMPLES / "expectations.json").read_text())
NOW = EXPECTATIONS["now"]
CASES = [
    pytest.param(
        name, e["hook"], e["profile"], e["topics"], id=f"{name}-{e['hook']}-{e['profile']}"
    )
    for name, entries in EXPECTATIONS["examples"].items()
    for e in entries
]


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, ["evaluate", *args, "--now", NOW, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def without_uuids(cards: list[dict[str, Any]]) -> Any:
    """The cards with every generated uuid blanked: two runs differ in nothing else."""
    return json.loads(_UUID.sub("<uuid>", json.dumps(cards)))


def topics(cards: list[dict[str, Any]]) -> list[str]:
    return sorted(c["source"]["topic"]["code"] for c in cards)


def own_hook(name: str) -> str:
    """The hook a folder run uses: a request's own hook, else patient-view."""
    doc = json.loads((EXAMPLES / f"{name}.json").read_text())
    return str(doc.get("hook", "patient-view"))


def test_every_topic_and_a_silent_patient_are_covered() -> None:
    covered = {t for case in CASES for t in case.values[3]}
    assert {"mri-12h", "mri-24h", "mri-48h", "mri-1w", "mri-2w", "mri-contraindicated"} <= covered
    assert {"dexamethasone", "steroid-lymphoma-caution", "surgical-referral"} <= covered
    assert {"radiotherapy-referral", "tissue-diagnosis", "stability-assessment"} <= covered
    assert {"ambulatory-status", "xray-insufficient", "mri-order-review"} <= covered
    assert sum(1 for case in CASES if not case.values[3]) >= 3


@pytest.mark.parametrize(("name", "hook", "profile", "expected"), CASES)
def test_example_gets_exactly_its_documented_cards(
    name: str, hook: str, profile: str, expected: list[str]
) -> None:
    body = run(str(EXAMPLES / f"{name}.json"), "--hook", hook, "--profile", profile)
    assert topics(body["cards"]) == sorted(expected)
    for card in body["cards"]:
        assert_concise(card)  # <= 1,200 characters, <= 3 sentences, evidence as links


def test_folder_mode_gives_the_same_cards_as_one_by_one() -> None:
    folder = run(str(EXAMPLES), "--workers", "2")
    by_file = {r["file"]: r for r in folder["results"] if "cards" in r}
    assert len(by_file) == len(EXPECTATIONS["examples"])
    for file, result in by_file.items():
        single = run(file, "--hook", result["hook"])
        strip = [(c["summary"], c["indicator"], c["source"]) for c in single["cards"]]
        assert [(c["summary"], c["indicator"], c["source"]) for c in result["cards"]] == strip


def test_folder_report_counts_are_exact() -> None:
    report = run(str(EXAMPLES))["report"]
    expected: Counter[str] = Counter()
    for name, entries in EXPECTATIONS["examples"].items():
        entry = next(e for e in entries if e["hook"] == own_hook(name) and e["profile"] == "dutch")
        expected.update(set(entry["topics"]))
    n = len(EXPECTATIONS["examples"])
    assert report["patients"] == n
    assert {t["topic"]: t["patients"] for t in report["topics"]} == dict(expected)
    assert {t["topic"]: t["share"] for t in report["topics"]} == {
        k: round(v / n, 4) for k, v in expected.items()
    }
    assert report["skipped"] == []  # expectations.json is not a patient record gone wrong
    assert report["other_json"] == [str(EXAMPLES / "expectations.json")]


def _served_app(settings: dict[str, Any], profile: str) -> Flask:
    app = create_app(settings | {"GUIDELINE_PROFILE": profile})
    app.extensions["cds_clock"] = lambda: parse_timestamp(NOW)
    return app


@pytest.mark.parametrize(("name", "hook", "profile", "expected"), CASES)
def test_offline_cli_and_the_http_service_give_the_same_cards(
    settings: dict[str, Any], name: str, hook: str, profile: str, expected: list[str]
) -> None:
    app = _served_app(settings, profile)
    record = bundles.read(json.loads((EXAMPLES / f"{name}.json").read_text()))
    request = record.cds_request(hook, hook_instance="0f6b2a1c-3d4e-4f50-8a6b-7c8d9e0f1a2b")
    served = app.test_client().post(f"/cds-services/{hook}", json=request)
    assert served.status_code == 200
    offline = run(str(EXAMPLES / f"{name}.json"), "--hook", hook, "--profile", profile)
    assert [(c["summary"], c["indicator"]) for c in served.get_json()["cards"]] == [
        (c["summary"], c["indicator"]) for c in offline["cards"]
    ]


@pytest.mark.parametrize(
    ("own", "other"),
    [
        ("back-pain-no-context", "cord-compression-metastasis"),
        ("cord-compression-metastasis", "unilateral-weakness-unknown-primary"),
    ],
)
def test_cli_and_service_read_duplicates_and_other_patients_data_alike(
    settings: dict[str, Any], tmp_path: Path, own: str, other: str
) -> None:
    """One patient's Bundle holding every resource twice and another patient's Conditions.

    The service counts a duplicate once and drops another patient's data; the CLI says it
    runs the same logic, so it must give the very same cards: those of the clean record.
    """
    bundle = json.loads((EXAMPLES / f"{own}.json").read_text())
    foreign = json.loads((EXAMPLES / f"{other}.json").read_text())["entry"]
    bundle["entry"] = bundle["entry"] + [
        {"resource": e["resource"]}
        for e in bundle["entry"] + foreign
        if e["resource"]["resourceType"] != "Patient"
    ]
    messy = tmp_path / "messy.json"
    messy.write_text(json.dumps(bundle))
    request = bundles.read(bundle).cds_request("patient-view", hook_instance="messy-record-1")
    served = (
        _served_app(settings, "dutch")
        .test_client()
        .post("/cds-services/patient-view", json=request)
    )
    assert served.status_code == 200
    offline = run(str(messy), "--hook", "patient-view")["cards"]
    clean = run(str(EXAMPLES / f"{own}.json"), "--hook", "patient-view")["cards"]
    assert without_uuids(offline) == without_uuids(served.get_json()["cards"])
    assert without_uuids(offline) == without_uuids(clean)
