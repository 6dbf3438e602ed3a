"""Prefetch: the four states a client can send per key, and the FHIR fallback.

The fallback runs against a real HTTP server on 127.0.0.1 (pytest-httpserver, threaded so
parallel fetches really overlap).
"""

from __future__ import annotations

import copy
import json
import threading
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from werkzeug import Request
from werkzeug import Response

from cds_service import create_app
from cds_service import events
from cds_service import prefetch
from cds_service.config import settings_of
from cds_service.hooks import patient_view
from tests.openapi_check import assert_conforms
from tests.support import load_fixture

pytestmark = pytest.mark.usefixtures("responses_conform")

URL = "/cds-services/patient-view"
TOKEN = "opaque-fhir-access-token-pv"
KEYS = list(patient_view.SERVICE.prefetch)


def _body() -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(load_fixture("protocol/patient-view.json"))
    return body


def _searchset(*resources: dict[str, Any], next_url: str | None = None) -> dict[str, Any]:
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [{"resource": r} for r in resources],
    }
    if next_url:
        bundle["link"] = [{"relation": "next", "url": next_url}]
    return bundle


CONDITION = {
    "resourceType": "Condition",
    "id": "cond-2",
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "189484008"}]},
    "subject": {"reference": "Patient/pt-48213"},
}


def _resolve(app: Flask, body: dict[str, Any]) -> prefetch.Resolved:
    with app.test_request_context():
        return prefetch.resolve(
            patient_view.SERVICE,
            body,
            settings_of(app),
            app.extensions["cds_fhir_fetcher"],
        )


# ---------------------------------------------------------------- the four states


def test_present_keys_are_used_and_nothing_is_fetched(app: Flask) -> None:
    resolved = _resolve(app, _body())
    assert resolved.resources["patient"][0]["id"] == "pt-48213"
    assert [c["id"] for c in resolved.resources["conditions"]] == ["cond-77"]
    assert resolved.fetched == {}


def test_null_key_means_no_data_and_is_never_refetched(app: Flask) -> None:
    body = _body()
    body["prefetch"] = dict.fromkeys(KEYS)
    body["fhirServer"] = "https://never-called.example.org/fhir"
    resolved = _resolve(app, body)
    assert all(resolved.resources[k] == [] for k in KEYS)
    assert set(resolved.sources.values()) == {"null"}


def test_absent_required_key_without_fhir_server_is_412(client: FlaskClient) -> None:
    body = _body()
    del body["prefetch"]["conditions"], body["fhirServer"], body["fhirAuthorization"]
    response = client.post(URL, json=body)
    assert response.status_code == 412
    issues = response.get_json()["issue"]
    assert [i["expression"] for i in issues] == [["prefetch.conditions"]]
    assert_conforms(URL, "post", 412, response.get_json())


CLINICAL = "requests/patient-view/mri-24h--fires--weakness-onset-6-days.json"


