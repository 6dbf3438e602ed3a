"""The tables: issued cards, feedback on them, seen JWT ids and the report's hash key.

Defined once here (SQLAlchemy Core); the Alembic migrations create exactly these. No
patient identifier is stored anywhere: a card joins to its rule, not to a person; its
``patient_hash`` is an HMAC under a key kept in ``report_key`` (distinct counts only).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

card_record = sa.Table(
    "card_record",
    metadata,
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
    # active: returned to the EHR; silent: evaluated and recorded only (rule modes)
    sa.Column("mode", sa.String(8), nullable=False, server_default="active"),
    sa.Column("patient_hash", sa.String(64)),  # HMAC-SHA256 of the patient id, hex
    sa.Index("ix_card_record_topic_version", "topic", "rule_version"),
    sa.Index("ix_card_record_issued_at", "issued_at"),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # sha256 of (card, outcome, sorted suggestion ids, override reason, outcomeTimestamp)
    sa.Column("dedup_key", sa.String(64), nullable=False, unique=True),
    sa.Column("card_uuid", sa.String(128), nullable=False, index=True),
    sa.Column("service_id", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("accepted_suggestions", sa.JSON, nullable=False),
    sa.Column("override_system", sa.String(512)),
    sa.Column("override_code", sa.String(256)),
    sa.Column("override_display", sa.String(512)),
    sa.Column("user_comment", sa.Text),
    sa.Column("outcome_timestamp", sa.DateTime(timezone=True)),  # NULL: unknown (0002)
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("client_iss", sa.String(512)),
    sa.Column("client_tenant", sa.String(256)),
)

jti_seen = sa.Table(
    "jti_seen",
    metadata,
    sa.Column("iss", sa.String(512), primary_key=True),
    sa.Column("jti", sa.String(256), primary_key=True),
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),  # epoch seconds
)

report_key = sa.Table(
    "report_key",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("hmac_key", sa.String(64), nullable=False),  # hex, made by migration 0003
)
