"""Hostile and messy input (issue 15): never a 500, never another patient's cards.

Each test starts from a real request fixture that fires cards and changes one thing an
attacker or a messy EHR could change; what the clinician would see is asserted.
"""

from __future__ import annotations

import copy
import io
import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer

from cds_service import jsonio
from cds_service import pipeline
from cds_service.config import settings_of
from cds_service.errors import InvalidRequest
from cds_service.logic.extract.fhir import parse_timestamp
from cds_service.store import engine
from cds_service.store.schema import feedback
from tests.support import FIXTURE_NOW
from tests.support import load_fixture
from tests.support import normalise

URL = "/cds-services/patient-view"
FIRES = "requests/patient-view/mri-12h--fires--cord-compression-snomed.json"
PID = "pt-0001"


def _body() -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(load_fixture(FIRES))
    return body


def _conditions(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in body["prefetch"]["conditions"]["entry"]]


def _topics(response: Any) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {c["source"]["topic"]["code"] for c in response.get_json()["cards"]}


def _call_line(caplog: pytest.LogCaptureFixture) -> Any:
    return next(r for r in caplog.records if getattr(r, "event", "") == "call")


def test_the_fixture_fires_the_urgent_card(client: FlaskClient) -> None:
    assert "mri-12h" in _topics(client.post(URL, json=_body()))


# ---------------------------------------------------------------- 1. wrong patient

OTHER_FORMS = [
    "Patient/other/_history/2",
    "Patient/other/",
    " Patient/other",
    "Patient/other ",
    "https://ehr.example.org/fhir/R4/Patient/other",
    "https://elsewhere.example.org/fhir/Patient/other/_history/7",
    "http://ehr.example.org/fhir/R4/Patient/other/",
    "Patient/oth%65r",
]


@pytest.mark.parametrize("reference", OTHER_FORMS)
def test_another_patients_record_in_any_reference_form_makes_no_card(
    client: FlaskClient, caplog: pytest.LogCaptureFixture, reference: str
) -> None:
    body = _body()
    for condition in _conditions(body):
        condition["subject"] = {"reference": reference}
    assert "mri-12h" not in _topics(client.post(URL, json=body))
    assert _call_line(caplog).other_patient_resources_dropped == 2


