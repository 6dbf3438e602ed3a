"""SQLite's WAL checkpoint runs on its own thread, so a request thread never waits on it."""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cds_service import create_app
from cds_service.store import migrate
from cds_service.store import open_engine
from cds_service.store import write_cards
from cds_service.store.checkpoint import WalCheckpointer
from cds_service.store.writer import CardWriter
from tests.trust.card_rows import rows

BATCHES = 8


def log_frames(path: Path) -> int:
    """Pages the WAL holds now (a PASSIVE checkpoint from another connection reports it)."""
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
    finally:
        conn.close()


def write_batches(eng: sa.Engine, checkpointer: WalCheckpointer | None) -> CardWriter:
    """Write BATCHES batches of 200 card rows, each after the previous checkpoint finished."""
    writer = CardWriter(
        functools.partial(write_cards, eng),
        interval_s=3600,
        after_write=checkpointer.poke if checkpointer else None,
    )
    for batch in range(BATCHES):
        done = attempts(checkpointer)
        writer.put(rows(eng, *(f"{batch:04d}-{i:04d}" for i in range(200))))
        writer.flush()
        deadline = time.monotonic() + 2
        while checkpointer and attempts(checkpointer) == done and time.monotonic() < deadline:
            time.sleep(0.005)
    return writer


def attempts(checkpointer: WalCheckpointer | None) -> int:
    return checkpointer.checkpoints + checkpointer.failures if checkpointer else 0


def engine(path: Path) -> sa.Engine:
    eng = open_engine(f"sqlite:///{path}", "")
    migrate.upgrade(eng)
    return eng


def test_card_batches_keep_the_log_to_one_batch_instead_of_growing(tmp_path: Path) -> None:
    """Without the thread the log grows until a committing request thread checkpoints it
    (10-20 ms, measured); with it, each batch starts the log afresh."""
    plain = engine(tmp_path / "plain.sqlite")
    write_batches(plain, None)
    grown = log_frames(tmp_path / "plain.sqlite")

    eng = engine(tmp_path / "ckpt.sqlite")
    checkpointer = WalCheckpointer(eng.raw_connection, idle_s=3600)  # pokes only
    write_batches(eng, checkpointer)
    kept = log_frames(tmp_path / "ckpt.sqlite")

    assert checkpointer.checkpoints >= BATCHES
    assert grown > 4 * kept, (grown, kept)
    with eng.connect() as conn:  # and every card record is there
        assert conn.execute(sa.text("SELECT count(*) FROM card_record")).scalar() == 200 * BATCHES
    plain.dispose()
    eng.dispose()


def test_a_failing_checkpoint_is_logged_and_never_reaches_the_writer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    eng = engine(tmp_path / "c.sqlite")

    def broken() -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    checkpointer = WalCheckpointer(broken, idle_s=3600)
    with caplog.at_level(logging.WARNING, logger="cds_service.store"):
        writer = write_batches(eng, checkpointer)  # no exception reaches the caller
        deadline = time.monotonic() + 5
        while checkpointer.failures < BATCHES and time.monotonic() < deadline:
            time.sleep(0.01)
    assert writer.dropped == 0 and checkpointer.checkpoints == 0
    assert checkpointer.failures == BATCHES
    # Reported once, not once per batch; the error type only, as every log line here.
    assert [getattr(r, "event", None) for r in caplog.records] == ["wal_checkpoint_failed"]
    assert "disk I/O" not in caplog.text
    eng.dispose()


def test_a_forked_worker_checkpoints_with_its_own_thread(tmp_path: Path) -> None:
    eng = engine(tmp_path / "f.sqlite")
    checkpointer = WalCheckpointer(eng.raw_connection, idle_s=3600)  # pokes only
    checkpointer.poke()  # the parent's thread now runs
    # Fork once that thread is idle, as gunicorn's master is: fork copies only the calling
    # thread, so a thread caught inside SQLite would leave SQLite's own mutex locked in the
    # child, whose first connect then hangs (seen: 11 forks in 200 without this wait).
    deadline = time.monotonic() + 5
    while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert checkpointer.checkpoints == 1
    pid = os.fork()
    if pid == 0:  # a gunicorn worker
        code = 1
        try:
            before = checkpointer.checkpoints
            checkpointer.poke()
            deadline = time.monotonic() + 5
            while checkpointer.checkpoints == before and time.monotonic() < deadline:
                time.sleep(0.005)
            code = 0 if checkpointer.checkpoints > before else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    eng.dispose()


def test_only_sqlite_gets_a_checkpointer(db_url: str) -> None:
    app = create_app({"TESTING": True, "AUTH_MODE": "off", "DATABASE_URL": db_url})
    state = app.extensions["cds_store"]
    assert (state["checkpointer"] is not None) == db_url.startswith("sqlite")
    state["engine"].dispose()


def test_a_connection_that_fails_is_invalidated_not_returned_to_the_pool(tmp_path: Path) -> None:
    eng = engine(tmp_path / "i.sqlite")
    drivers: list[Any] = []  # the sqlite3 connection behind each pooled one handed out

    def connect() -> Any:
        conn = eng.raw_connection()
        drivers.append(conn.driver_connection)
        if len(drivers) == 1:  # the first connection breaks on its first checkpoint
            conn.cursor = lambda: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O"))
        return conn

    checkpointer = WalCheckpointer(connect, idle_s=3600)
    write_batches(eng, checkpointer)
    assert checkpointer.failures == 1 and checkpointer.checkpoints == BATCHES - 1
    assert len(drivers) == 2
    with eng.connect() as conn:  # what a request thread gets from the pool next
        pooled = conn.connection.driver_connection
    assert drivers[0] not in (drivers[1], pooled), "the failed connection went back to the pool"
    eng.dispose()


def test_a_last_batch_at_interpreter_exit_is_still_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python 3.12 refuses new threads while exiting, when ``flush_all`` writes the queue."""
    eng = engine(tmp_path / "x.sqlite")
    checkpointer = WalCheckpointer(eng.raw_connection)

    def exiting() -> None:
        raise RuntimeError("can't create new thread at interpreter shutdown")

    monkeypatch.setattr(checkpointer._daemon, "ensure_started", exiting)
    writer = CardWriter(functools.partial(write_cards, eng), after_write=checkpointer.poke)
    writer.put(rows(eng, "a", "b"))
    writer.flush()  # no exception from the hand-off
    assert writer.dropped == 0
    with eng.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM card_record")).scalar() == 2
    eng.dispose()