def test_absent_optional_key_gives_cards_that_say_what_was_not_checked(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = copy.deepcopy(load_fixture(CLINICAL))
    del body["prefetch"]["devices"], body["prefetch"]["medicationRequests"], body["fhirServer"]
    response = client.post(URL, json=body)
    assert response.status_code == 200
    cards = response.get_json()["cards"]
    assert "mri-24h" in {c["source"]["topic"]["code"] for c in cards}
    for card in cards:
        assert "**Not checked**" in card["detail"], card["summary"]
        assert "Devices (pacemaker or defibrillator" in card["detail"]
        assert "MedicationRequests (an active dexamethasone order)" in card["detail"]
    call_line = next(r for r in caplog.records if getattr(r, "event", "") == "call")
    assert call_line.unavailable == ["devices", "medicationRequests"]  # type: ignore[attr-defined]


def test_complete_prefetch_cards_claim_nothing_unchecked(client: FlaskClient) -> None:
    cards = client.post(URL, json=load_fixture(CLINICAL)).get_json()["cards"]
    assert cards and not any("Not checked" in c["detail"] for c in cards)


def test_resources_under_undeclared_keys_are_read_by_type(client: FlaskClient) -> None:
    body = copy.deepcopy(load_fixture(CLINICAL))
    given = body["prefetch"]
    body["prefetch"] = {  # a client with key names of its own
        "problems": given["conditions"],
        "vitalsAndExams": given["observations"],
        "pt": given["patient"],
    }
    del body["fhirServer"]
    response = client.post(URL, json=body)
    assert response.status_code == 200
    expected = client.post(URL, json=load_fixture(CLINICAL)).get_json()["cards"]
    got = response.get_json()["cards"]
    assert [c["source"]["topic"]["code"] for c in got] == [
        c["source"]["topic"]["code"] for c in expected
    ]
    not_checked = got[0]["detail"]
    # Patient and Conditions were found by type; an empty Bundle under an unknown name says
    # nothing about what was searched, so Observations stay "not checked".
    assert "Patient (age)" not in not_checked and "Devices (" in not_checked
    assert "Observations (" in not_checked


def test_operation_outcome_key_is_refetched(fhir_app: Flask, fhir: HTTPServer) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    body["prefetch"]["conditions"] = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "timeout"}],
    }
    fhir.expect_request("/fhir/Condition", query_string="patient=pt-48213").respond_with_json(
        _searchset(CONDITION)
    )
    resolved = _resolve(fhir_app, body)
    assert [c["id"] for c in resolved.resources["conditions"]] == ["cond-2"]
    assert set(resolved.fetched) == {"conditions"}


def test_bundle_with_error_outcome_entry_is_refetched(fhir_app: Flask, fhir: HTTPServer) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "fatal", "code": "x"}]}
    body["prefetch"]["conditions"] = _searchset(outcome)
    fhir.expect_request("/fhir/Condition").respond_with_json(_searchset(CONDITION))
    assert [c["id"] for c in _resolve(fhir_app, body).resources["conditions"]] == ["cond-2"]


def test_a_client_that_sent_every_key_needs_no_fhir_server(client: FlaskClient) -> None:
    body = _body()
    del body["fhirServer"], body["fhirAuthorization"]
    assert client.post(URL, json=body).status_code == 200


# ---------------------------------------------------------------- the fallback


def test_fallback_sends_the_bearer_token_and_accept_header(
    fhir_app: Flask, fhir: HTTPServer
) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["patient"]
    fhir.expect_request(
        "/fhir/Patient/pt-48213",
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "application/fhir+json"},
    ).respond_with_json({"resourceType": "Patient", "id": "pt-48213"})
    response = fhir_app.test_client().post(URL, json=body)
    assert response.status_code == 200, response.get_json()
    assert len(fhir.log) == 1
    fhir.check_assertions()


def test_fallback_without_authorization_sends_no_token(fhir_app: Flask, fhir: HTTPServer) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["fhirAuthorization"], body["prefetch"]["patient"]
    fhir.expect_request("/fhir/Patient/pt-48213").respond_with_json(
        {"resourceType": "Patient", "id": "pt-48213"}
    )
    assert fhir_app.test_client().post(URL, json=body).status_code == 200
    (request, _), *_ = fhir.log
    assert "Authorization" not in request.headers


def _slow(delay: float, payload: dict[str, Any]) -> Any:
    def handler(_request: Request) -> Response:
        time.sleep(delay)
        return Response(json.dumps(payload), content_type="application/fhir+json")

    return handler


def test_keys_are_fetched_in_parallel(fhir_app: Flask, fhir: HTTPServer) -> None:
    """Each key's search waits until the other's has arrived: only parallel fetches meet."""
    both_in_flight = threading.Barrier(2)

    def meet(payload: dict[str, Any]) -> Any:
        def handler(_request: Request) -> Response:
            try:
                both_in_flight.wait(timeout=5)
            except threading.BrokenBarrierError:  # fetched one after the other
                return Response("sequential", status=503)
            return Response(json.dumps(payload), content_type="application/fhir+json")

        return handler

    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["conditions"], body["prefetch"]["observations"]
    fhir.expect_request("/fhir/Condition").respond_with_handler(meet(_searchset(CONDITION)))
    fhir.expect_request("/fhir/Observation").respond_with_handler(meet(_searchset()))
    resolved = _resolve(fhir_app, body)
    assert set(resolved.fetched) == {"conditions", "observations"}


