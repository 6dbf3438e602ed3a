"""The response check itself: it must notice when the service drifts from openapi.yaml."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.openapi_check import conformance_checked


def test_the_response_check_catches_drift(app: Flask) -> None:
    class Broken:
        def discovery(self) -> dict[str, Any]:
            return {"services": [{"id": "x", "hook": "patient-view", "prefetch": {}}]}

    app.extensions["cds_registry"] = Broken()
    with conformance_checked() as failures:
        app.test_client().get("/cds-services")
    assert len(failures) == 1 and "description" in failures[0]


def test_undocumented_routes_and_preflights_are_skipped(app: Flask) -> None:
    with conformance_checked() as failures:
        app.test_client().get("/not-documented")
        app.test_client().options("/cds-services", headers={"Origin": "https://x.example"})
    assert failures == []
