"""Helpers of the trust tests: keys, tokens, PostgreSQL schemas and the real server (tests/support.py)."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
#: The PostgreSQL the postgres-marked tests use; `make test` sets it to a throw-away server
#: when nothing answers at the default (scripts/with-test-postgres.sh).
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")
BASE_URL = "https://cds.example.org"


def public_jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    """Return the public JWK of a private key, as a client would publish it."""
    algo = jwt.algorithms.ECAlgorithm if alg.startswith("ES") else jwt.algorithms.RSAAlgorithm
    jwk: dict[str, Any] = json.loads(algo.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": alg, "use": "sig"})
    return jwk


def token(
    key: Any,
    alg: str,
    *,
    kid: str,
    iss: str,
    aud: str,
    jku: str | None = None,
    drop: tuple[str, ...] = (),
    **claims: Any,
) -> str:
    """Sign a token like an EHR would; ``claims`` override, ``drop`` removes claims."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": iss,
        "aud": aud,
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    payload.update(claims)
    for name in drop:
        payload.pop(name)
    headers: dict[str, Any] = {"kid": kid, "typ": "JWT"}
    if jku:
        headers["jku"] = jku
    return jwt.encode(payload, key, algorithm=alg, headers=headers)


@contextmanager
def pg_schema() -> Iterator[str]:
    """Create a throw-away PostgreSQL schema; yield a SQLAlchemy URL that uses it."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    try:
        yield url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def cds_env(**settings: str) -> dict[str, str]:
    """Return an environment with ``CDS_*`` settings and the worktree importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update({f"CDS_{k}": v for k, v in settings.items()})
    return env


#: One accepted feedback item, as an EHR sends it.
FEEDBACK_ITEM = {
    "card": "9b1f6c3e-4a52-4f1a-9d0e-2f8f6a1b7c01",
    "outcome": "accepted",
    "acceptedSuggestions": [{"id": "0c7e2a4d-5b2e-4a7b-8f3d-6e1c2b9a4d10"}],
    "outcomeTimestamp": "2026-06-30T14:05:31Z",
}
