"""Logs: one JSON line per call, useful to operators, free of tokens and patient data."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from flask import Flask
from flask import g
from flask.testing import FlaskClient

from cds_service import events
from cds_service.logs import JsonFormatter
from tests.support import load_fixture

pytestmark = pytest.mark.usefixtures("responses_conform")

URL = "/cds-services/patient-view"
TOKEN = "opaque-fhir-access-token-pv"
PATIENT = "pt-48213"


def _call_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    lines = [formatter.format(r) for r in caplog.records if r.name == "cds_service.calls"]
    for line in lines:
        assert "\n" not in line
        assert TOKEN not in line and PATIENT not in line
    return [json.loads(line) for line in lines]


def test_one_json_line_per_successful_call(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = load_fixture("protocol/patient-view.json")
    with caplog.at_level(logging.INFO, logger="cds_service"):
        assert client.post(URL, json=body).status_code == 200
    (line,) = _call_lines(caplog)
    assert line["event"] == "call" and line["level"] == "INFO" and line["ts"]
    assert line["hook_instance"] == body["hookInstance"]
    assert line["service_id"] == "patient-view"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["cards"] == 0 and line["topics"] == []


def test_failed_calls_are_logged_too(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    body = load_fixture("protocol/patient-view.json")
    del body["prefetch"]["conditions"], body["fhirServer"], body["fhirAuthorization"]
    with caplog.at_level(logging.INFO, logger="cds_service"):
        client.post(URL, json=body)
        client.post(URL, data="{", content_type="application/json")
        client.post("/cds-services/unknown-service", json=body)
    lines = _call_lines(caplog)
    assert [(x["service_id"], x["status"]) for x in lines] == [
        ("patient-view", 412),
        ("patient-view", 400),
        ("unknown", 404),
    ]
    assert lines[0]["hook_instance"] == body["hookInstance"]


def test_line_names_fetched_keys_with_latency_and_client(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    def as_auth_helper() -> None:  # what the trust helper's before_request sets
        g.cds_client_iss = "https://ehr.example.org"
        g.cds_client_tenant = "tenant-1"

    app.before_request(as_auth_helper)
    body = load_fixture("protocol/patient-view.json")
    del body["prefetch"]["patient"]  # fhirServer is not allow-listed: refused, 412
    with caplog.at_level(logging.INFO, logger="cds_service"):
        client.post(URL, json=body)
    (line,) = _call_lines(caplog)
    assert line["fetched"] == {"patient": {"status": "refused", "ms": 0.0}}
    assert (line["iss"], line["tenant"]) == ("https://ehr.example.org", "tenant-1")


def test_untrusted_hook_instance_is_not_logged(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = load_fixture("protocol/patient-view.json") | {"hookInstance": "x\n{forged}"}
    with caplog.at_level(logging.INFO, logger="cds_service"):
        client.post(URL, json=body)
    (line,) = _call_lines(caplog)
    assert line["hook_instance"] is None


def test_call_event_fires_for_every_call(app: Flask, client: FlaskClient) -> None:
    seen: list[dict[str, Any]] = []
    events.subscribe(app, "call", lambda **data: seen.append(data))
    client.post(URL, json=load_fixture("protocol/patient-view.json"))
    client.post(URL, json={})
    assert [(e["status"], e["result"] is None) for e in seen] == [(200, False), (400, True)]
    assert seen[0]["result"].body == {"cards": []}
    assert all(e["service_id"] == "patient-view" for e in seen)


def test_formatter_keeps_extra_fields() -> None:
    record = logging.LogRecord("cds_service.x", logging.WARNING, __file__, 1, "hello", None, None)
    record.event = "thing"
    record.count = 3
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "thing" and line["message"] == "hello" and line["count"] == 3


def test_one_line_per_feedback_call_with_outcomes_and_counts_only(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator sees feedback arrive; card ids and clinicians' comments stay out of logs."""
    card = "9b1f6c3e-4a52-4f1a-9d0e-2f8f6a1b7c01"
    accepted = {
        "card": card,
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": "0c7e2a4d-5b2e-4a7b-8f3d-6e1c2b9a4d10"}],
        "outcomeTimestamp": "2026-11-24T12:05:00Z",
    }
    overridden = {
        "card": card,
        "outcome": "overridden",
        "overrideReason": {"userComment": f"patient {PATIENT} declined"},
        "outcomeTimestamp": "2026-11-24T12:06:00Z",
    }
    url = "/cds-services/patient-view/feedback"
    with caplog.at_level(logging.INFO, logger="cds_service"):
        assert (
            client.post(url, json={"feedback": [accepted, overridden, accepted]}).status_code == 200
        )
        assert client.post(url, json={"feedback": "nope"}).status_code == 400
    formatter = JsonFormatter()
    raw = [formatter.format(r) for r in caplog.records if r.name == "cds_service.feedback"]
    assert all(card not in line and PATIENT not in line for line in raw)
    ok, bad = (json.loads(line) for line in raw)
    assert ok["event"] == "feedback" and ok["service_id"] == "patient-view"
    assert ok["status"] == 200
    assert ok["outcomes"] == {"accepted": 2, "overridden": 1}
    assert (ok["items"], ok["stored"], ok["duplicates"]) == (3, 2, 1)
    assert (bad["status"], bad["items"]) == (400, 0)
