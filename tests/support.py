"""Helpers test modules share (pytest fixtures live in ``conftest.py``, never imported)."""

from __future__ import annotations

import json
import sys
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


def normalise(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace each uuid by a stable placeholder numbered in order of appearance.

    Keys are walked sorted, so the numbering does not depend on the wire's key order.
    """
    seen: dict[str, str] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (seen.setdefault(v, f"<uuid-{len(seen) + 1}>") if k == "uuid" else walk(v))
                for k, v in sorted(node.items())
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out: list[dict[str, Any]] = walk(cards)
    return out


#: The production server as operators start it, on an OS-chosen port.
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "--config",
    "python:cds_service.gunicorn_conf",
    "--bind",
    "127.0.0.1:0",
    "cds_service.wsgi:app",
]
