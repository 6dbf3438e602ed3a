"""JWT matrix: what an EHR's token must be for the service to answer (checklist §6b).

Keys are generated here; the ES384 client's key set is served by a real HTTP server on
127.0.0.1 and named by the token's ``jku``; the RS384 client's by ``jwks_uri`` (no jku).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer

from cds_service import create_app
from cds_service import events
from tests.trust.trust_helpers import BASE_URL
from tests.trust.trust_helpers import public_jwk
from tests.trust.trust_helpers import token

ES_ISS = "https://ehr.example.org"
RS_ISS = "https://rs-ehr.example.org"
DISCOVERY_AUD = f"{BASE_URL}/cds-services"


@pytest.fixture
def trust(httpserver: HTTPServer, ec_key: Any, rsa_key: Any, tmp_path: Path) -> dict[str, Any]:
    """Serve both clients' key sets and write the clients file trusting them."""
    httpserver.expect_request("/es/jwks.json").respond_with_json(
        {"keys": [public_jwk(ec_key, "es-1", "ES384")]}
    )
    httpserver.expect_request("/rs/jwks.json").respond_with_json(
        {"keys": [public_jwk(rsa_key, "rs-1", "RS384")]}
    )
    jku = httpserver.url_for("/es/jwks.json")
    clients = [
        {"iss": ES_ISS, "jku": [jku], "algorithms": ["ES384"]},
        {"iss": RS_ISS, "jwks_uri": httpserver.url_for("/rs/jwks.json"), "tenant": ["org-1"]},
    ]
    path = tmp_path / "clients.json"
    path.write_text(json.dumps(clients))
    return {"clients_file": str(path), "jku": jku}


@pytest.fixture
def auth_app(settings: dict[str, Any], trust: dict[str, Any]) -> Flask:
    return create_app(
        {
            **settings,
            "AUTH_MODE": "required",
            "CLIENTS_FILE": trust["clients_file"],
            "PUBLIC_BASE_URL": BASE_URL,
            "JWKS_ALLOW_LOOPBACK_HTTP": True,
            "JWKS_MIN_REFETCH_S": 0,
        }
    )


@pytest.fixture
def auth_client(auth_app: Flask) -> FlaskClient:
    return auth_app.test_client()


def es_token(ec_key: Any, trust: dict[str, Any], **kw: Any) -> str:
    args: dict[str, Any] = {"kid": "es-1", "iss": ES_ISS, "aud": DISCOVERY_AUD, "jku": trust["jku"]}
    args.update(kw)
    return token(ec_key, "ES384", **args)


def get(client: FlaskClient, tok: str, path: str = "/cds-services") -> Any:
    return client.get(path, headers={"Authorization": f"Bearer {tok}"})


def test_valid_es384_token_via_jku_is_accepted(
    auth_client: FlaskClient, ec_key: Any, trust: dict[str, Any]
) -> None:
    assert get(auth_client, es_token(ec_key, trust)).status_code == 200


