"""The real service under its shipped server (granian) with 2 worker processes, on SQLite and PostgreSQL.

500 feedback posts from 16 concurrent clients (plus re-sent duplicates) must leave exactly
500 rows; a token replayed against both workers at once is accepted once; the acceptance
report matches what was sent and survives a restart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from cds_service.logic.cards import OVERRIDE_SYSTEM
from cds_service.store import open_engine
from cds_service.store.schema import card_record
from cds_service.store.schema import feedback
from tests.support import running
from tests.trust.trust_helpers import BASE_URL
from tests.trust.trust_helpers import ROOT
from tests.trust.trust_helpers import cds_env
from tests.trust.trust_helpers import public_jwk
from tests.trust.trust_helpers import token

ISS = "https://ehr.example.org"
POSTS, CLIENTS, DUPLICATES = 500, 16, 40
FEEDBACK_PATH = "/cds-services/order-select/feedback"
TOPICS = [("mri-24h", "1.0.0"), ("mri-24h", "1.1.0"), ("dexamethasone", "1.1.0")]
REASONS = ["already-discussed", "not-applicable", "patient-declined"]


@pytest.fixture
def server_env(tmp_path: Path, ec_key: Any, db_url: str) -> dict[str, str]:
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": [public_jwk(ec_key, "k1", "ES384")]}))
    clients = [{"iss": ISS, "jwks_file": "jwks.json", "algorithms": ["ES384"]}]
    (tmp_path / "clients.json").write_text(json.dumps(clients))
    return cds_env(
        AUTH_MODE="required",
        CLIENTS_FILE=str(tmp_path / "clients.json"),
        PUBLIC_BASE_URL=BASE_URL,
        DATABASE_URL=db_url,
    )


@pytest.fixture
def db(db_url: str, tmp_path: Path) -> Iterator[sa.Engine]:
    engine = open_engine(db_url, str(tmp_path))
    yield engine
    engine.dispose()


def item(i: int) -> dict[str, Any]:
    """Feedback on card ``c{i}``: every fourth overridden, with a rotating reason."""
    when = f"2026-11-24T10:{i // 60 % 60:02d}:{i % 60:02d}Z"
    if i % 4 == 0:
        reason = {"system": OVERRIDE_SYSTEM, "code": REASONS[i % 5 % 3]}
        return {"card": f"c{i}", "outcome": "overridden", "overrideReason": {"reason": reason}, "outcomeTimestamp": when}  # fmt: skip
    return {"card": f"c{i}", "outcome": "accepted", "acceptedSuggestions": [{"id": f"s{i}"}], "outcomeTimestamp": when}  # fmt: skip


def expected_report() -> list[dict[str, Any]]:
    """The report the posts must produce, computed independently of the service."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    reasons: dict[tuple[str, str], Counter[str]] = {}
    for i in range(POSTS):
        key = TOPICS[i % len(TOPICS)]
        row = rows.setdefault(key, {"issued": 0, "accepted": 0, "overridden": 0})
        row["issued"] += 1
        fb = item(i)
        row[fb["outcome"]] += 1
        if fb["outcome"] == "overridden":
            reasons.setdefault(key, Counter())[fb["overrideReason"]["reason"]["code"]] += 1
    return [
        {
            "topic": t,
            "rule_version": v,
            "mode": "active",
            "patients": 0,  # the seeded cards carry no patient hash
            **r,
            "acceptance_rate": round(r["accepted"] / (r["accepted"] + r["overridden"]), 4),
            "top_override_reasons": [
                {"code": c, "count": n}
                for c, n in sorted(reasons[(t, v)].items(), key=lambda x: (-x[1], x[0]))[:3]
            ],
        }
        for (t, v), r in sorted(rows.items())
    ]


def seed_cards(db: sa.Engine) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "card_uuid": f"c{i}",
            "service_id": "order-select",
            "topic": TOPICS[i % 3][0],
            "rule_id": f"rule-{TOPICS[i % 3][0]}",
            "rule_version": TOPICS[i % 3][1],
            "indicator": "warning",
            "issued_at": now,
            "hook_instance": f"h{i}",
        }  # fmt: skip
        for i in range(POSTS)
    ]
    with db.begin() as conn:
        conn.execute(sa.insert(card_record), rows)


def post_all(url: str, key: Any, indices: list[int]) -> list[int]:
    """Post one feedback item per index from ``CLIENTS`` threads, each call its own token."""
    local = threading.local()

    def send(i: int) -> int:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        tok = token(key, "ES384", kid="k1", iss=ISS, aud=BASE_URL + FEEDBACK_PATH)
        response = session.post(
            url + FEEDBACK_PATH,
            json={"feedback": [item(i)]},
            headers={"Authorization": f"Bearer {tok}"},
            timeout=30,
        )
        return response.status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(send, indices))


def report(env: dict[str, str]) -> Any:
    """Run the operator's command, exactly as documented."""
    out = subprocess.run(
        [sys.executable, "-m", "cds_service.cli", "report", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return json.loads(out.stdout)["rows"]


def feedback_rows(db: sa.Engine) -> tuple[int, int, int]:
    with db.connect() as conn:
        return conn.execute(
            sa.select(
                sa.func.count(),
                sa.func.count(sa.distinct(feedback.c.dedup_key)),
                sa.func.count(sa.distinct(feedback.c.card_uuid)),
            )
        ).one()  # type: ignore[return-value]


@pytest.mark.slow
def test_concurrent_feedback_two_workers_and_restart(
    server_env: dict[str, str], db: sa.Engine, ec_key: Any, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with running("granian", server_env, log) as url:
        seed_cards(db)
        started = time.monotonic()
        statuses = post_all(url, ec_key, list(range(POSTS)) + list(range(DUPLICATES)))
        elapsed = time.monotonic() - started
        assert Counter(statuses) == {200: POSTS + DUPLICATES}
        assert feedback_rows(db) == (POSTS, POSTS, POSTS)
        print(f"\n{POSTS + DUPLICATES} feedback posts, {CLIENTS} clients: {elapsed:.2f} s")

        # One token replayed by 16 clients at once, across both workers: accepted once.
        tok = token(ec_key, "ES384", kid="k1", iss=ISS, aud=BASE_URL + "/cds-services")
        barrier = threading.Barrier(CLIENTS)

        def replay(_: int) -> int:
            barrier.wait()
            headers = {"Authorization": f"Bearer {tok}"}
            return requests.get(url + "/cds-services", headers=headers, timeout=30).status_code

        with ThreadPoolExecutor(CLIENTS) as pool:
            assert Counter(pool.map(replay, range(CLIENTS))) == {200: 1, 401: CLIENTS - 1}
        before = report(server_env)
    assert before == expected_report()

    with running("granian", server_env, log) as url:  # restarted on the same database
        assert report(server_env) == before
        assert post_all(url, ec_key, [0, 1]) == [200, 200]
        assert feedback_rows(db) == (POSTS, POSTS, POSTS)
