"""Helpers test modules share (pytest fixtures live in ``conftest.py``, never imported)."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
#: Every request fixture is evaluated at this moment (fixture dates are relative to it).
FIXTURE_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def load_fixture(name: str) -> Any:
    """Load a JSON fixture by path relative to ``tests/fixtures``."""
    return json.loads((FIXTURES / name).read_text())
