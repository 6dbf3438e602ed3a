"""Let feedback.outcome_timestamp be unknown (NULL).

A client may send a valid FHIR instant no Python datetime holds in UTC (an EHR placeholder
such as ``9999-12-31T23:59:59-05:00``); the feedback is kept, its time is unknown.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.alter_column(
            "outcome_timestamp", existing_type=sa.DateTime(timezone=True), nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.alter_column(
            "outcome_timestamp", existing_type=sa.DateTime(timezone=True), nullable=False
        )
