"""Shared fixtures: an app per test built by the factory, its client, and fixture loading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer

from cds_service import create_app
from tests.fhir_search_server import SearchServer
from tests.fhir_search_server import running
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


@pytest.fixture(scope="session")
def fhir_server() -> Iterator[HTTPServer]:
    """One threaded loopback FHIR server for the run: stopping a threaded one costs 0.5 s."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fhir(fhir_server: HTTPServer) -> Iterator[HTTPServer]:
    """The test FHIR server with no expectation or log left by another test."""
    fhir_server.clear()
    yield fhir_server
    fhir_server.clear()


@pytest.fixture
def fhir_settings(settings: dict[str, Any], fhir: HTTPServer) -> dict[str, Any]:
    """The test settings, allowed to call ``fhir`` back (timeouts generous on a busy host)."""
    return settings | {
        "FHIR_ALLOWED_SERVERS": [fhir.url_for("/fhir")],
        "FHIR_ALLOW_LOOPBACK_HTTP": True,
        "FHIR_DEADLINE_S": 1.0,
        "FHIR_READ_TIMEOUT_S": 0.8,
        "FHIR_CONNECT_TIMEOUT_S": 0.5,
    }


@pytest.fixture
def fhir_app(fhir_settings: dict[str, Any]) -> Flask:
    return create_app(fhir_settings)


@pytest.fixture(scope="module")
def search_fhir() -> Iterator[tuple[HTTPServer, SearchServer]]:
    """A FHIR server answering searches over ``SearchServer.pool`` (set by each test)."""
    search = SearchServer()
    with running(search) as server:
        yield server, search
