"""Helpers test modules share (pytest fixtures live in ``conftest.py``, never imported)."""

from __future__ import annotations

import json
import sys
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
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


def every_request() -> dict[str, dict[str, Any]]:
    """Every fixture request with a prefetch, and every example under each hook its
    expectations name, by a readable name (``tests/fixtures/...json``, ``examples/x.json@hook``).
    """
    from cds_service import bundles

    out: dict[str, dict[str, Any]] = {}
    for path in sorted((FIXTURES / "requests").rglob("*.json")):
        body = json.loads(path.read_text())
        if isinstance(body, dict) and body.get("prefetch"):
            out[str(path.relative_to(ROOT))] = body
    expectations = json.loads((ROOT / "examples/expectations.json").read_text())["examples"]
    for name, runs in sorted(expectations.items()):
        record = bundles.read(json.loads((ROOT / f"examples/{name}.json").read_text()))
        for hook in sorted({run["hook"] for run in runs}):
            out[f"examples/{name}.json@{hook}"] = record.cds_request(hook, hook_instance=name)
    return out
