"""The committee report's figures against a known set of calls and feedback (SQLite, PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner
from flask import Flask

from cds_service import create_app
from cds_service.cli import main
from cds_service.logic.cards import OVERRIDE_SYSTEM
from cds_service.store import engine
from cds_service.store import flush
from cds_service.store import migrate
from cds_service.store import open_engine
from cds_service.store.schema import card_record

FIXTURES = Path(__file__).parent.parent / "fixtures" / "requests"
CORD = "patient-view/mri-12h--fires--cord-compression-snomed.json"  # + dexa, surgical, ambulatory, stability
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def modes_file(tmp_path: Path) -> Path:
    path = tmp_path / "modes.yaml"
    path.write_text("dexamethasone: silent\n")
    return path


@pytest.fixture
def app(settings: dict[str, Any], db_url: str, modes_file: Path) -> Iterator[Flask]:
    app = create_app({**settings, "DATABASE_URL": db_url, "RULE_MODES_FILE": str(modes_file)})
    app.extensions["cds_clock"] = lambda: NOW
    yield app
    engine(app).dispose()


def call_as(app: Flask, patient: str, hook_instance: str) -> dict[str, str]:
    """Call patient-view for ``patient`` (the fixture's record, re-keyed); topic -> card uuid."""
    text = (FIXTURES / CORD).read_text()
    original = json.loads(text)["context"]["patientId"]
    body = json.loads(text.replace(original, patient))
    body["hookInstance"] = hook_instance
    response = app.test_client().post("/cds-services/patient-view", json=body)
    assert response.status_code == 200
    flush(app)
    return {c["source"]["topic"]["code"]: c["uuid"] for c in response.get_json()["cards"]}


def feedback(app: Flask, card: str, outcome: str, reason: str | None = None) -> None:
    item: dict[str, Any] = {
        "card": card,
        "outcome": outcome,
        "outcomeTimestamp": "2026-11-24T12:05:00Z",
    }
    if outcome == "accepted":
        item["acceptedSuggestions"] = [{"id": "0c7e2a4d-5b2e-4a7b-8f3d-6e1c2b9a4d10"}]
    if reason:
        item["overrideReason"] = {"reason": {"system": OVERRIDE_SYSTEM, "code": reason}}
    url = "/cds-services/patient-view/feedback"
    assert app.test_client().post(url, json={"feedback": [item]}).status_code == 200


@pytest.fixture
def known(app: Flask) -> Flask:
    """Patient A twice (today), patient B once (moved to 10 Jan 2026); three answers."""
    a1 = call_as(app, "patient-a", "call-a1")
    a2 = call_as(app, "patient-a", "call-a2")
    b1 = call_as(app, "patient-b", "call-b1")
    feedback(app, a1["mri-12h"], "accepted")
    feedback(app, a2["mri-12h"], "overridden", "already-addressed")
    feedback(app, b1["mri-12h"], "overridden", "patient-declined")
    feedback(app, b1["surgical-referral"], "accepted")
    with engine(app).begin() as conn:
        conn.execute(
            sa.update(card_record)
            .where(card_record.c.hook_instance == "call-b1")
            .values(issued_at=datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
        )
    return app


def run(db_url: str, modes_file: Path, *args: str) -> str:
    env = {"CDS_DATABASE_URL": db_url, "CDS_RULE_MODES_FILE": str(modes_file)}
    result = CliRunner().invoke(main, ["report", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_report_counts_cards_patients_and_answers_per_topic_version_and_mode(
    known: Flask, db_url: str, modes_file: Path
) -> None:
    report = json.loads(run(db_url, modes_file, "--json"))
    assert report["modes"] == {"dexamethasone": "silent"}
    rows = {(r["topic"], r["mode"]): r for r in report["rows"]}
    assert set(rows) == {
        ("ambulatory-status", "active"),
        ("dexamethasone", "silent"),
        ("mri-12h", "active"),
        ("stability-assessment", "active"),  # rules 1.2: presumed MSCC asks for a SINS
        ("surgical-referral", "active"),
    }
    mri = rows[("mri-12h", "active")]
    assert (mri["issued"], mri["patients"], mri["accepted"], mri["overridden"]) == (3, 2, 1, 2)
    assert mri["acceptance_rate"] == 0.3333
    assert mri["top_override_reasons"] == [
        {"code": "already-addressed", "count": 1},
        {"code": "patient-declined", "count": 1},
    ]
    dexa = rows[("dexamethasone", "silent")]  # would have been shown three times
    assert (dexa["issued"], dexa["patients"], dexa["accepted"], dexa["acceptance_rate"]) == (
        3,
        2,
        0,
        None,
    )
    assert rows[("surgical-referral", "active")]["acceptance_rate"] == 1.0
    days = {(d["day"], d["topic"]): d for d in report["daily"]}
    assert days[("2026-01-10", "mri-12h")]["cards"] == 1
    assert days[("2026-01-10", "mri-12h")]["overridden"] == 1
    assert days[(datetime.now(UTC).date().isoformat(), "mri-12h")]["cards"] == 2


def test_since_and_until_select_cards_by_the_day_they_were_issued(
    known: Flask, db_url: str, modes_file: Path
) -> None:
    recent = json.loads(run(db_url, modes_file, "--json", "--since", "2026-01-11"))
    mri = next(r for r in recent["rows"] if r["topic"] == "mri-12h")
    assert (mri["issued"], mri["patients"], mri["accepted"], mri["overridden"]) == (2, 1, 1, 1)
    january = json.loads(
        run(db_url, modes_file, "--json", "--since", "2026-01-10", "--until", "2026-01-11")
    )
    mri = next(r for r in january["rows"] if r["topic"] == "mri-12h")
    assert (mri["issued"], mri["patients"], mri["overridden"], mri["acceptance_rate"]) == (
        1,
        1,
        1,
        0.0,
    )
    assert january["since"].startswith("2026-01-10") and january["until"].startswith("2026-01-11")


def test_csv_table_and_self_contained_html(
    known: Flask, db_url: str, modes_file: Path, tmp_path: Path
) -> None:
    rows = list(csv.DictReader(io.StringIO(run(db_url, modes_file, "--csv"))))
    mri = next(r for r in rows if r["topic"] == "mri-12h")
    assert (mri["mode"], mri["cards"], mri["patients"], mri["acceptance_rate"]) == (
        "active",
        "3",
        "2",
        "0.3333",
    )
    assert mri["top_override_reasons"] == "already-addressed:1; patient-declined:1"
    table = run(db_url, modes_file)
    assert table.splitlines()[0] == "Rule modes in force: dexamethasone=silent"
    page_path = tmp_path / "report.html"
    run(db_url, modes_file, "--html", str(page_path))
    page = page_path.read_text()
    assert page.count("<svg") == 2 and "<polyline" in page
    assert "dexamethasone (silent)" in page and "dexamethasone=silent" in page
    assert "<script" not in page and "src=" not in page and "<link" not in page


def test_patient_hashes_are_keyed_by_a_key_that_stays_in_the_database(known: Flask) -> None:
    from cds_service.store.patients import patient_hash
    from cds_service.store.patients import read_key

    with engine(known).connect() as conn:
        hashes = {r[0] for r in conn.execute(sa.select(card_record.c.patient_hash))}
    key = read_key(engine(known))
    assert hashes == {patient_hash(key, "patient-a"), patient_hash(key, "patient-b")}
    assert patient_hash(b"another key", "patient-a") not in hashes
    assert key.hex() not in str(known.config)


def test_upgrading_a_0001_database_keeps_every_card_and_feedback(
    db_url: str, tmp_path: Path
) -> None:
    eng = open_engine(db_url, str(tmp_path))
    with eng.begin() as conn:
        command.upgrade(migrate._alembic_config(conn), "0001")
        conn.execute(
            sa.text(
                "INSERT INTO card_record (card_uuid, service_id, topic, rule_id, rule_version,"
                " indicator, issued_at) VALUES ('old', 'patient-view', 'mri-24h', 'mri-24h',"
                " '1.0.0', 'critical', :at)"
            ),
            {"at": datetime(2026, 11, 1, tzinfo=UTC)},
        )
    migrate.upgrade(eng)
    with eng.connect() as conn:
        (row,) = conn.execute(sa.select(card_record)).all()
        key_rows = conn.execute(sa.text("SELECT count(*) FROM report_key")).scalar()
    assert (row.card_uuid, row.topic, row.mode, row.patient_hash) == (
        "old",
        "mri-24h",
        "active",
        None,
    )
    assert key_rows == 1
    eng.dispose()
