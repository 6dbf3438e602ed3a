"""Two service instances sharing one PostgreSQL: the scaled-out deployment (issue 15).

Each instance is its own server (granian, as shipped) on loopback; the JWT replay record and the feedback rows
are decided by the shared database, so the instances agree without talking to each other.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from cds_service.store import open_engine
from cds_service.store.schema import feedback
from tests.support import running
from tests.trust.trust_helpers import BASE_URL
from tests.trust.trust_helpers import FEEDBACK_ITEM
from tests.trust.trust_helpers import cds_env
from tests.trust.trust_helpers import pg_schema
from tests.trust.trust_helpers import public_jwk
from tests.trust.trust_helpers import token

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ISS = "https://ehr.example.org"
FEEDBACK_PATH = "/cds-services/patient-view/feedback"
ITEM = FEEDBACK_ITEM


@pytest.fixture
def two_servers(tmp_path: Path, ec_key: Any) -> Iterator[tuple[list[str], str]]:
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [public_jwk(ec_key, "k1", "ES384")]}))
    clients = [{"iss": ISS, "jwks_file": "jwks.json", "algorithms": ["ES384"]}]
    (tmp_path / "clients.json").write_text(json.dumps(clients))
    with pg_schema() as db_url, ExitStack() as stack:
        env = cds_env(
            AUTH_MODE="required",
            CLIENTS_FILE=str(tmp_path / "clients.json"),
            PUBLIC_BASE_URL=BASE_URL,
            DATABASE_URL=db_url,
        )
        urls = [
            stack.enter_context(running("granian", env, tmp_path / f"server-{i}.log", workers=1))
            for i in range(2)
        ]
        yield urls, db_url


def _bearer(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


def test_a_token_replayed_across_instances_is_refused_and_feedback_is_stored_once(
    two_servers: tuple[list[str], str], ec_key: Any, tmp_path: Path
) -> None:
    urls, db_url = two_servers
    aud = BASE_URL + "/cds-services"
    tok = token(ec_key, "ES384", kid="k1", iss=ISS, aud=aud)
    assert requests.get(urls[0] + "/cds-services", headers=_bearer(tok), timeout=10).ok
    again = requests.get(urls[1] + "/cds-services", headers=_bearer(tok), timeout=10)
    assert again.status_code == 401

    # The same token at both instances at once: exactly one 200.
    tok = token(ec_key, "ES384", kid="k1", iss=ISS, aud=aud)
    barrier = threading.Barrier(8)

    def replay(i: int) -> int:
        barrier.wait()
        url = urls[i % 2] + "/cds-services"
        return requests.get(url, headers=_bearer(tok), timeout=10).status_code

    with ThreadPoolExecutor(8) as pool:
        assert Counter(pool.map(replay, range(8))) == {200: 1, 401: 7}

    # One feedback item sent to both instances (a client retrying elsewhere): one row.
    for url in urls + urls:
        headers = _bearer(token(ec_key, "ES384", kid="k1", iss=ISS, aud=BASE_URL + FEEDBACK_PATH))
        assert requests.post(url + FEEDBACK_PATH, json={"feedback": [ITEM]}, headers=headers).ok
    engine = open_engine(db_url, str(tmp_path))
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(feedback)).scalar() == 1
    finally:
        engine.dispose()
