"""Card records are written off the request path, in batches, and survive a database outage."""

from __future__ import annotations

import functools
import os
import time
from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cds_service.store import card_rows
from cds_service.store import migrate
from cds_service.store import open_engine
from cds_service.store import write_cards
from cds_service.store.schema import card_record
from cds_service.store.writer import CardWriter

CALL = ("patient-view", None, "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", None, None, None)


def values(*uuids: str) -> list[tuple[str, ...]]:
    """One ``CARD_COLUMNS`` tuple per uuid."""
    return [(u, "mri-24h", "rule-mri-24h", "1.1.0", "critical", "active") for u in uuids]


def rows(eng: sa.Engine, *uuids: str) -> list[tuple[Any, ...]]:
    """Card rows as a call to a service on ``eng`` builds them."""
    return card_rows(eng.dialect, values(*uuids), (CALL[0], datetime.now(UTC), *CALL[2:]))


def stored(eng: sa.Engine) -> list[str]:
    with eng.connect() as conn:
        return sorted(r.card_uuid for r in conn.execute(sa.select(card_record)))


def test_the_background_thread_writes_queued_cards_without_a_flush(db_url: str) -> None:
    eng = open_engine({"DATABASE_URL": db_url}, "")
    migrate.upgrade(eng)
    writer = CardWriter(functools.partial(write_cards, eng), interval_s=0.02)
    writer.put(rows(eng, "a", "b"))
    writer.put(rows(eng, "b", "c"))  # the same card twice is still one row
    deadline = time.monotonic() + 5
    while stored(eng) != ["a", "b", "c"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stored(eng) == ["a", "b", "c"]
    eng.dispose()


def test_a_database_outage_keeps_the_newest_cards_and_counts_the_dropped(db_url: str) -> None:
    eng = open_engine({"DATABASE_URL": db_url}, "")  # not migrated yet: every write fails
    writer = CardWriter(functools.partial(write_cards, eng), max_rows=3, interval_s=60)
    writer.put(rows(eng, "a", "b"))
    writer.flush()  # fails, and the rows go back to the queue
    writer.put(rows(eng, "c", "d"))  # a call never blocks or fails: the oldest row is dropped
    assert writer.dropped == 1
    migrate.upgrade(eng)  # the database is back
    writer.flush()
    assert stored(eng) == ["b", "c", "d"]
    eng.dispose()


def test_a_forked_worker_records_its_own_cards_with_its_own_thread(db_url: str) -> None:
    eng = open_engine({"DATABASE_URL": db_url}, "")
    migrate.upgrade(eng)
    writer = CardWriter(functools.partial(write_cards, eng), interval_s=60)
    writer.put(rows(eng, "parent"))  # queued in the parent, whose thread is now running
    pid = os.fork()
    if pid == 0:  # a gunicorn worker: starts empty, records and flushes on its own
        code = 1
        try:
            writer.put(rows(eng, "child"))
            writer.flush()
            thread = writer._daemon.thread
            code = 0 if thread is not None and thread.is_alive() else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert stored(eng) == ["child"], "the child wrote only its own row"
    writer.flush()
    assert stored(eng) == ["child", "parent"]
    eng.dispose()


def test_a_full_batch_is_due_and_written_by_the_caller(db_url: str) -> None:
    eng = open_engine({"DATABASE_URL": db_url}, "")
    migrate.upgrade(eng)
    writer = CardWriter(functools.partial(write_cards, eng), batch_rows=3, interval_s=60)
    writer.put(rows(eng, "a", "b"))
    writer.flush_if_due()  # two rows, fresh: not yet worth a transaction
    assert not writer.due() and stored(eng) == []
    writer.put(rows(eng, "c"))
    assert writer.due()
    writer.flush_if_due()
    assert stored(eng) == ["a", "b", "c"] and not writer.due()
    eng.dispose()


def test_a_service_call_writes_due_records_once_its_response_is_sent(tmp_path: Any) -> None:
    """Under load the request thread writes the batch after answering, not a busy thread."""
    from cds_service import create_app
    from cds_service.store import engine
    from tests.conftest import FIXTURE_NOW
    from tests.conftest import load_fixture

    app = create_app(
        {"TESTING": True, "AUTH_MODE": "off", "DATABASE_URL": f"sqlite:///{tmp_path}/c.sqlite"}
    )
    app.extensions["cds_clock"] = lambda: FIXTURE_NOW
    writer = app.extensions["cds_store"]["writer"]
    writer.batch_rows, writer.interval_s = 1, 3600  # due at once; the thread stays asleep
    body = load_fixture("requests/patient-view/mri-12h--fires--cauda-equina-syndrome.json")
    response = app.test_client().post("/cds-services/patient-view", json=body)
    uuids = sorted(card["uuid"] for card in response.get_json()["cards"])
    assert uuids, "the fixture fires cards"
    response.close()  # the server has sent the body
    assert stored(engine(app)) == uuids
    engine(app).dispose()


def test_card_rows_read_back_as_sqlalchemy_would_have_stored_them(db_url: str) -> None:
    """Card rows go to the driver directly; the stored values must not change form."""
    from cds_service.store import CALL_COLUMNS
    from cds_service.store import CARD_COLUMNS
    from cds_service.store import _insert_ignore

    eng = open_engine({"DATABASE_URL": db_url}, "")
    migrate.upgrade(eng)
    now = datetime.now(UTC)
    write_cards(eng, card_rows(eng.dialect, values("fast"), (CALL[0], now, *CALL[2:])))
    with eng.begin() as conn:
        stmt = _insert_ignore(conn.dialect.name, card_record, ("card_uuid",), False)
        columns = CARD_COLUMNS + CALL_COLUMNS
        conn.execute(
            stmt, dict(zip(columns, values("portable")[0] + (CALL[0], now, *CALL[2:]), strict=True))
        )
    with eng.connect() as conn:
        got = {r.card_uuid: r._asdict() for r in conn.execute(sa.select(card_record))}
        raw = {
            r[0]: r[1] for r in conn.exec_driver_sql("SELECT card_uuid, issued_at FROM card_record")
        }
    fast, portable = got.pop("fast"), got.pop("portable")
    assert {**fast, "card_uuid": "x", "issued_at": None} == {
        **portable,
        "card_uuid": "x",
        "issued_at": None,
    }
    assert type(raw["fast"]) is type(raw["portable"])
    assert len(str(raw["fast"])) == len(str(raw["portable"]))
    eng.dispose()


def test_a_driver_with_another_placeholder_style_still_gets_its_cards(tmp_path: Any) -> None:
    """Named placeholders are not written by hand: SQLAlchemy Core inserts the same rows."""
    eng = sa.create_engine(f"sqlite:///{tmp_path}/named.sqlite", paramstyle="named")
    migrate.upgrade(eng)
    write_cards(eng, rows(eng, "a", "b"))
    write_cards(eng, rows(eng, "b", "c"))  # the same card twice is still one row
    assert stored(eng) == ["a", "b", "c"]
    with eng.connect() as conn:
        issued = conn.execute(sa.select(card_record.c.issued_at)).scalar()
    assert isinstance(issued, datetime)
    eng.dispose()


def test_card_rows_fill_every_column_of_the_card_record() -> None:
    """A column added to the table must be given a value by every call, not left NULL."""
    from cds_service.store import CALL_COLUMNS
    from cds_service.store import CARD_COLUMNS

    assert sorted(CARD_COLUMNS + CALL_COLUMNS) == sorted(c.name for c in card_record.columns)
