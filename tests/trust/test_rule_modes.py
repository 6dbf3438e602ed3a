"""Rule modes (active / silent / off) through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from prometheus_client import REGISTRY

from cds_service import create_app
from cds_service.logic.modes import Mode
from cds_service.logic.modes import ModesError
from cds_service.logic.modes import parse_modes
from cds_service.store import engine
from cds_service.store import flush
from cds_service.store.schema import card_record
from tests.support import SERVERS
from tests.support import server_command

FIXTURES = Path(__file__).parent.parent / "fixtures" / "requests"
ROOT = Path(__file__).parent.parent.parent
CORD = "patient-view/mri-12h--fires--cord-compression-snomed.json"  # + dexa, surgical, ambulatory
PACEMAKER = "patient-view/mri-contraindicated--fires--pacemaker-device.json"
ORDER_SELECT_MRI = "order-select/dexamethasone--silent--rx-view-draft-dexamethasone.json"
XRAY_SWAP = "order-select/mri-12h--silent--xray-insufficient-carries-the-mri.json"


def body(rel: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / rel).read_text())
    return loaded


@pytest.fixture
def modes_app(
    settings: dict[str, Any], db_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    modes_file = tmp_path / "modes.yaml"
    modes_file.write_text(request.param)
    app = create_app({**settings, "DATABASE_URL": db_url, "RULE_MODES_FILE": str(modes_file)})
    from tests.support import FIXTURE_NOW

    app.extensions["cds_clock"] = lambda: FIXTURE_NOW
    yield app
    engine(app).dispose()


def call(app: Flask, rel: str) -> list[str]:
    service = rel.split("/")[0]
    response = app.test_client().post(f"/cds-services/{service}", json=body(rel))
    assert response.status_code == 200, response.get_data(as_text=True)
    flush(app)
    return [c["source"]["topic"]["code"] for c in response.get_json()["cards"]]


def records(app: Flask) -> dict[str, tuple[str, str | None]]:
    with engine(app).connect() as conn:
        rows = conn.execute(
            sa.select(card_record.c.topic, card_record.c.mode, card_record.c.patient_hash)
        )
        return {topic: (mode, patient) for topic, mode, patient in rows}


SILENT_AND_OFF = "dexamethasone: silent\nsurgical-referral: off\n"


@pytest.mark.parametrize("modes_app", [SILENT_AND_OFF], indirect=True)
def test_a_silent_topic_is_recorded_not_returned_and_an_off_topic_is_neither(
    modes_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    labels = {"service": "patient-view", "topic": "dexamethasone"}

    def count(metric: str) -> float:
        return REGISTRY.get_sample_value(metric, labels) or 0.0

    before = (count("cds_cards_total"), count("cds_silent_cards_total"))
    with caplog.at_level(logging.INFO, logger="cds_service.calls"):
        shown = call(modes_app, CORD)
    assert sorted(shown) == ["ambulatory-status", "mri-12h", "stability-assessment"]
    recorded = records(modes_app)
    assert {t: m for t, (m, _) in recorded.items()} == {
        "ambulatory-status": "active",
        "mri-12h": "active",
        "stability-assessment": "active",
        "dexamethasone": "silent",
    }
    patient = body(CORD)["context"]["patientId"]
    hashes = {h for _, h in recorded.values()}
    assert len(hashes) == 1 and None not in hashes and patient not in str(hashes)
    line = next(r for r in caplog.records if getattr(r, "event", None) == "call")
    assert sorted(line.topics) == [  # type: ignore[attr-defined]
        "ambulatory-status",
        "mri-12h",
        "stability-assessment",
    ]
    assert line.silent_topics == ["dexamethasone"]  # type: ignore[attr-defined]
    assert (count("cds_cards_total"), count("cds_silent_cards_total")) == (before[0], before[1] + 1)
    assert "cds_silent_cards_total" in modes_app.test_client().get("/metrics").get_data(
        as_text=True
    )


@pytest.mark.parametrize("modes_app", ["mri-12h: {order-select: silent}\n"], indirect=True)
def test_a_mode_given_per_hook_leaves_the_other_hooks_active(modes_app: Flask) -> None:
    assert "mri-12h" in call(modes_app, CORD)  # patient-view: still shown
    assert call(modes_app, ORDER_SELECT_MRI) == ["surgical-referral"]
    with engine(modes_app).connect() as conn:
        rows = conn.execute(
            sa.select(card_record.c.service_id, card_record.c.mode).where(
                card_record.c.topic == "mri-12h"
            )
        )
        assert sorted(rows) == [("order-select", "silent"), ("patient-view", "active")]


@pytest.mark.parametrize("modes_app", ["mri-24h: silent\n"], indirect=True)
def test_the_contraindication_card_goes_silent_with_the_tier_it_explains(
    modes_app: Flask,
) -> None:
    shown = call(modes_app, PACEMAKER)
    assert "mri-24h" not in shown and "mri-contraindicated" not in shown
    assert "dexamethasone" in shown
    modes = {t: m for t, (m, _) in records(modes_app).items()}
    assert modes["mri-24h"] == modes["mri-contraindicated"] == "silent"


@pytest.mark.parametrize("modes_app", ["xray-insufficient: silent\n"], indirect=True)
def test_a_silent_xray_card_does_not_swap_out_the_mri_tier_card(modes_app: Flask) -> None:
    assert call(modes_app, XRAY_SWAP) == ["mri-12h"]
    assert records(modes_app)["xray-insufficient"][0] == "silent"


@pytest.mark.parametrize("modes_app", ["mri-12h: off\n"], indirect=True)
def test_an_off_tier_leaves_the_xray_card_as_it_was(modes_app: Flask) -> None:
    response = modes_app.test_client().post("/cds-services/order-select", json=body(XRAY_SWAP))
    flush(modes_app)
    (card,) = response.get_json()["cards"]
    assert card["source"]["topic"]["code"] == "xray-insufficient"
    kinds = [a["type"] for s in card["suggestions"] for a in s["actions"]]
    assert kinds == ["delete", "create"]  # the MRI of the tier still replaces the X-ray


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("mri-13h: silent\n", "unknown card topic 'mri-13h'"),
        ("dexamethasone: {order-review: off}\n", "unknown hook 'order-review'"),
        ("dexamethasone: quiet\n", "unknown mode 'quiet'"),
        ("mri-contraindicated: silent\n", "'mri-contraindicated' explains another card"),
    ],
)
def test_a_bad_modes_file_is_refused_in_one_line(text: str, named: str) -> None:
    import yaml

    with pytest.raises(ModesError) as err:
        parse_modes(yaml.safe_load(text))
    assert named in str(err.value) and "\n" not in str(err.value)


def test_a_bare_yaml_off_reads_as_off() -> None:
    import yaml

    assert parse_modes(yaml.safe_load("dexamethasone: off")).of("dexamethasone", "x") is Mode.OFF


def _start(cmd: list[str], modes: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CDS_RULE_MODES_FILE": str(modes),
        "CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "CDS_AUTH_MODE": "off",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    return subprocess.run(
        cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("server", ["serve", "serve-workers", *SERVERS])
def test_the_real_servers_refuse_to_start_naming_the_bad_entry(
    server: str, db_url: str, tmp_path: Path
) -> None:
    modes = tmp_path / "modes.yaml"
    modes.write_text("dexamethasone: silent\nmri-13h: off\n")
    cli = [sys.executable, "-m", "cds_service.cli", "serve", "--port", "0"]
    cmd = {"serve": cli, "serve-workers": [*cli, "--workers", "1"]}.get(server)
    done = _start(cmd or server_command(server), modes, tmp_path)
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "unknown card topic 'mri-13h'" in lines[0] and "Traceback" not in done.stderr
