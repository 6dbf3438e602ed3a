"""/metrics: the counters move after real calls and real events."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from cds_service import bundles
from cds_service import create_app
from cds_service import events

EXAMPLES = Path(__file__).parent.parent / "examples"


def sample(client: FlaskClient, name: str, **labels: str) -> float:
    """Return one sample of the /metrics text (0 when the series does not exist yet)."""
    text = client.get("/metrics").get_data(as_text=True)
    for line in text.splitlines():
        m = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if got == labels:
            return float(m.group(3))
    return 0.0


def request_for(name: str, hook: str = "patient-view") -> dict[str, Any]:
    record = bundles.read(json.loads((EXAMPLES / f"{name}.json").read_text()))
    return record.cds_request(hook, hook_instance="8c5b0d1e-1f2a-4b3c-9d4e-5f6a7b8c9d0e")


def test_calls_and_latency_count_every_status(client: FlaskClient) -> None:
    ok = sample(client, "cds_service_calls_total", service="patient-view", status="200")
    bad = sample(client, "cds_service_calls_total", service="patient-view", status="400")
    hist = sample(client, "cds_service_call_duration_seconds_count", service="patient-view")
    for _ in range(3):
        assert (
            client.post(
                "/cds-services/patient-view", json=request_for("myeloma-vertebral-lesion")
            ).status_code
            == 200
        )
    assert (
        client.post("/cds-services/patient-view", json={"hook": "patient-view"}).status_code == 400
    )
    assert sample(client, "cds_service_calls_total", service="patient-view", status="200") == ok + 3
    assert (
        sample(client, "cds_service_calls_total", service="patient-view", status="400") == bad + 1
    )
    assert (
        sample(client, "cds_service_call_duration_seconds_count", service="patient-view")
        == hist + 4
    )


def test_unknown_service_ids_share_one_label(client: FlaskClient) -> None:
    before = sample(client, "cds_service_calls_total", service="unknown", status="404")
    for made_up in ("a", "b", "c"):
        assert client.post(f"/cds-services/{made_up}", json={}).status_code == 404
    assert sample(client, "cds_service_calls_total", service="unknown", status="404") == before + 3
    assert sample(client, "cds_service_calls_total", service="a", status="404") == 0


def test_cards_are_counted_by_topic(client: FlaskClient) -> None:
    before = sample(client, "cds_cards_total", service="patient-view", topic="mri-12h")
    body = client.post(
        "/cds-services/patient-view", json=request_for("cord-compression-metastasis")
    ).get_json()
    assert "mri-12h" in [c["source"]["topic"]["code"] for c in body["cards"]]
    assert sample(client, "cds_cards_total", service="patient-view", topic="mri-12h") == before + 1


def test_fhir_feedback_and_auth_events_move_their_counters(app: Flask, client: FlaskClient) -> None:
    fetch = sample(client, "cds_fhir_fetches_total", key="conditions", status="timeout")
    fetch_n = sample(client, "cds_fhir_fetch_duration_seconds_count")
    fb = sample(client, "cds_feedback_total", service="order-sign", outcome="overridden")
    refused = sample(client, "cds_auth_refused_total", reason="expired")
    with app.test_request_context():
        events.emit("fhir_fetch", key="conditions", status="timeout", latency_ms=400.0)
        events.emit("feedback", service_id="order-sign", outcome="overridden", stored=True)
        events.emit("auth_refused", reason="expired")
    assert sample(client, "cds_fhir_fetches_total", key="conditions", status="timeout") == fetch + 1
    assert sample(client, "cds_fhir_fetch_duration_seconds_count") == fetch_n + 1
    assert (
        sample(client, "cds_feedback_total", service="order-sign", outcome="overridden") == fb + 1
    )
    assert sample(client, "cds_auth_refused_total", reason="expired") == refused + 1


def test_metrics_can_be_switched_off(settings: dict[str, Any]) -> None:
    app = create_app({**settings, "METRICS_ENABLED": False})
    assert app.test_client().get("/metrics").status_code == 404