def test_another_patient_named_by_urn_uuid_inside_the_bundle_makes_no_card(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = _body()
    urn = "urn:uuid:5f0c7b1e-7a0d-4c39-9c55-0c9d1f2a3b4c"
    for condition in _conditions(body):
        condition["subject"] = {"reference": urn}
    body["prefetch"]["conditions"]["entry"].append(
        {"fullUrl": urn, "resource": {"resourceType": "Patient", "id": "other"}}
    )
    assert "mri-12h" not in _topics(client.post(URL, json=body))
    assert _call_line(caplog).other_patient_resources_dropped == 3  # 2 Conditions + the Patient


@pytest.mark.parametrize(
    "reference",
    [
        f"Patient/{PID}/_history/3",
        f"https://ehr.example.org/fhir/R4/Patient/{PID}",
        f" Patient/{PID}/ ",
        "urn:uuid:9a1c2b3d-0000-4c39-9c55-0c9d1f2a3b4c",
    ],
)
def test_the_patients_own_record_in_any_reference_form_still_fires(
    client: FlaskClient, reference: str
) -> None:
    body = _body()
    for condition in _conditions(body):
        condition["subject"] = {"reference": reference}
    body["prefetch"]["conditions"]["entry"].append(
        {
            "fullUrl": "urn:uuid:9a1c2b3d-0000-4c39-9c55-0c9d1f2a3b4c",
            "resource": {"resourceType": "Patient", "id": PID},
        }
    )
    assert "mri-12h" in _topics(client.post(URL, json=body))


def test_a_draft_order_about_another_patient_is_counted(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = copy.deepcopy(load_fixture("protocol/order-select.json"))
    draft = body["context"]["draftOrders"]["entry"][0]["resource"]
    draft["subject"] = {"reference": "Patient/other/_history/1"}
    response = client.post("/cds-services/order-select", json=body)
    assert response.status_code == 200
    assert _call_line(caplog).other_patient_resources_dropped == 1


# ---------------------------------------------------------------- 2. dates


@pytest.mark.parametrize(
    "when", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+01:00", "2026-11-23T23:59:60Z"]
)
def test_a_placeholder_or_edge_date_never_costs_the_urgent_card(
    client: FlaskClient, when: str
) -> None:
    body = _body()
    for condition in _conditions(body):
        condition["onsetDateTime"] = when
        condition["recordedDate"] = when
    assert "mri-12h" in _topics(client.post(URL, json=body))


def test_every_date_fhir_allows_is_read() -> None:
    assert parse_timestamp("2026-11-23T23:59:60Z").second == 59  # leap second
    assert parse_timestamp("2026-11-23T12:00:00.123456789+14:00").hour == 22
    assert parse_timestamp("2026").year == 2026
    assert parse_timestamp("2026-02").month == 2
    assert parse_timestamp("9999-12-31T23:59:59-05:00") is None  # past datetime.max: unknown
    assert parse_timestamp("0001-01-01T00:00:00+01:00") is None
    assert parse_timestamp("2026-13-01") is None


# ---------------------------------------------------------------- 6. malformed values


@pytest.mark.parametrize(
    ("element", "value"),
    [("id", {"a": 1}), ("id", [1]), ("id", 5), ("resourceType", 5), ("resourceType", ["x"])],
)
def test_a_resource_with_a_non_string_id_or_type_is_skipped_and_named(
    client: FlaskClient, element: str, value: Any
) -> None:
    body = _body()
    bad = copy.deepcopy(_conditions(body)[0])
    bad[element] = value
    body["prefetch"]["conditions"]["entry"].append({"resource": bad})
    response = client.post(URL, json=body)
    assert "mri-12h" in _topics(response)
    assert all("**Not checked**" in c["detail"] for c in response.get_json()["cards"])


def test_a_lone_surrogate_inside_a_resource_skips_that_resource_only(client: FlaskClient) -> None:
    body = _body()
    _conditions(body)[0]["code"]["text"] = "spinal \ud800 mass"
    response = client.post(URL, json=body)
    assert "mri-12h" in _topics(response)
    assert all("**Not checked**" in c["detail"] for c in response.get_json()["cards"])


ORDER = "requests/order-select/mri-12h--fires--pama-draft-without-code.json"
COND = ("prefetch", "conditions", "entry", 0, "resource")
DRAFT = ("context", "draftOrders", "entry", 0, "resource")
DRAFT_PATH = "$.context.draftOrders.entry[0].resource"
#: fixture, where a lone surrogate goes (a value, or a key when last is ``KEY``), and the
#: JSON path the 400 names, or ``None``: the EHR's resource holding it is skipped and named.
KEY = "<key>"
SURROGATES = [
    (
        FIRES,
        ("prefetch", "medicationRequests", "resourceType"),
        "$.prefetch.medicationRequests.resourceType",
    ),
    (ORDER, ("prefetch", "patient", "resourceType"), "$.prefetch.patient.resourceType"),
    (ORDER, ("prefetch", "conditions", "resourceType"), "$.prefetch.conditions.resourceType"),
    (FIRES, ("prefetch", "conditions", "type"), "$.prefetch.conditions.type"),
    (FIRES, ("prefetch", "medicationRequests", KEY), "$.prefetch.medicationRequests\\ud800"),
    (FIRES, ("hook",), "$.hook"),
    (FIRES, ("hookInstance",), "$.hookInstance"),
    (ORDER, ("hookInstance",), "$.hookInstance"),
    (FIRES, ("context", "userId"), "$.context.userId"),
    (ORDER, ("context", "patientId"), "$.context.patientId"),
    (FIRES, ("context", "patientId", KEY), "$.context.patientId\\ud800"),
    (ORDER, ("context", "selections", 0), "$.context.selections[0]"),
    (ORDER, (*DRAFT, "id"), f"{DRAFT_PATH}.id"),
    (
        ORDER,
        (*DRAFT, "reasonCode", 0, "coding", 0, "code"),
        f"{DRAFT_PATH}.reasonCode[0].coding[0].code",
    ),
    (FIRES, ("prefetch", "patient", "id"), None),
    (ORDER, ("prefetch", "patient", "birthDate", KEY), None),
    (FIRES, (*COND, "id"), None),
    (ORDER, (*COND, "code", "coding", 0, "code"), None),
    (FIRES, (*COND, "code", "coding", 0, "display"), None),
    (ORDER, (*COND, "subject", "reference"), None),
    (FIRES, (*COND, "subject", KEY), None),
]


def _with_surrogate(name: str, path: tuple[str | int, ...]) -> str:
    """The fixture as JSON text with a lone surrogate added at ``path``, escaped as sent."""
    body = copy.deepcopy(load_fixture(name))
    *parents, last = path
    if last == KEY:
        *parents, last = parents
    parent = body
    for step in parents:
        parent = parent[step]
    if path[-1] == KEY:
        parent[f"{last}\ud800"] = parent.pop(last)
    else:
        parent[last] += "\udc00"
    return json.dumps(body)  # ensure_ascii (the default): the \ud800 escape itself is sent


def _pipeline_answers(app: Flask, hook: str, text: str) -> list[Any]:
    """The cards, or the 400's OperationOutcome, of the fast path and of the full path."""
    answers = []
    for fast_path in (True, False):
        body, unreadable = jsonio.parse_body(text.encode())
        service = app.extensions["cds_registry"].get(hook)
        fetcher = app.extensions["cds_fhir_fetcher"]
        try:
            result = pipeline.call(
                service,
                body,
                settings_of(app),
                fetcher,
                now=FIXTURE_NOW,
                unreadable=unreadable,
                fast_path=fast_path,
            )
        except InvalidRequest as error:
            answers.append(error.to_operation_outcome())
        else:
            answers.append(normalise(result.body["cards"]))
    return answers


@pytest.mark.parametrize(("name", "path", "where"), SURROGATES)
def test_a_lone_surrogate_anywhere_is_a_400_naming_it_or_a_skipped_resource(
    app: Flask, client: FlaskClient, name: str, path: tuple[str | int, ...], where: str | None
) -> None:
    """The envelope is the client's request: a 400 naming the field. A prefetched resource
    is the EHR's data: skipped and named under "Not checked", the other cards kept."""
    text = _with_surrogate(name, path)
    hook = load_fixture(name)["hook"]
    response = client.post(f"/cds-services/{hook}", data=text, content_type="application/json")
    if where is None:
        cards = response.get_json()["cards"]
        assert response.status_code == 200
        assert cards and all("1 unreadable resource" in c["detail"] for c in cards)
        assert _pipeline_answers(app, hook, text) == [normalise(cards)] * 2
    else:
        outcome = response.get_json()
        assert response.status_code == 400
        assert outcome["resourceType"] == "OperationOutcome"
        assert {i["details"]["coding"][0]["code"] for i in outcome["issue"]} == {"CDS-400"}
        assert [where] in [i.get("expression") for i in outcome["issue"]]
        assert _pipeline_answers(app, hook, text) == [outcome] * 2


def test_a_bundle_whose_entry_is_a_number_is_not_a_500(client: FlaskClient) -> None:
    body = _body()
    body["prefetch"]["devices"] = {"resourceType": "Bundle", "type": "searchset", "entry": 5}
    del body["fhirServer"]
    response = client.post(URL, json=body)
    assert "mri-12h" in _topics(response)
    assert all("**Not checked**" in c["detail"] for c in response.get_json()["cards"])
    body["prefetch"]["conditions"]["entry"] = 5
    assert client.post(URL, json=body).status_code == 412  # required and unreadable


def test_draft_orders_whose_entry_is_a_number_is_a_400(client: FlaskClient) -> None:
    body = copy.deepcopy(load_fixture("protocol/order-select.json"))
    body["context"]["draftOrders"]["entry"] = 5
    response = client.post("/cds-services/order-select", json=body)
    assert response.status_code == 400


# ---------------------------------------------------------------- 7. path escape


@pytest.mark.parametrize(
    "suffix",
    [
        "/fhir/%2e%2e/x",
        "/fhir/%2E%2e/x",
        "/fhir/.%2e/x",
        "/fhir/%2e./x",
        "/fhir/x/%2e%2e/%2e%2e/y",
        "/fhir/..%2fx",
        "/fhir/%2e%2e%2fx",
        "/fhir/x%2f..%2f..%2fy",
        "/fhir/..",
        "/fhir/%2e%2e",
        "/fhir/x/../../y",
        "/fhir/%252e%252e/x",
        "/fhir\\..\\x",
    ],
)
def test_a_fhir_server_that_escapes_the_allowed_base_is_never_called(
    fhir_app: Flask, fhir: HTTPServer, suffix: str
) -> None:
    body = copy.deepcopy(load_fixture("protocol/patient-view.json"))
    body["fhirServer"] = fhir.url_for("/").rstrip("/") + suffix
    del body["prefetch"]["conditions"]
    response = fhir_app.test_client().post(URL, json=body)
    assert response.status_code in (400, 412)
    assert fhir.log == []


def test_a_harmless_dot_segment_under_the_base_is_still_served(
    fhir_app: Flask, fhir: HTTPServer
) -> None:
    body = copy.deepcopy(load_fixture("protocol/patient-view.json"))
    body["fhirServer"] = fhir.url_for("/fhir/R4/%2e%2e")  # = /fhir: inside the allow-list
    del body["prefetch"]["conditions"]
    fhir.expect_request("/fhir/Condition").respond_with_json(
        {"resourceType": "Bundle", "type": "searchset"}
    )
    response = fhir_app.test_client().post(URL, json=body)
    assert response.status_code == 200
    assert [r.path for r, _ in fhir.log] == ["/fhir/Condition"]


# ---------------------------------------------------------------- 8. body size


def test_a_huge_chunked_body_is_413(client: FlaskClient) -> None:
    big = b'{"hook": "patient-view", "x": "' + b"a" * (20 * 1024 * 1024) + b'"}'
    response = client.post(
        URL,
        input_stream=io.BytesIO(big),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn sets for chunked
    )
    assert response.status_code == 413
    assert response.get_json()["resourceType"] == "OperationOutcome"


# ---------------------------------------------------------------- 9. order-select context


def test_order_select_without_selections_or_drafts_answers_as_with_no_drafts(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = _body()
    body["hook"] = "order-select"
    body["context"]["userId"] = "Practitioner/prac-1001"
    response = client.post("/cds-services/order-select", json=body)
    assert "mri-12h" in _topics(response)
    events = [getattr(r, "event", "") for r in caplog.records]
    assert "context_incomplete" in events


@pytest.mark.parametrize(
    ("key", "value"), [("selections", 5), ("selections", [3]), ("draftOrders", "x")]
)
def test_order_select_with_a_malformed_context_stays_400(
    client: FlaskClient, key: str, value: Any
) -> None:
    body = _body()
    body["hook"] = "order-select"
    body["context"][key] = value
    response = client.post("/cds-services/order-select", json=body)
    assert response.status_code == 400
    assert any(
        f"$.context.{key}" in (i.get("expression") or [""])[0] for i in response.get_json()["issue"]
    )


def test_feedback_with_a_placeholder_timestamp_is_stored_with_an_unknown_time(
    client: FlaskClient, app: Flask
) -> None:
    item = {
        "card": "9b1f6c3e-4a52-4f1a-9d0e-2f8f6a1b7c01",
        "outcome": "accepted",
        "acceptedSuggestions": [{"id": "0c7e2a4d-5b2e-4a7b-8f3d-6e1c2b9a4d10"}],
        "outcomeTimestamp": "9999-12-31T23:59:59-05:00",
    }
    url = "/cds-services/patient-view/feedback"
    assert client.post(url, json={"feedback": [item]}).status_code == 200
    assert client.post(url, json={"feedback": [item]}).status_code == 200  # a retry: one row
    with engine(app).connect() as conn:
        rows = list(conn.execute(sa.select(feedback.c.outcome_timestamp)))
    assert rows == [(None,)]
    item["outcomeTimestamp"] = "2026-13-01T00:00:00Z"
    assert client.post(url, json={"feedback": [item]}).status_code == 400
