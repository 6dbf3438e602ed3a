"""CORS: browser clients (the CDS Hooks Sandbox) can preflight and read every route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service import create_app
from tests.support import load_fixture

pytestmark = pytest.mark.usefixtures("responses_conform")

SANDBOX = "https://sandbox.cds-hooks.org"
ROUTES = ["/cds-services", "/cds-services/patient-view", "/cds-services/order-select"]
ROUTES += ["/cds-services/order-sign"]


def _preflight(client: FlaskClient, path: str, origin: str = SANDBOX, **extra: str) -> Any:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST" if path != "/cds-services" else "GET",
        "Access-Control-Request-Headers": "authorization, content-type",
        **extra,
    }
    return client.options(path, headers=headers)


@pytest.mark.parametrize("path", ROUTES)
def test_preflight_is_answered_on_every_route(client: FlaskClient, path: str) -> None:
    response = _preflight(client, path)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SANDBOX
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    allowed = {
        h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")
    }
    assert {"authorization", "content-type"} <= allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert not response.data


@pytest.mark.parametrize(
    "path", ["/cds-services", "/cds-services/patient-view", "/cds-services/order-select/feedback"]
)
def test_preflight_needs_no_authentication(
    settings: dict[str, Any], tmp_path: Path, path: str
) -> None:
    # JWT required (development trust: a local key), yet the browser's preflight carries none.
    required = {"AUTH_MODE": "required", "ENV": "development", "DEV_TRUST_DIR": str(tmp_path)}
    client = create_app(settings | required).test_client()
    response = _preflight(client, path)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == SANDBOX
    assert client.get("/cds-services").status_code == 401  # the real call still needs a token


def test_unknown_origin_gets_no_cors_headers(client: FlaskClient) -> None:
    response = _preflight(client, "/cds-services", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response.headers
    actual = client.get("/cds-services", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in actual.headers


def test_actual_responses_carry_the_origin_errors_included(client: FlaskClient) -> None:
    ok = client.post(
        "/cds-services/patient-view",
        json=load_fixture("protocol/patient-view.json"),
        headers={"Origin": SANDBOX},
    )
    bad = client.post("/cds-services/patient-view", json={}, headers={"Origin": SANDBOX})
    for response in (ok, bad):
        assert response.headers["Access-Control-Allow-Origin"] == SANDBOX
        assert "Origin" in response.headers["Vary"]
    assert (ok.status_code, bad.status_code) == (200, 400)


def test_wildcard_origin_is_star_and_never_with_credentials(settings: dict[str, Any]) -> None:
    client = create_app(settings | {"CORS_ORIGINS": ["*"]}).test_client()
    response = _preflight(client, "/cds-services", origin="http://localhost:3000")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_private_network_preflight_is_allowed_when_asked(client: FlaskClient) -> None:
    response = _preflight(
        client, "/cds-services", **{"Access-Control-Request-Private-Network": "true"}
    )
    assert response.headers["Access-Control-Allow-Private-Network"] == "true"
    plain = _preflight(client, "/cds-services")
    assert "Access-Control-Allow-Private-Network" not in plain.headers


def test_origins_are_configurable_from_a_comma_separated_string(
    settings: dict[str, Any],
) -> None:
    client = create_app(
        settings | {"CORS_ORIGINS": "https://ehr.example.org, https://other.example"}
    ).test_client()
    response = _preflight(client, "/cds-services", origin="https://ehr.example.org")
    assert response.headers["Access-Control-Allow-Origin"] == "https://ehr.example.org"


def test_options_on_an_unknown_route_is_404(client: FlaskClient) -> None:
    assert _preflight(client, "/nowhere").status_code == 404
