"""Create card_record, feedback and jti_seen.

A frozen copy of store/schema.py as of this revision (migrations must never import the
live schema, or replaying history would change).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_record",
        sa.Column("card_uuid", sa.String(64), primary_key=True),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("rule_version", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hook_instance", sa.String(128)),  # None when not a loggable id
        sa.Column("client_iss", sa.String(512)),
        sa.Column("client_tenant", sa.String(256)),
    )
    op.create_index("ix_card_record_topic_version", "card_record", ["topic", "rule_version"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dedup_key", sa.String(64), nullable=False, unique=True),
        sa.Column("card_uuid", sa.String(128), nullable=False),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("accepted_suggestions", sa.JSON, nullable=False),
        sa.Column("override_system", sa.String(512)),
        sa.Column("override_code", sa.String(256)),
        sa.Column("override_display", sa.String(512)),
        sa.Column("user_comment", sa.Text),
        sa.Column("outcome_timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_iss", sa.String(512)),
        sa.Column("client_tenant", sa.String(256)),
    )
    op.create_index("ix_feedback_card_uuid", "feedback", ["card_uuid"])
    op.create_table(
        "jti_seen",
        sa.Column("iss", sa.String(512), primary_key=True),
        sa.Column("jti", sa.String(256), primary_key=True),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_jti_seen_expires_at", "jti_seen", ["expires_at"])


def downgrade() -> None:
    op.drop_table("jti_seen")
    op.drop_table("feedback")
    op.drop_table("card_record")
