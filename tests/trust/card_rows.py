"""Card rows as a service call builds them, for the card-store tests."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from cds_service.store import card_rows

CALL = ("patient-view", None, "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", None, None, None)


def values(*uuids: str) -> list[tuple[str, ...]]:
    """One ``CARD_COLUMNS`` tuple per uuid."""
    return [(u, "mri-24h", "rule-mri-24h", "1.1.0", "critical", "active") for u in uuids]


def rows(eng: sa.Engine, *uuids: str) -> list[dict[str, Any]]:
    """Card rows as a call to a service on ``eng`` builds them."""
    return card_rows(values(*uuids), (CALL[0], datetime.now(UTC), *CALL[2:]))
