"""Shared fixtures: an app per test built by the factory, its client, and fixture loading."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app

FIXTURES = Path(__file__).parent / "fixtures"
#: Every request fixture is evaluated at this moment (fixture dates are relative to it).
FIXTURE_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> dict[str, Any]:
    """Test settings: auth off (JWT has its own tests), a fresh SQLite file per test."""
    return {
        "TESTING": True,
        "AUTH_MODE": "off",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cds.sqlite'}",
    }


@pytest.fixture
def app(settings: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(settings)
    app.extensions["cds_clock"] = lambda: FIXTURE_NOW
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def load_fixture(name: str) -> Any:
    """Load a JSON fixture by path relative to ``tests/fixtures``."""
    return json.loads((FIXTURES / name).read_text())