def test_deadline_turns_a_slow_server_into_412(
    fhir_settings: dict[str, Any], fhir: HTTPServer
) -> None:
    app = create_app(fhir_settings | {"FHIR_DEADLINE_S": 0.2, "FHIR_READ_TIMEOUT_S": 0.3})
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["conditions"]
    fhir.expect_request("/fhir/Condition").respond_with_handler(_slow(0.6, _searchset()))
    started = time.monotonic()
    response = app.test_client().post(URL, json=body)
    assert time.monotonic() - started < 0.45
    assert response.status_code == 412
    issue = response.get_json()["issue"][0]
    assert issue["expression"] == ["prefetch.conditions"]
    assert "timeout" in issue["diagnostics"]
    time.sleep(0.4)  # let the abandoned slow request finish before the next test's log


def test_default_deadline_is_well_under_the_500_ms_budget(app: Flask) -> None:
    assert settings_of(app).fhir_deadline_s <= 0.4


def test_next_links_are_followed(fhir_app: Flask, fhir: HTTPServer) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["conditions"]
    page2 = fhir.url_for("/fhir/page2")
    fhir.expect_request("/fhir/Condition").respond_with_json(_searchset(CONDITION, next_url=page2))
    second = dict(CONDITION, id="cond-3")
    fhir.expect_request("/fhir/page2").respond_with_json(_searchset(second))
    resolved = _resolve(fhir_app, body)
    assert [c["id"] for c in resolved.resources["conditions"]] == ["cond-2", "cond-3"]


def test_prefetched_page_with_next_link_gets_its_remaining_pages(
    fhir_app: Flask, fhir: HTTPServer
) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    body["prefetch"]["conditions"]["link"] = [
        {"relation": "next", "url": fhir.url_for("/fhir/page2")}
    ]
    fhir.expect_request("/fhir/page2").respond_with_json(_searchset(CONDITION))
    resolved = _resolve(fhir_app, body)
    assert [c["id"] for c in resolved.resources["conditions"]] == ["cond-77", "cond-2"]


def test_page_cap_makes_an_endless_search_412(
    fhir_settings: dict[str, Any], fhir: HTTPServer
) -> None:
    app = create_app(fhir_settings | {"FHIR_MAX_PAGES": 3})
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["conditions"]
    fhir.expect_request("/fhir/Condition").respond_with_json(
        _searchset(next_url=fhir.url_for("/fhir/loop"))
    )
    fhir.expect_request("/fhir/loop").respond_with_json(
        _searchset(next_url=fhir.url_for("/fhir/loop"))
    )
    response = app.test_client().post(URL, json=body)
    assert response.status_code == 412
    assert len(fhir.log) == 3


def test_next_link_outside_the_fhir_server_is_never_followed(
    fhir_app: Flask, fhir: HTTPServer
) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["conditions"]
    fhir.expect_request("/fhir/Condition").respond_with_json(
        _searchset(CONDITION, next_url=fhir.url_for("/elsewhere/page2"))
    )
    response = fhir_app.test_client().post(URL, json=body)
    assert response.status_code == 412
    assert [r.path for r, _ in fhir.log] == ["/fhir/Condition"]


def test_error_answers_are_412_without_the_token(fhir_app: Flask, fhir: HTTPServer) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["conditions"], body["prefetch"]["devices"]
    fhir.expect_request("/fhir/Condition").respond_with_json(
        {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "x"}]}
    )
    fhir.expect_request("/fhir/Device").respond_with_data("nope", status=500)
    response = fhir_app.test_client().post(URL, json=body)
    assert response.status_code == 412
    assert {i["expression"][0] for i in response.get_json()["issue"]} == {"prefetch.conditions"}
    assert TOKEN not in response.get_data(as_text=True)


