"""Rule modes and distinct patients: card_record.mode, card_record.patient_hash, report_key.

``mode`` says whether a card was returned (``active``) or only recorded (``silent``); every
row recorded before this revision was returned, so existing rows read ``active``.
``patient_hash`` is an HMAC of the patient id under a key generated here, once, and kept in
``report_key`` only: the report can count distinct patients, nobody can list them.
Rows written before this revision have no hash (NULL): they are not counted as patients.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("card_record") as batch:
        batch.add_column(sa.Column("mode", sa.String(8), nullable=False, server_default="active"))
        batch.add_column(sa.Column("patient_hash", sa.String(64)))
    op.create_index("ix_card_record_issued_at", "card_record", ["issued_at"])
    key = op.create_table(
        "report_key",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("hmac_key", sa.String(64), nullable=False),
    )
    op.bulk_insert(key, [{"id": 1, "hmac_key": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("report_key")
    op.drop_index("ix_card_record_issued_at", "card_record")
    with op.batch_alter_table("card_record") as batch:
        batch.drop_column("patient_hash")
        batch.drop_column("mode")
