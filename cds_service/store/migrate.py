"""Bring the database schema to the newest Alembic revision at start-up, once.

Several gunicorn workers start together and each builds the app, so the upgrade runs under
a lock: a PostgreSQL advisory lock (held by the migrating connection), or for SQLite an
exclusive ``flock`` on a file next to the database. The loser finds the schema current.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import nullcontext
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
#: Arbitrary constant naming this service's advisory lock in PostgreSQL.
PG_LOCK_ID = 0x5D1E_CD5


def _alembic_config(connection: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def upgrade(engine: sa.Engine) -> None:
    """Apply every pending migration, safely when several processes start at once."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": PG_LOCK_ID})
            conn.commit()
            try:
                command.upgrade(_alembic_config(conn), "head")
                conn.commit()
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": PG_LOCK_ID})
                conn.commit()
        return
    database = engine.url.database
    lock = Path(f"{database}.migrate.lock") if database and database != ":memory:" else None
    with _file_lock(lock) if lock else nullcontext():
        with engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "head")