def test_fhir_server_not_on_the_allow_list_is_never_contacted(
    settings: dict[str, Any], fhir: HTTPServer
) -> None:
    app = create_app(settings | {"FHIR_ALLOW_LOOPBACK_HTTP": True})  # empty allow-list
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["conditions"]
    seen: list[dict[str, Any]] = []
    events.subscribe(app, "fhir_fetch", lambda **data: seen.append(data))
    response = app.test_client().post(URL, json=body)
    assert response.status_code == 412
    assert "allow-list" in response.get_json()["issue"][0]["diagnostics"]
    assert fhir.log == []
    assert seen == [{"key": "conditions", "status": "refused", "latency_ms": 0.0}]


def test_allow_listed_base_does_not_admit_a_lookalike_prefix(
    fhir_app: Flask, fhir: HTTPServer
) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir-evil")
    del body["prefetch"]["conditions"]
    assert fhir_app.test_client().post(URL, json=body).status_code == 412
    assert fhir.log == []


def test_fetch_events_report_key_status_and_latency(fhir_app: Flask, fhir: HTTPServer) -> None:
    body = _body()
    body["fhirServer"] = fhir.url_for("/fhir")
    del body["prefetch"]["patient"]
    fhir.expect_request("/fhir/Patient/pt-48213").respond_with_json(
        {"resourceType": "Patient", "id": "pt-48213"}
    )
    seen: list[dict[str, Any]] = []
    events.subscribe(fhir_app, "fhir_fetch", lambda **data: seen.append(data))
    assert fhir_app.test_client().post(URL, json=body).status_code == 200
    assert [(e["key"], e["status"]) for e in seen] == [("patient", "ok")]
    assert seen[0]["latency_ms"] > 0


def test_templates_fill_only_2_0_tokens() -> None:
    ctx = {"patientId": "p-1", "userId": "PractitionerRole/r-9"}
    assert prefetch.render("Patient/{{context.patientId}}", ctx) == "Patient/p-1"
    assert prefetch.render("PractitionerRole/{{userPractitionerRoleId}}", ctx) == (
        "PractitionerRole/r-9"
    )
    assert prefetch.render("Practitioner/{{userPractitionerId}}", ctx) is None
    assert prefetch.render("Encounter/{{context.encounterId}}", ctx) is None
    assert prefetch.render("Patient/{{context.patientId}}", {"patientId": ".."}) is None


def test_resources_about_another_patient_never_count(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = copy.deepcopy(load_fixture(CLINICAL))
    pid = body["context"]["patientId"]
    other = {
        "resourceType": "Condition",
        "id": "someone-else",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "71286001"}]},
        "subject": {"reference": "https://ehr.example.org/fhir/R4/Patient/not-" + pid},
    }
    body["prefetch"]["conditions"]["entry"].append({"resource": other})
    body["prefetch"]["conditions"]["total"] += 1
    cards = client.post(URL, json=body).get_json()["cards"]
    topics = {c["source"]["topic"]["code"] for c in cards}
    assert "mri-24h" in topics and "mri-12h" not in topics  # no cord compression borrowed
    assert all("someone-else" not in c.get("detail", "") for c in cards)
    line = next(r for r in caplog.records if getattr(r, "event", "") == "call")
    assert line.other_patient_resources_dropped == 1  # type: ignore[attr-defined]


def test_unverifiable_patient_references_are_kept() -> None:
    other = prefetch.OtherPatient("p1")
    assert not other({"resourceType": "Condition", "subject": {"reference": "urn:uuid:0b1c"}})
    assert not other({"resourceType": "Condition"})
    assert other({"resourceType": "Device", "patient": {"reference": "Patient/p2"}})
    assert not other({"resourceType": "Observation", "subject": {"reference": "Patient/p1"}})
