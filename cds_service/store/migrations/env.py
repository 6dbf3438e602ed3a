"""Alembic environment: use the connection the service hands over, or ``CDS_DATABASE_URL``.

The service runs migrations itself at start-up (under a lock); the ``alembic`` command at
the repository root also works for writing new revisions.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

from cds_service.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = os.environ.get("CDS_DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set CDS_DATABASE_URL to the database to migrate")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
