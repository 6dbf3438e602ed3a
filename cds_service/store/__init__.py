"""The database: issued cards, feedback and the JWT replay record.

One SQLAlchemy URL (``DATABASE_URL``); the default is a SQLite file in the instance folder
in WAL mode with a busy timeout, so several worker processes share it safely. PostgreSQL
serves scaled-out deployments. The schema is migrated with Alembic at start-up. Every write
is an ``INSERT ... ON CONFLICT DO NOTHING``, so duplicates and replays are decided by the
database itself, across every process and replica.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from .. import events
from ..config import settings_of
from ..errors import ServiceUnavailable
from ..logic.extract.fhir import parse_timestamp
from . import migrate
from .checkpoint import WalCheckpointer
from .patients import patient_hash
from .patients import read_key
from .replay import ReplayCache
from .schema import card_record
from .schema import feedback
from .schema import jti_seen
from .writer import CardWriter

__all__ = [
    "card_rows",
    "engine",
    "flush",
    "init_app",
    "open_engine",
    "record_cards",
    "remember_jti",
    "store_feedback",
    "write_cards",
]

log = logging.getLogger("cds_service.store")
PURGE_EVERY_S = 60.0


def open_engine(database_url: str | None, instance_path: str) -> sa.Engine:
    """Create the engine for ``DATABASE_URL`` (default: ``<instance>/cds.sqlite``)."""
    url = database_url
    if not url:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{Path(instance_path) / 'cds.sqlite'}"
    is_sqlite = str(url).startswith("sqlite")
    # A server connection can drop between requests; a SQLite file cannot.
    eng = sa.create_engine(str(url), pool_pre_ping=not is_sqlite)
    if is_sqlite:
        sa.event.listen(eng, "connect", _sqlite_pragmas)
    _forget_connections_on_fork(eng)
    return eng


def _forget_connections_on_fork(eng: sa.Engine) -> None:
    """Keep a forked worker (gunicorn ``--preload``) off its parent's connections."""
    ref = weakref.ref(eng)

    def after_fork() -> None:
        alive = ref()
        if alive is not None:
            alive.dispose(close=False)

    os.register_at_fork(after_in_child=after_fork)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL lets readers and one writer work at once; busy_timeout makes writers wait."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def init_app(app: Flask) -> None:
    """Open and migrate the database; record every card the service returns."""
    eng = open_engine(settings_of(app).database_url, app.instance_path)
    migrate.upgrade(eng)
    # SQLite checkpoints its log in the committing thread; keep that off request threads.
    checkpointer = WalCheckpointer(eng.raw_connection) if eng.dialect.name == "sqlite" else None
    app.extensions["cds_store"] = {
        "engine": eng,
        "purged": 0.0,
        "lock": threading.Lock(),
        "checkpointer": checkpointer,
        "replay": ReplayCache(),
        "patient_key": read_key(eng),
        "writer": CardWriter(
            functools.partial(write_cards, eng),
            after_write=checkpointer.poke if checkpointer else None,
        ),
    }
    events.subscribe(app, "call", lambda **data: record_cards(app, **data))
    app.after_request(_flush_after_sending)


def _flush_after_sending(response: Response) -> Response:
    """Write a due batch of card records once this response has gone to the client."""
    writer: CardWriter = current_app.extensions["cds_store"]["writer"]
    if writer.due():
        response.call_on_close(writer.flush_if_due)
    return response


def engine(app: Flask) -> sa.Engine:
    eng: sa.Engine = app.extensions["cds_store"]["engine"]
    return eng


@functools.cache
def _insert_ignore(
    dialect_name: str, table: sa.Table, keys: tuple[str, ...], returning: bool
) -> Any:
    """Build (once) ``INSERT ... ON CONFLICT (keys) DO NOTHING`` for a dialect."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    return stmt.returning(sa.literal(1)) if returning else stmt


def insert_if_new(conn: sa.Connection, table: sa.Table, row: Any, keys: Sequence[str]) -> bool:
    """Insert ``row`` unless it collides on ``keys``; return whether it was inserted.

    ``RETURNING`` says so reliably on both dialects (``rowcount`` does not on psycopg).
    """
    stmt = _insert_ignore(conn.dialect.name, table, tuple(keys), True)
    return conn.execute(stmt, row).first() is not None


#: What a database that cannot be reached raises (refused, dropped, pool exhausted).
UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


def remember_jti(app: Flask, iss: str, jti: str, expires_at: int) -> bool:
    """Record a token id; return False if it was seen before (a replay).

    While the database cannot be reached, a per-process cache stands in (:mod:`.replay`).
    """
    cache: ReplayCache = app.extensions["cds_store"]["replay"]
    if cache.seen(iss, jti):
        return False
    if cache.database_due():
        eng = engine(app)
        try:
            with eng.begin() as conn:
                new = insert_if_new(
                    conn,
                    jti_seen,
                    {"iss": iss, "jti": jti, "expires_at": expires_at},
                    ["iss", "jti"],
                )
            _purge_expired(app, eng)
            return new
        except UNREACHABLE as exc:
            _database_unavailable("replay_check", exc, report=cache.database_failed())
    events.emit("database_unavailable", operation="replay_check")
    return cache.remember(iss, jti, expires_at)


def _database_unavailable(operation: str, exc: Exception, *, report: bool) -> None:
    if report:  # once per minute per process: an outage must not flood the log
        log.error(
            "database unavailable: JWT replay check uses this process's cache",
            extra={
                "event": "database_unavailable",
                "operation": operation,
                "error_type": type(exc).__name__,
            },
        )


def _purge_expired(app: Flask, eng: sa.Engine) -> None:
    """Forget token ids past their expiry now and then: an expired token fails ``exp``."""
    state = app.extensions["cds_store"]
    now = time.time()
    with state["lock"]:
        if now - state["purged"] < PURGE_EVERY_S:
            return
        state["purged"] = now
    with eng.begin() as conn:
        conn.execute(sa.delete(jti_seen).where(jti_seen.c.expires_at < int(now)))


def flush(app: Flask) -> None:
    """Write the card records queued so far (tests and reports read them right after)."""
    app.extensions["cds_store"]["writer"].flush()


#: The card record's columns: first what differs per card, then what one call shares.
CARD_COLUMNS = ("card_uuid", "topic", "rule_id", "rule_version", "indicator", "mode")
CALL_COLUMNS = (
    "service_id",
    "issued_at",
    "hook_instance",
    "client_iss",
    "client_tenant",
    "patient_hash",
)
_COLUMNS = CARD_COLUMNS + CALL_COLUMNS


def card_rows(cards: Iterable[tuple[Any, ...]], call: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Return the rows of one call's cards, ready for :func:`write_cards`.

    ``cards`` holds one tuple of :data:`CARD_COLUMNS` values per card; ``call`` the values
    of :data:`CALL_COLUMNS`.
    """
    return [dict(zip(_COLUMNS, card + call, strict=True)) for card in cards]