def test_algorithms_typed_as_a_plain_list_in_the_environment_are_read_as_names(
    settings: dict[str, Any],
    trust: dict[str, Any],
    ec_key: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``CDS_JWT_ALGORITHMS=ES384,RS384`` is not JSON; it was read letter by letter."""
    monkeypatch.setenv("CDS_JWT_ALGORITHMS", "ES384,RS384")
    app = create_app(
        {
            **settings,
            "AUTH_MODE": "required",
            "CLIENTS_FILE": trust["clients_file"],
            "PUBLIC_BASE_URL": BASE_URL,
            "JWKS_ALLOW_LOOPBACK_HTTP": True,
        }
    )
    assert get(app.test_client(), es_token(ec_key, trust)).status_code == 200


def test_valid_rs384_token_via_jwks_uri_calls_a_service(
    auth_client: FlaskClient, auth_app: Flask, rsa_key: Any
) -> None:
    service = auth_app.extensions["cds_registry"].get("patient-view")
    aud = f"{BASE_URL}/cds-services/patient-view"
    tok = token(rsa_key, "RS384", kid="rs-1", iss=RS_ISS, aud=aud, tenant="org-1")
    body = {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": "pt-1"},
        "prefetch": dict.fromkeys(service.prefetch),
    }
    response = auth_client.post(
        "/cds-services/patient-view", json=body, headers={"Authorization": f"Bearer {tok}"}
    )
    assert response.status_code == 200
    assert response.get_json() == {"cards": []}


def _hs256(ec_key: Any, trust: dict[str, Any]) -> str:
    now = int(time.time())
    claims = {"iss": ES_ISS, "aud": DISCOVERY_AUD, "iat": now, "exp": now + 60, "jti": "h"}
    headers = {"kid": "es-1", "jku": trust["jku"]}
    return jwt.encode(claims, "shared-secret-of-32-bytes-length!", "HS256", headers=headers)


def _alg_none(ec_key: Any, trust: dict[str, Any]) -> str:
    signed = es_token(ec_key, trust)
    header = jwt.utils.base64url_encode(
        json.dumps({"alg": "none", "kid": "es-1", "typ": "JWT", "jku": trust["jku"]}).encode()
    )
    return f"{header.decode()}.{signed.split('.')[1]}."


def _wrong_signature(ec_key: Any, trust: dict[str, Any]) -> str:
    return es_token(ec.generate_private_key(ec.SECP384R1()), trust)


NOW = int(time.time())
BAD_TOKENS = {
    "alg none": _alg_none,
    "HS256": _hs256,
    "wrong signature": _wrong_signature,
    "unknown kid": lambda k, t: es_token(k, t, kid="es-rotated-away"),
    "jku not allowed": lambda k, t: es_token(k, t, jku="https://evil.example/jwks.json"),
    "untrusted iss": lambda k, t: es_token(k, t, iss="https://other-ehr.example.org"),
    "wrong aud": lambda k, t: es_token(k, t, aud=f"{BASE_URL}/cds-services/patient-view"),
    "aud on another host": lambda k, t: es_token(k, t, aud="https://evil.example/cds-services"),
    "expired": lambda k, t: es_token(k, t, iat=NOW - 900, exp=NOW - 300),
    "iat in the future": lambda k, t: es_token(k, t, iat=int(time.time()) + 600),
    "missing jti": lambda k, t: es_token(k, t, drop=("jti",)),
    "missing exp": lambda k, t: es_token(k, t, drop=("exp",)),
    "lifetime over an hour": lambda k, t: es_token(k, t, exp=int(time.time()) + 7200),
    "garbage": lambda k, t: "not.a.jwt",
}
#: The reason code each case must be logged with (the client is never told).
REASONS = dict(
    zip(
        BAD_TOKENS,
        "alg-not-allowed alg-not-allowed bad-signature unknown-kid jku-not-allowed untrusted-iss "
        "wrong-aud wrong-aud expired not-yet-valid missing-claim missing-claim lifetime-too-long "
        "malformed".split(),
        strict=True,
    )
)


@pytest.mark.parametrize("case", BAD_TOKENS, ids=list(BAD_TOKENS))
def test_bad_token_is_refused_without_saying_why(
    case: str,
    auth_client: FlaskClient,
    ec_key: Any,
    trust: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    tok = BAD_TOKENS[case](ec_key, trust)
    with caplog.at_level(logging.WARNING, logger="cds_service.auth"):
        response = get(auth_client, tok)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["details"]["text"] == "Authentication required."
    refusals = [r for r in caplog.records if getattr(r, "event", None) == "auth_refused"]
    assert [r.reason for r in refusals] == [REASONS[case]]
    assert tok not in caplog.text


def test_replayed_jti_is_refused_and_announced(
    auth_app: Flask, auth_client: FlaskClient, ec_key: Any, trust: dict[str, Any]
) -> None:
    refused: list[str] = []
    events.subscribe(auth_app, "auth_refused", lambda reason: refused.append(reason))
    tok = es_token(ec_key, trust)
    assert get(auth_client, tok).status_code == 200
    assert get(auth_client, tok).status_code == 401
    assert refused == ["replayed-jti"]


def test_missing_or_non_bearer_header_is_refused(auth_client: FlaskClient) -> None:
    assert auth_client.get("/cds-services").status_code == 401
    basic = auth_client.get("/cds-services", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.status_code == 401


def test_tenant_must_be_allowed(auth_client: FlaskClient, rsa_key: Any) -> None:
    def call(**claims: Any) -> int:
        tok = token(rsa_key, "RS384", kid="rs-1", iss=RS_ISS, aud=DISCOVERY_AUD, **claims)
        return int(get(auth_client, tok).status_code)

    assert call(tenant="org-1") == 200
    assert call(tenant="org-2") == 401
    assert call() == 401


def test_preflight_and_health_need_no_token(auth_client: FlaskClient) -> None:
    assert auth_client.options("/cds-services").status_code != 401
    assert auth_client.get("/health").status_code == 200


def test_rotated_key_is_fetched_once_on_unknown_kid(
    auth_client: FlaskClient, httpserver: HTTPServer, ec_key: Any, trust: dict[str, Any]
) -> None:
    assert get(auth_client, es_token(ec_key, trust)).status_code == 200
    new_key = ec.generate_private_key(ec.SECP384R1())
    httpserver.clear_all_handlers()
    httpserver.expect_request("/es/jwks.json").respond_with_json(
        {"keys": [public_jwk(new_key, "es-2", "ES384")]}
    )
    assert get(auth_client, es_token(new_key, trust, kid="es-2")).status_code == 200


def test_unknown_kids_do_not_hammer_the_key_server(
    settings: dict[str, Any], trust: dict[str, Any], httpserver: HTTPServer, ec_key: Any
) -> None:
    app = create_app(
        {
            **settings,
            "AUTH_MODE": "required",
            "CLIENTS_FILE": trust["clients_file"],
            "PUBLIC_BASE_URL": BASE_URL,
            "JWKS_ALLOW_LOOPBACK_HTTP": True,
        }
    )
    client = app.test_client()
    assert get(client, es_token(ec_key, trust)).status_code == 200
    for i in range(20):
        assert get(client, es_token(ec_key, trust, kid=f"made-up-{i}")).status_code == 401
    fetches = [r for r, _ in httpserver.log if r.path == "/es/jwks.json"]
    assert len(fetches) == 1


def test_key_set_on_file_is_used_without_fetching_the_jku(
    settings: dict[str, Any], ec_key: Any, tmp_path: Path
) -> None:
    """Like the sandbox set-up: jku allowed, its published key set kept on file; no fetch."""
    jku = "https://unreachable.example.org/.well-known/jwks.json"
    jwks = {"keys": [public_jwk(ec_key, "es-1", "ES384")]}
    (tmp_path / "c.json").write_text(json.dumps([{"iss": ES_ISS, "jku": jku, "jwks": jwks}]))
    app = create_app(
        {
            **settings,
            "AUTH_MODE": "required",
            "CLIENTS_FILE": str(tmp_path / "c.json"),
            "PUBLIC_BASE_URL": BASE_URL,
            "JWKS_TIMEOUT_S": 0.01,
        }
    )
    tok = token(ec_key, "ES384", kid="es-1", iss=ES_ISS, aud=DISCOVERY_AUD, jku=jku)
    assert get(app.test_client(), tok).status_code == 200


# ---------------------------------------------------------------- issue 15: aud, exp, jti


@pytest.mark.parametrize(
    ("aud", "status"),
    [
        (DISCOVERY_AUD, 200),
        ([DISCOVERY_AUD], 200),
        ([DISCOVERY_AUD, "https://other.example.org"], 401),
        (["https://other.example.org", DISCOVERY_AUD], 401),
        ([DISCOVERY_AUD, DISCOVERY_AUD], 401),
        ([], 401),
        (DISCOVERY_AUD + "/", 401),
        ({"aud": DISCOVERY_AUD}, 401),
        (5, 401),
    ],
)
def test_aud_must_be_exactly_the_url_called(
    auth_client: FlaskClient, ec_key: Any, trust: dict[str, Any], aud: Any, status: int
) -> None:
    assert get(auth_client, es_token(ec_key, trust, aud=aud)).status_code == status


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": "9999999999"},
        {"iat": "1"},
        {"exp": "soon", "iat": "now"},
        {"exp": [1]},
        {"iat": None},
        {"exp": 1e400},
        {"jti": "a\u0000b"},
        {"jti": "a\ud800b"},
        {"jti": 5},
    ],
)
def test_odd_claim_types_signed_by_a_trusted_key_are_401(
    auth_client: FlaskClient, ec_key: Any, trust: dict[str, Any], claims: dict[str, Any]
) -> None:
    tok = es_token(ec_key, trust, **claims)
    assert get(auth_client, tok).status_code == 401
