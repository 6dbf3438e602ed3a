"""The CLI's own behaviour: inputs it accepts, the burden report, the terminal view."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from fhir.resources.R4B import get_fhir_model_class

from cds_service import bundles
from cds_service.cli import main
from cds_service.cli.burden import burden_report
from cds_service.cli.burden import render_html
from cds_service.cli.results import FileResult
from cds_service.cli.view import print_cards
from cds_service.errors import InvalidRequest
from cds_service.logic.cards import TOPIC_SYSTEM
from cds_service.logic.cards import Card
from cds_service.logic.cards import Coding
from cds_service.logic.cards import Indicator
from cds_service.logic.cards import Source
from cds_service.logic.cards import Suggestion
from tests.support import FIXTURE_NOW

EXAMPLES = Path(__file__).parent.parent / "examples"
NOW = FIXTURE_NOW


def card(topic: str, indicator: Indicator, summary: str = "Order an MRI") -> dict[str, object]:
    return Card(
        uuid=f"{topic}-1",
        summary=summary,
        indicator=indicator,
        source=Source("Guideline", topic=Coding(TOPIC_SYSTEM, topic)),
        rule_id=topic,
        rule_version="1",
        detail="**Why**: Condition/cc",
        suggestions=(Suggestion("Order MRI whole spine", "s-1", is_recommended=True),),
    ).to_json()


def load(name: str) -> object:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


def test_transaction_and_searchset_bundles_are_unpacked() -> None:
    for name in ("meningioma-progressive-weakness", "myeloma-vertebral-lesion"):
        record = bundles.read(load(name))
        assert record.patient_id.startswith("ex-")
        assert all(r["resourceType"] != "Bundle" for r in record.resources)
        assert sum(r["resourceType"] == "Patient" for r in record.resources) == 1


def test_draft_orders_go_to_draft_orders_in_order_hooks_only() -> None:
    record = bundles.read(load("draft-routine-mri-weakness"))
    select = record.hook_input("order-select", now=NOW, profile="dutch")
    assert [d["id"] for d in select.draft_orders] == ["mri-thoracic"]
    assert select.selections == ("ServiceRequest/mri-thoracic",)
    assert all(r.get("status") != "draft" for r in select.resources)
    view = record.hook_input("patient-view", now=NOW, profile="dutch")
    assert view.draft_orders == () and view.selections == ()
    assert "mri-thoracic" in {r["id"] for r in view.resources}


def test_a_built_request_reads_back_to_the_same_input() -> None:
    for name in ("draft-routine-mri-weakness", "order-select-xray-request"):
        record = bundles.read(load(name))
        for hook in ("patient-view", "order-select", "order-sign"):
            request = record.cds_request(hook, hook_instance="i-1")
            assert set(request["prefetch"]) >= {"patient", "conditions", "observations"}
            again = bundles.read(request)
            assert again.hook_input(hook, now=NOW, profile="nice") == record.hook_input(
                hook, now=NOW, profile="nice"
            )


def test_a_bundle_without_one_patient_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        bundles.read({"resourceType": "Bundle", "type": "collection", "entry": []})


def test_a_file_that_is_no_record_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"resourceType": "Patient", "id": "p"}')
    result = CliRunner().invoke(main, ["evaluate", str(path)])
    assert result.exit_code != 0
    assert "Expected a FHIR Bundle or a CDS Hooks request" in result.output


def test_bad_now_is_refused() -> None:
    result = CliRunner().invoke(main, ["evaluate", str(EXAMPLES), "--now", "tomorrow"])
    assert result.exit_code == 2 and "ISO 8601" in result.output


def test_burden_report_counts_patients_per_topic_and_the_indicator_mix() -> None:
    results = [
        FileResult("a.json", "a", "patient-view", [card("mri-12h", Indicator.CRITICAL)]),
        FileResult(
            "b.json",
            "b",
            "patient-view",
            [card("mri-12h", Indicator.CRITICAL), card("dexamethasone", Indicator.WARNING)],
        ),
        FileResult("c.json", "c", "patient-view", []),
        FileResult("d.json", skipped="not a record"),
    ]
    report = burden_report(results, hook=None, profile="dutch", now=NOW)
    assert report["patients"] == 3 and report["patients_with_cards"] == 2 and report["cards"] == 3
    assert report["topics"][0] == {
        "topic": "mri-12h",
        "title": "Order an MRI",  # no topic display: the card's summary
        "patients": 2,
        "share": 0.6667,
        "indicators": {"critical": 2, "warning": 0, "info": 0},
    }
    assert report["topics"][1]["topic"] == "dexamethasone"
    assert report["topics"][1]["patients"] == 1
    assert [p["patientId"] for p in report["top_patients"]] == ["b", "a"]
    assert report["skipped"] == [{"file": "d.json", "reason": "not a record"}]
    assert report["indicators"] == {"critical": 2, "warning": 1, "info": 0}


def test_html_report_is_self_contained_with_a_bar_chart() -> None:
    results = [FileResult("a.json", "<a>", "patient-view", [card("mri-2w", Indicator.INFO)])]
    page = render_html(burden_report(results, hook=None, profile="dutch", now=NOW))
    assert "<svg" in page and "<rect" in page and "mri-2w" in page
    assert "&lt;a&gt;" in page and "<a>" not in page  # patient ids are escaped
    assert not re.search(r"(src|href)=", page)  # no external asset, works offline


def test_folder_run_writes_json_and_html_reports(tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "burden.json", tmp_path / "burden.html"
    args = ["evaluate", str(EXAMPLES), "--now", "2026-11-24T12:00:00Z", "--workers", "2"]
    result = CliRunner().invoke(
        main, [*args, "--report-json", str(out_json), "--report-html", str(out_html)]
    )
    assert result.exit_code == 0, result.output
    assert "Alert burden: 15 patients" in result.stdout
    # Each topic code has its card title beside it, in the terminal and both reports.
    assert re.search(r"mri-12h\s+Spine MRI within 12 hours\s+\d", result.stdout)
    topics = {t["topic"]: t["title"] for t in json.loads(out_json.read_text())["topics"]}
    assert topics["dexamethasone"] == "Dexamethasone for suspected cord compression"
    assert "<td>mri-12h</td><td>Spine MRI within 12 hours</td>" in out_html.read_text()
    assert json.loads(out_json.read_text())["patients"] == 15
    assert "<svg" in out_html.read_text()


def test_terminal_view_shows_indicator_summary_and_suggestion() -> None:
    @click.command()
    def show() -> None:
        print_cards(
            FileResult("p.json", "p", "patient-view", [card("mri-12h", Indicator.CRITICAL)])
        )

    out = CliRunner().invoke(show).output
    assert "[CRITICAL] Order an MRI  (mri-12h)" in out
    assert "-> suggestion: Order MRI whole spine (recommended)" in out
    assert "**Why**: Condition/cc" in out


@pytest.mark.parametrize(
    "path",
    sorted(p for p in EXAMPLES.glob("*.json") if p.stem != "expectations"),
    ids=lambda p: p.stem,
)
def test_every_example_is_valid_fhir(path: Path) -> None:
    doc = json.loads(path.read_text())
    bundle_model = get_fhir_model_class("Bundle")
    if doc.get("resourceType") == "Bundle":
        bundle_model.model_validate(doc)
        return
    for value in doc["prefetch"].values():
        get_fhir_model_class(value["resourceType"]).model_validate(value)
    bundle_model.model_validate(doc["context"]["draftOrders"])


def test_resources_the_service_never_receives_are_dropped() -> None:
    doc = load("myeloma-vertebral-lesion")
    assert isinstance(doc, dict)
    encounter = {"resourceType": "Encounter", "id": "e1", "status": "finished"}
    doc["entry"].append({"resource": encounter})
    record = bundles.read(doc)
    assert "Encounter" not in {r["resourceType"] for r in record.resources}
    assert {"Patient", "Condition", "Observation"} <= {r["resourceType"] for r in record.resources}


def test_folder_run_is_quiet_about_non_fhir_files_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``evaluate examples/`` as the README runs it: no warning for expectations.json, no files."""
    folder = tmp_path / "examples"
    folder.mkdir()
    for name in ("cord-compression-metastasis.json", "expectations.json"):
        (folder / name).write_bytes((EXAMPLES / name).read_bytes())
    (folder / "broken.json").write_text('{"resourceType": "Bundle", "entry": []}')
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(
        main, ["evaluate", str(folder), "--now", "2026-11-24T12:00:00Z", "--workers", "1"]
    )
    assert list(cwd.iterdir()) == []
    assert result.exit_code == 0, result.output
    assert "Alert burden: 1 patients" in result.stdout
    assert "1 other JSON file (no FHIR resource or CDS Hooks request) not evaluated" in (
        result.stdout
    )
    assert "expectations.json" not in result.stderr
    assert "skipped" in result.stderr and "broken.json" in result.stderr  # bad records still say so
