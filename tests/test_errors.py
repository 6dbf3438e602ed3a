"""Every protocol error a client can cause: a FHIR OperationOutcome, never HTML or a trace."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.config import settings_of
from tests.openapi_check import assert_conforms
from tests.support import load_fixture

pytestmark = pytest.mark.usefixtures("responses_conform")

URL = "/cds-services/patient-view"


def _body() -> dict[str, Any]:
    body: dict[str, Any] = load_fixture("protocol/patient-view.json")
    return body


def _outcome(response: Any, status: int, path: str = URL, method: str = "post") -> list[Any]:
    """Assert the response is a conforming OperationOutcome; return its issues."""
    assert response.status_code == status, response.data[:500]
    assert response.mimetype == "application/json"
    text = response.get_data(as_text=True)
    assert "<html" not in text.lower() and "Traceback" not in text
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome"
    assert_conforms(path, method, status, body)
    issues: list[Any] = body["issue"]
    return issues


def _expressions(issues: list[Any]) -> set[str]:
    return {e for issue in issues for e in issue.get("expression", [])}


def test_bad_json_is_400(client: FlaskClient) -> None:
    issues = _outcome(client.post(URL, data="{not json", content_type="application/json"), 400)
    assert issues[0]["details"]["coding"][0]["code"] == "CDS-400"


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded"])
def test_non_json_content_type_is_400(client: FlaskClient, ctype: str) -> None:
    issues = _outcome(client.post(URL, data=json.dumps(_body()), content_type=ctype), 400)
    assert "Content-Type" in issues[0]["diagnostics"]


@pytest.mark.parametrize(
    "ctype",
    [None, "application/json", "application/json; charset=utf-8", "application/fhir+json"],
)
def test_json_flavours_and_missing_content_type_are_accepted(
    client: FlaskClient, ctype: str | None
) -> None:
    response = client.post(URL, data=json.dumps(_body()), content_type=ctype)
    assert response.status_code == 200, response.get_json()


def test_missing_envelope_fields_are_all_listed(client: FlaskClient) -> None:
    issues = _outcome(client.post(URL, json={"extension": {}}), 400)
    assert _expressions(issues) == {"$.hook", "$.hookInstance", "$.context"}


def test_body_that_is_not_an_object_is_400(client: FlaskClient) -> None:
    assert _expressions(_outcome(client.post(URL, json=[1, 2]), 400)) == {"$"}


def test_hook_of_another_service_is_400(client: FlaskClient) -> None:
    body = _body() | {"hook": "order-select"}
    issues = _outcome(client.post(URL, json=body), 400)
    assert _expressions(issues) == {"$.hook"}
    assert "patient-view" in issues[0]["diagnostics"]


def test_bad_context_ids_are_listed_with_their_paths(client: FlaskClient) -> None:
    body = _body()
    body["context"] = {"userId": "Device/abc", "patientId": "pt 1/../x", "encounterId": ""}
    issues = _outcome(client.post(URL, json=body), 400)
    assert _expressions(issues) == {
        "$.context.userId",
        "$.context.patientId",
        "$.context.encounterId",
    }
    # The offending values (possibly patient identifiers) are not echoed back.
    assert "pt 1" not in json.dumps(issues)


def test_order_select_malformed_selections_are_400_though_absent_drafts_are_not(
    client: FlaskClient,
) -> None:
    body = load_fixture("protocol/order-select.json")
    body["context"] = {"userId": "Practitioner/1", "patientId": "p1", "selections": ["bad"]}
    issues = _outcome(client.post("/cds-services/order-select", json=body), 400)
    assert _expressions(issues) == {"$.context.selections[0]"}  # absent draftOrders: issue 15


def test_fhir_authorization_without_fhir_server_is_400(client: FlaskClient) -> None:
    body = _body()
    del body["fhirServer"]
    issues = _outcome(client.post(URL, json=body), 400)
    assert _expressions(issues) == {"$.fhirServer"}
    assert "opaque-fhir-access-token" not in json.dumps(issues)


def test_plain_http_fhir_server_is_400(client: FlaskClient) -> None:
    body = _body() | {"fhirServer": "http://ehr.example.org/fhir"}
    assert _expressions(_outcome(client.post(URL, json=body), 400)) == {"$.fhirServer"}


def test_loopback_http_fhir_server_is_accepted_only_when_configured(
    settings: dict[str, Any],
) -> None:
    body = _body() | {"fhirServer": "http://127.0.0.1:9/fhir"}
    strict = create_app(settings).test_client()
    assert strict.post(URL, json=body).status_code == 400
    lenient = create_app(settings | {"FHIR_ALLOW_LOOPBACK_HTTP": True}).test_client()
    assert lenient.post(URL, json=body).status_code == 200


def test_unknown_extra_fields_are_accepted(client: FlaskClient) -> None:
    body = copy.deepcopy(_body())
    body["extension"] = {"org.example.flag": True}
    body["hookVersion"] = "1.0"
    body["context"]["org.example.extra"] = {"x": 1}
    body["fhirAuthorization"]["extra"] = "y"
    response = client.post(URL, json=body)
    assert response.status_code == 200
    assert response.get_json() == {"cards": []}


def test_unknown_service_is_404(client: FlaskClient) -> None:
    _outcome(client.post("/cds-services/nope", json=_body()), 404, "/cds-services/patient-view")


def test_unknown_route_is_404_json(client: FlaskClient) -> None:
    response = client.get("/does/not/exist")
    assert response.status_code == 404 and response.get_json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_wrong_method_is_405_with_allow(client: FlaskClient, method: str) -> None:
    response = getattr(client, method)(URL)
    _outcome(response, 405)
    assert "POST" in response.headers["Allow"]


def test_other_client_http_errors_keep_their_4xx_status(settings: dict[str, Any]) -> None:
    """A bad Range on a preview asset is the client's mistake: 416, not a 500 that pages on-call."""
    client = create_app(settings | {"PREVIEW_ENABLED": True}).test_client()
    with client.get("/preview/static/preview.js", headers={"Range": "bytes=999999-"}) as response:
        assert response.status_code == 416
        outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["details"]["coding"][0]["code"] == "CDS-416"


