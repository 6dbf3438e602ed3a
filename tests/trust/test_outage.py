"""A PostgreSQL outage with authentication on: hook calls keep answering (issue 15).

The service reaches the real local PostgreSQL through a TCP proxy on loopback that the test
cuts and restores; the shared server itself is never stopped.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from cds_service import create_app
from cds_service.store import flush
from tests.openapi_check import assert_conforms
from tests.support import load_fixture
from tests.trust.tcp_proxy import TcpProxy
from tests.trust.trust_helpers import BASE_URL
from tests.trust.trust_helpers import FEEDBACK_ITEM
from tests.trust.trust_helpers import PG_URL
from tests.trust.trust_helpers import pg_schema
from tests.trust.trust_helpers import public_jwk
from tests.trust.trust_helpers import token

pytestmark = pytest.mark.postgres

ISS = "https://ehr.example.org"
URL = "/cds-services/patient-view"
FEEDBACK = "/cds-services/patient-view/feedback"
BODY = load_fixture("requests/patient-view/mri-12h--fires--cord-compression-snomed.json")
ITEM = FEEDBACK_ITEM


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    pg = make_url(PG_URL)
    proxy = TcpProxy((pg.host or "127.0.0.1", pg.port or 5432))
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def schema() -> Iterator[str]:
    with pg_schema() as url:
        yield url


def clients_file(tmp_path: Path, ec_key: Any) -> str:
    path = tmp_path / "clients.json"
    jwks = {"keys": [public_jwk(ec_key, "k1", "ES384")]}
    path.write_text(json.dumps([{"iss": ISS, "jwks": jwks, "algorithms": ["ES384"]}]))
    return str(path)


def auth_app(settings: dict[str, Any], db_url: str, clients: str) -> Flask:
    return create_app(
        {
            **settings,
            "AUTH_MODE": "required",
            "CLIENTS_FILE": clients,
            "PUBLIC_BASE_URL": BASE_URL,
            "DATABASE_URL": db_url,
            "METRICS_ENABLED": True,
        }
    )


def signed(ec_key: Any, path: str = URL, **claims: Any) -> dict[str, str]:
    tok = token(ec_key, "ES384", kid="k1", iss=ISS, aud=BASE_URL + path, **claims)
    return {"Authorization": f"Bearer {tok}"}


def topics(response: Any) -> set[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {c["source"]["topic"]["code"] for c in response.get_json()["cards"]}


def rows(schema_url: str, table: str) -> int:
    search_path = schema_url.rsplit("%3D", 1)[1]
    with psycopg.connect(PG_URL, options=f"-csearch_path={search_path}") as conn:
        count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count[0]) if count else 0


def unavailable_total(client: FlaskClient, operation: str) -> float:
    prefix = f'cds_database_unavailable_total{{operation="{operation}"}} '
    text = client.get("/metrics").get_data(as_text=True)
    return sum(float(ln[len(prefix) :]) for ln in text.splitlines() if ln.startswith(prefix))


def test_hook_calls_answer_through_a_database_outage_and_feedback_is_503(
    settings: dict[str, Any],
    tmp_path: Path,
    ec_key: Any,
    proxy: TcpProxy,
    schema: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = auth_app(
        settings,
        schema.replace(f":{make_url(PG_URL).port or 5432}/", f":{proxy.port}/"),
        clients_file(tmp_path, ec_key),
    )
    app.extensions["cds_store"]["replay"].retry_s = 0.2  # retry the database soon
    client = app.test_client()
    assert "mri-12h" in topics(client.post(URL, json=BODY, headers=signed(ec_key)))
    flush(app)
    assert rows(schema, "jti_seen") == 1
    before = unavailable_total(client, "replay_check")

    proxy.stop()
    caplog.clear()
    headers = [signed(ec_key) for _ in range(30)]
    for h in headers:
        assert "mri-12h" in topics(client.post(URL, json=copy.deepcopy(BODY), headers=h))
    assert client.post(URL, json=BODY, headers=headers[3]).status_code == 401  # replayed
    response = client.post(FEEDBACK, json={"feedback": [ITEM]}, headers=signed(ec_key, FEEDBACK))
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert_conforms(FEEDBACK, "post", 503, response.get_json())
    events = [getattr(r, "event", "") for r in caplog.records if r.levelno >= logging.ERROR]
    assert events.count("card_write_failed") <= 1  # backs off: not one line per call
    replay_lines = [r for r in caplog.records if getattr(r, "operation", "") == "replay_check"]
    assert len(replay_lines) == 1  # said once (per minute), not once per call
    assert unavailable_total(client, "replay_check") - before >= 30

    proxy.start()
    time.sleep(0.3)  # past the replay check's retry interval
    fresh = signed(ec_key)
    assert "mri-12h" in topics(client.post(URL, json=BODY, headers=fresh))
    assert client.post(URL, json=BODY, headers=headers[5]).status_code == 401  # still refused
    assert rows(schema, "jti_seen") == 2  # back on the database
    response = client.post(FEEDBACK, json={"feedback": [ITEM]}, headers=signed(ec_key, FEEDBACK))
    assert response.status_code == 200
    assert rows(schema, "feedback") == 1
    flush(app)
    cards_per_call = len(client.post(URL, json=BODY, headers=signed(ec_key)).get_json()["cards"])
    flush(app)
    assert rows(schema, "card_record") == cards_per_call * 33  # none lost to the outage
