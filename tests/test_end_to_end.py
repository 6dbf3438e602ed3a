"""Across the seams: a real hook call is recorded, feedback joins to it, the report counts it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from cds_service.store import engine
from cds_service.store import flush
from cds_service.store.report import acceptance_report
from tests.support import load_fixture

FIXTURE = "requests/patient-view/mri-24h--fires--weakness-onset-6-days.json"


def test_cards_of_a_real_call_are_recorded_and_feedback_reaches_the_report(
    app: Flask, client: FlaskClient
) -> None:
    response = client.post("/cds-services/patient-view", json=load_fixture(FIXTURE))
    assert response.status_code == 200
    cards = response.get_json()["cards"]
    by_topic = {c["source"]["topic"]["code"]: c for c in cards}
    mri, steroid = by_topic["mri-24h"], by_topic["dexamethasone"]

    feedback = {
        "feedback": [
            {
                "card": mri["uuid"],
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": mri["suggestions"][0]["uuid"]}],
                "outcomeTimestamp": "2026-11-24T12:05:00Z",
            },
            {
                "card": steroid["uuid"],
                "outcome": "overridden",
                "overrideReason": {"reason": steroid["overrideReasons"][0]},
                "outcomeTimestamp": "2026-11-24T12:06:00Z",
            },
        ]
    }
    assert client.post("/cds-services/patient-view/feedback", json=feedback).status_code == 200

    flush(app)  # card records are written in the background; read them now
    report = {row.topic: row for row in acceptance_report(engine(app))}
    assert set(report) == set(by_topic), "every returned card was recorded under its topic"
    assert report["mri-24h"].issued == 1 and report["mri-24h"].accepted == 1
    assert report["mri-24h"].rule_version == "1.2.0"
    assert report["dexamethasone"].overridden == 1
    assert (
        report["dexamethasone"].top_override_reasons[0]["code"]
        == (steroid["overrideReasons"][0]["code"])
    )
