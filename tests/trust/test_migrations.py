"""The migrations create exactly the tables the code writes to, on both databases."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from cds_service.store import migrate
from cds_service.store import open_engine
from cds_service.store.schema import metadata


def test_migrated_schema_matches_the_code_and_reruns_cleanly(db_url: str, tmp_path: Path) -> None:
    engine = open_engine(db_url, str(tmp_path))
    try:
        migrate.upgrade(engine)
        migrate.upgrade(engine)  # a restart finds the schema current
        with engine.connect() as conn:
            context = MigrationContext.configure(conn)
            assert context.get_current_revision() == "0003"
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_default_database_is_a_wal_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    engine = open_engine(None, str(instance))
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert (instance / "cds.sqlite").exists()
    finally:
        engine.dispose()