def record_cards(app: Flask, *, service_id: str, hook_instance: str, result: Any, **_: Any) -> None:
    """Queue one row per returned or silent card so feedback joins to its rule.

    No patient data: the patient is a keyed hash (:mod:`.patients`). The rows are written
    in batches after a response has gone (:mod:`.writer`), never before.
    """
    if result is None:  # the call failed before the logic answered
        return
    cards, silent = result.cards, result.silent
    if not cards and not silent:
        return
    state = app.extensions["cds_store"]
    call = (
        service_id,
        datetime.now(UTC),
        hook_instance,
        g.get("cds_client_iss"),
        g.get("cds_client_tenant"),
        patient_hash(state["patient_key"], result.patient_id),
    )
    card_values = [
        (card.uuid, card.topic, card.rule_id, card.rule_version, str(card.indicator), mode)
        for group, mode in ((cards, "active"), (silent, "silent"))
        for card in group
    ]
    state["writer"].put(card_rows(card_values, call))


def write_cards(eng: sa.Engine, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert a batch of :func:`card_rows` in one transaction (a card recorded twice is one row)."""
    with eng.begin() as conn:
        stmt = _insert_ignore(conn.dialect.name, card_record, ("card_uuid",), False)
        conn.execute(stmt, list(rows))


def dedup_key(item: Mapping[str, Any]) -> str:
    """Identify one feedback item: the same item sent twice gets the same key."""
    reason = (item.get("overrideReason") or {}).get("reason") or {}
    parts = [
        item["card"],
        item["outcome"],
        sorted(s["id"] for s in item.get("acceptedSuggestions") or ()),
        reason.get("system"),
        reason.get("code"),
        _timestamp_key(item["outcomeTimestamp"]),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _timestamp_key(value: str) -> str:
    """The instant as one spelling for the dedup key; an unusable one as sent."""
    parsed = parse_timestamp(value)
    return parsed.isoformat() if parsed is not None else "as-sent:" + value


def store_feedback(app: Flask, service_id: str, items: Iterable[Mapping[str, Any]]) -> list[bool]:
    """Store validated feedback items in one transaction; return which ones were new."""
    try:
        return _store_feedback(app, service_id, items)
    except UNREACHABLE as exc:
        log.error(
            "database unavailable: feedback refused with 503 (the client retries)",
            extra={
                "event": "database_unavailable",
                "operation": "feedback",
                "error_type": type(exc).__name__,
            },
        )
        events.emit("database_unavailable", operation="feedback")
        raise ServiceUnavailable() from None


def _store_feedback(app: Flask, service_id: str, items: Iterable[Mapping[str, Any]]) -> list[bool]:
    now = datetime.now(UTC)
    iss, tenant = g.get("cds_client_iss"), g.get("cds_client_tenant")
    stored = []
    with engine(app).begin() as conn:
        for item in items:
            override = item.get("overrideReason") or {}
            reason = override.get("reason") or {}
            row = {
                "dedup_key": dedup_key(item),
                "card_uuid": item["card"],
                "service_id": service_id,
                "outcome": item["outcome"],
                "accepted_suggestions": [s["id"] for s in item.get("acceptedSuggestions") or ()],
                "override_system": reason.get("system"),
                "override_code": reason.get("code"),
                "override_display": reason.get("display"),
                "user_comment": override.get("userComment"),
                "outcome_timestamp": parse_timestamp(item["outcomeTimestamp"]),  # None: unknown
                "received_at": now,
                "client_iss": iss,
                "client_tenant": tenant,
            }
            stored.append(insert_if_new(conn, feedback, row, ["dedup_key"]))
    return stored
