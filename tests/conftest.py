"""Shared fixtures: an app per test built by the factory, its client, and fixture loading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cds_service import create_app
from tests.openapi_check import conformance_checked
from tests.support import FIXTURE_NOW


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


@pytest.fixture
def responses_conform() -> Iterator[list[str]]:
    """Fail the test if any response it produced breaks openapi.yaml."""
    with conformance_checked() as failures:
        yield failures
    assert not failures, "\n".join(failures)
