"""Feedback endpoint, card records and the acceptance report, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app
from cds_service import events
from cds_service import pipeline
from cds_service import prefetch
from cds_service.cli import main
from cds_service.logic.cards import OVERRIDE_SYSTEM
from cds_service.logic.cards import TOPIC_SYSTEM
from cds_service.logic.cards import Card
from cds_service.logic.cards import Coding
from cds_service.logic.cards import Indicator
from cds_service.logic.cards import Source
from cds_service.store import engine
from cds_service.store import flush
from cds_service.store.report import acceptance_report
from cds_service.store.schema import card_record
from cds_service.store.schema import feedback

URL = "/cds-services/order-select/feedback"
CARD = "9b1f6c3e-4a52-4f1a-9d0e-2f8f6a1b7c01"
ACCEPTED = {
    "card": CARD,
    "outcome": "accepted",
    "acceptedSuggestions": [{"id": "0c7e2a4d-5b2e-4a7b-8f3d-6e1c2b9a4d10"}],
    "outcomeTimestamp": "2026-06-30T14:05:31Z",
}
OVERRIDDEN = {
    "card": CARD,
    "outcome": "overridden",
    "overrideReason": {
        "reason": {"system": OVERRIDE_SYSTEM, "code": "already-discussed", "display": "Discussed"},
        "userComment": "Spoke with radiology",
    },
    "outcomeTimestamp": "2026-06-30T14:06:02+02:00",
}


@pytest.fixture
def db_app(settings: dict[str, Any], db_url: str) -> Iterator[Flask]:
    app = create_app({**settings, "DATABASE_URL": db_url})
    yield app
    engine(app).dispose()


def rows(app: Flask) -> list[Any]:
    with engine(app).connect() as conn:
        return list(conn.execute(sa.select(feedback).order_by(feedback.c.id)))


def post(client: FlaskClient, *items: dict[str, Any], url: str = URL) -> Any:
    return client.post(url, json={"feedback": list(items)})


def test_feedback_is_stored_once_however_often_it_is_sent(db_app: Flask) -> None:
    client = db_app.test_client()
    seen: list[bool] = []
    events.subscribe(db_app, "feedback", lambda **d: seen.append(d["stored"]))
    response = post(client, ACCEPTED, OVERRIDDEN, ACCEPTED)
    assert response.status_code == 200 and response.get_json() == {}
    assert post(client, OVERRIDDEN).status_code == 200
    stored = rows(db_app)
    assert [(r.outcome, r.card_uuid) for r in stored] == [("accepted", CARD), ("overridden", CARD)]
    assert seen == [True, True, False, False]
    assert stored[0].accepted_suggestions == ["0c7e2a4d-5b2e-4a7b-8f3d-6e1c2b9a4d10"]
    assert (stored[1].override_code, stored[1].user_comment) == (
        "already-discussed",
        "Spoke with radiology",
    )


def test_same_card_overridden_later_is_a_new_item(db_app: Flask) -> None:
    later = {**OVERRIDDEN, "outcomeTimestamp": "2026-06-30T15:00:00Z"}
    assert post(db_app.test_client(), OVERRIDDEN, later).status_code == 200
    assert len(rows(db_app)) == 2


INVALID = {
    "missing card": ({k: v for k, v in ACCEPTED.items() if k != "card"}, "$.feedback[0].card"),
    "unknown outcome": ({**ACCEPTED, "outcome": "ignored"}, "$.feedback[0].outcome"),
    "accepted without suggestions": (
        {k: v for k, v in ACCEPTED.items() if k != "acceptedSuggestions"},
        "$.feedback[0].acceptedSuggestions",
    ),
    "overridden with suggestions": (
        {**OVERRIDDEN, "acceptedSuggestions": [{"id": "x"}]},
        "$.feedback[0].acceptedSuggestions",
    ),
    "suggestion without id": (
        {**ACCEPTED, "acceptedSuggestions": [{"uuid": "x"}]},
        "$.feedback[0].acceptedSuggestions[0].id",
    ),
    "empty override reason": ({**OVERRIDDEN, "overrideReason": {}}, "$.feedback[0].overrideReason"),
    "reason without code": (
        {**OVERRIDDEN, "overrideReason": {"reason": {"system": OVERRIDE_SYSTEM}}},
        "$.feedback[0].overrideReason.reason.code",
    ),
    "timestamp in words": (
        {**ACCEPTED, "outcomeTimestamp": "yesterday"},
        "$.feedback[0].outcomeTimestamp",
    ),
    "timestamp without zone": (
        {**ACCEPTED, "outcomeTimestamp": "2026-06-30T14:05:31"},
        "$.feedback[0].outcomeTimestamp",
    ),
    "month 13": (
        {**ACCEPTED, "outcomeTimestamp": "2026-13-30T14:05:31Z"},
        "$.feedback[0].outcomeTimestamp",
    ),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_invalid_feedback_is_a_400_naming_the_field(db_app: Flask, case: str) -> None:
    item, path = INVALID[case]
    response = post(db_app.test_client(), item)
    assert response.status_code == 400
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert path in [e for issue in outcome["issue"] for e in issue.get("expression", [])]
    assert rows(db_app) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_400_never_repeats_the_clinicians_comment(db_app: Flask) -> None:
    comment = "Patient J. Doe declined, see MRN 0012345"
    wrong = {
        **OVERRIDDEN,
        "overrideReason": {"userComment": comment},
        "acceptedSuggestions": [{"id": "x"}],
    }
    response = post(db_app.test_client(), wrong, {**OVERRIDDEN, "overrideReason": {"x": comment}})
    assert response.status_code == 400
    assert comment not in response.get_data(as_text=True)
    expressions = [e for issue in response.get_json()["issue"] for e in issue["expression"]]
    assert expressions == ["$.feedback[0].acceptedSuggestions", "$.feedback[1].overrideReason"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_feedback_body_shape_and_service_are_checked(db_app: Flask) -> None:
    client = db_app.test_client()
    assert client.post(URL, data="not json", content_type="application/json").status_code == 400
    assert client.post(URL, json={"feedback": []}).status_code == 400
    assert client.post(URL, json=[ACCEPTED]).status_code == 400
    assert post(client, ACCEPTED, url="/cds-services/no-such/feedback").status_code == 404


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_feedback_body_is_read_like_a_service_calls(db_app: Flask) -> None:
    """Same JSON rules and OperationOutcomes as ``POST /cds-services/{id}``, never a 500."""
    client = db_app.test_client()
    deep = "[" * 50_000 + "]" * 50_000
    nested = client.post(URL, data=deep, content_type="application/json")
    as_text = client.post(URL, data='{"feedback": []}', content_type="text/plain")
    unknown = client.post("/cds-services/" + "x" * 5000 + "/feedback", json={})
    assert (nested.status_code, as_text.status_code, unknown.status_code) == (400, 400, 404)
    for response in (nested, as_text, unknown):
        assert response.get_json()["resourceType"] == "OperationOutcome"
    assert len(unknown.get_data()) < 1000  # the unknown id is not echoed in full


def card(uuid: str, topic: str, version: str = "1.1.0") -> Card:
    return Card(
        uuid=uuid,
        summary="Suspected cord compression: MRI of the whole spine within 24 hours",
        indicator=Indicator.CRITICAL,
        source=Source("Spine Mass CDS", topic=Coding(TOPIC_SYSTEM, topic)),
        rule_id=f"rule-{topic}",
        rule_version=version,
    )


def _result(*cards: Card) -> pipeline.CallResult:
    """A call's result as the pipeline hands it to the card store (no patient id)."""
    return pipeline.CallResult(
        {"cards": []}, cards=cards, silent=(), resolved=prefetch.Resolved(), patient_id=""
    )