def test_body_over_the_limit_is_413(settings: dict[str, Any]) -> None:
    app = create_app(settings | {"MAX_BODY_BYTES": 2048})
    body = _body() | {"extension": {"padding": "x" * 4096}}
    _outcome(app.test_client().post(URL, json=body), 413)


def test_default_limit_is_5_mb(app: Flask) -> None:
    assert settings_of(app).max_body_bytes == 5 * 1024 * 1024


@pytest.mark.parametrize("step", ["may_have_context", "evaluate"])  # fast path, full path
def test_unexpected_error_is_a_generic_500(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    from cds_service import pipeline

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail opaque-fhir-access-token")

    monkeypatch.setattr(pipeline, step, boom)
    if step == "evaluate":  # past the screen: a body whose record may give context
        monkeypatch.setattr(pipeline, "may_have_context", lambda record: True)
    response = client.post(URL, json=_body())
    _outcome(response, 500)
    assert "secret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["https://[not-ipv6", "HTTps://\u008a[\u00ddH", "https://"])
def test_malformed_fhir_server_is_400_not_500(client: FlaskClient, url: str) -> None:
    """Found by schemathesis: ``urlsplit`` raises on a malformed bracketed host."""
    body = _body() | {"fhirServer": url}
    assert _expressions(_outcome(client.post(URL, json=body), 400)) == {"$.fhirServer"}


def test_absurdly_nested_json_is_400(client: FlaskClient) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    _outcome(client.post(URL, data=nested, content_type="application/json"), 400)


def test_issue_list_is_capped(client: FlaskClient) -> None:
    body = _body()
    body["prefetch"] = {f"k{i}": "not a resource" for i in range(500)}
    issues = _outcome(client.post(URL, json=body), 400)
    assert len(issues) == 51 and "more problems" in issues[-1]["diagnostics"]
