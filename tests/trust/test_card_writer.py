"""Card records are written off the request path, in batches, and survive a database outage."""

from __future__ import annotations

import functools
import time
from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cds_service.store import migrate
from cds_service.store import open_engine
from cds_service.store import write_cards
from cds_service.store.schema import card_record
from cds_service.store.writer import CardWriter


def rows(*uuids: str) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            "card_uuid": u,
            "service_id": "patient-view",
            "topic": "mri-24h",
            "rule_id": "rule-mri-24h",
            "rule_version": "1.1.0",
            "indicator": "critical",
            "issued_at": now,
            "hook_instance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
            "client_iss": None,
            "client_tenant": None,
        }
        for u in uuids
    ]


def stored(eng: sa.Engine) -> list[str]:
    with eng.connect() as conn:
        return sorted(r.card_uuid for r in conn.execute(sa.select(card_record)))


def test_the_background_thread_writes_queued_cards_without_a_flush(db_url: str) -> None:
    eng = open_engine({"DATABASE_URL": db_url}, "")
    migrate.upgrade(eng)
    writer = CardWriter(functools.partial(write_cards, eng), interval_s=0.02)
    writer.put(rows("a", "b"))
    writer.put(rows("b", "c"))  # the same card twice is still one row
    deadline = time.monotonic() + 5
    while stored(eng) != ["a", "b", "c"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stored(eng) == ["a", "b", "c"]
    eng.dispose()


def test_a_database_outage_keeps_the_newest_cards_and_counts_the_dropped(db_url: str) -> None:
    eng = open_engine({"DATABASE_URL": db_url}, "")  # not migrated yet: every write fails
    writer = CardWriter(functools.partial(write_cards, eng), max_rows=3, interval_s=60)
    writer.put(rows("a", "b"))
    writer.flush()  # fails, and the rows go back to the queue
    writer.put(rows("c", "d"))  # a call never blocks or fails: the oldest row is dropped
    assert writer.dropped == 1
    migrate.upgrade(eng)  # the database is back
    writer.flush()
    assert stored(eng) == ["b", "c", "d"]
    eng.dispose()