def issue(app: Flask, *cards: Card, iss: str = "https://ehr.example.org") -> None:
    """Deliver a ``call`` event the way the pipeline does after answering a request."""
    with app.test_request_context("/cds-services/order-select", method="POST"):
        app.preprocess_request()
        from flask import g

        g.cds_client_iss, g.cds_client_tenant = iss, "org-1"
        events.emit(
            "call",
            service_id="order-select",
            hook_instance="d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            status=200,
            duration_ms=3.0,
            result=_result(*cards),
        )
    flush(app)  # card records are written in the background; make them readable now


def test_cards_are_recorded_and_feedback_joins_to_their_rule(db_app: Flask) -> None:
    issue(db_app, card("c1", "mri-24h"), card("c2", "mri-24h"), card("c3", "dexamethasone"))
    issue(db_app, card("c1", "mri-24h"))  # the same card recorded twice is one row
    with engine(db_app).connect() as conn:
        recorded = {r.card_uuid: r for r in conn.execute(sa.select(card_record))}
    assert set(recorded) == {"c1", "c2", "c3"}
    assert recorded["c3"].rule_id == "rule-dexamethasone"
    assert (recorded["c1"].client_iss, recorded["c1"].indicator) == (
        "https://ehr.example.org",
        "critical",
    )
    client = db_app.test_client()
    post(client, {**ACCEPTED, "card": "c1"}, {**OVERRIDDEN, "card": "c2"})
    post(client, {**OVERRIDDEN, "card": "c3", "overrideReason": {"userComment": "n/a"}})
    post(client, {**ACCEPTED, "card": "never-issued"})
    report = {(r.topic, r.rule_version): r for r in acceptance_report(engine(db_app))}
    mri = report[("mri-24h", "1.1.0")]
    assert (mri.issued, mri.accepted, mri.overridden, mri.acceptance_rate) == (2, 1, 1, 0.5)
    assert mri.top_override_reasons == [{"code": "already-discussed", "count": 1}]
    dexa = report[("dexamethasone", "1.1.0")]
    assert (dexa.issued, dexa.overridden, dexa.acceptance_rate) == (1, 1, 0.0)
    assert dexa.top_override_reasons == [{"code": "(no reason)", "count": 1}]
    assert report[("(unknown card)", "")].accepted == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_report_command_prints_a_table(
    db_app: Flask, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    issue(db_app, card("c1", "mri-24h"), card("c2", "mri-24h"))
    post(db_app.test_client(), {**OVERRIDDEN, "card": "c1"})
    monkeypatch.setenv("CDS_DATABASE_URL", db_url)
    result = CliRunner().invoke(main, ["report"])
    assert result.exit_code == 0, result.output
    modes, header, line = result.output.splitlines()
    assert modes == "Rule modes in force: all topics active"
    assert header.split()[:4] == ["topic", "rule", "version", "mode"]
    assert line.split() == [
        "mri-24h",
        "1.1.0",
        "active",
        "2",
        "0",
        "0",
        "1",
        "0%",
        "already-discussed",
        "(1)",
    ]


@pytest.mark.parametrize("text", ["Spoke\x00with radiology", "Spoke \ud800 with radiology"])
def test_feedback_text_that_is_not_storable_is_a_400_naming_the_field(
    db_app: Flask, text: str
) -> None:
    """PostgreSQL text holds no NUL and no lone surrogate: a 400, never a 500 (issue 15)."""
    item = {**OVERRIDDEN, "overrideReason": {**OVERRIDDEN["overrideReason"], "userComment": text}}
    response = post(db_app.test_client(), item)
    assert response.status_code == 400
    expressions = [e for issue in response.get_json()["issue"] for e in issue["expression"]]
    assert expressions == ["$.feedback[0].overrideReason.userComment"]
    assert rows(db_app) == []
