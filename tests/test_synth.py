"""``spine-mass-cds synth``: a deterministic, realistic export that reaches every card topic."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from cds_service.cli import main
from cds_service.logic.catalog import RULES
from cds_service.population.local import run_local
from cds_service.population.synth import write_export
from tests.support import FIXTURE_NOW


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_seed_writes_the_same_export_and_another_seed_does_not(tmp_path: Path) -> None:
    args = ["synth", "--patients", "40", "--now", "2026-11-24T12:00:00Z"]
    runner = CliRunner()
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        result = runner.invoke(main, [*args, "--seed", seed, "--out", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_dates_are_relative_to_now(tmp_path: Path) -> None:
    later = FIXTURE_NOW + timedelta(days=365)
    write_export(tmp_path / "a", patients=5, seed=1, now=FIXTURE_NOW)
    write_export(tmp_path / "b", patients=5, seed=1, now=later)
    first = json.loads((tmp_path / "a" / "Observation.ndjson").read_text().splitlines()[0])
    moved = json.loads((tmp_path / "b" / "Observation.ndjson").read_text().splitlines()[0])
    assert first["effectiveDateTime"].replace("2026", "2027", 1) == moved["effectiveDateTime"]


def test_a_realistic_mix_reaches_every_patient_view_topic(tmp_path: Path) -> None:
    counts = write_export(tmp_path / "x", patients=400, seed=2, now=FIXTURE_NOW, spine_share=0.3)
    assert 45 <= sum(counts.values()) / counts["Patient"] <= 55, "about 50 resources a patient"
    results, stats = run_local(
        tmp_path / "x", now=FIXTURE_NOW, profile="dutch", workers=2, show_progress=False
    )
    rules_12 = {"ImagingStudy", "MedicationAdministration", "MedicationStatement"}
    assert rules_12 <= counts.keys(), "MRI as an ImagingStudy, dexamethasone given or taken"
    assert not rules_12 & stats.not_read.keys(), "and the population run reads them"
    with_cards = [r for r in results if r.cards]
    assert 0.2 < len(with_cards) / len(results) < 0.4, "most patients get no card"
    topics = {topic for r in with_cards for topic, _, _ in r.cards}
    assert topics == {r.id for r in RULES if "patient-view" in r.hooks}
    assert any(r.audit is not None and r.audit.mri is not None for r in results)
    assert any(r.audit is not None and r.audit.mri is None for r in results)
