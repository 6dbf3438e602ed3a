"""Discovery: what an EHR or the CDS Hooks Sandbox reads before calling anything."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service import create_app
from tests.openapi_check import assert_conforms

pytestmark = pytest.mark.usefixtures("responses_conform")

#: CDS Hooks 2.0 prefetch tokens (checklist §3.2): first-level context fields and user ids.
TOKEN = re.compile(r"\{\{([^}]*)\}\}")
ALLOWED_TOKENS = {
    "context.patientId",
    "context.userId",
    "context.encounterId",
    "userPractitionerId",
    "userPractitionerRoleId",
    "userPatientId",
    "userRelatedPersonId",
}


def test_discovery_lists_each_hook_once_with_every_field(client: FlaskClient) -> None:
    response = client.get("/cds-services")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    services = response.get_json()["services"]
    assert sorted((s["id"], s["hook"]) for s in services) == [
        ("order-select", "order-select"),
        ("order-sign", "order-sign"),
        ("patient-view", "patient-view"),
    ]
    for service in services:
        assert set(service) == {
            "id",
            "hook",
            "title",
            "description",
            "prefetch",
            "usageRequirements",
        }
        assert all(isinstance(v, str | dict) and v for v in service.values())
    assert_conforms("/cds-services", "get", 200, response.get_json())


def test_prefetch_templates_use_only_cds_hooks_2_tokens(client: FlaskClient) -> None:
    for service in client.get("/cds-services").get_json()["services"]:
        for key, template in service["prefetch"].items():
            assert set(TOKEN.findall(template)) <= ALLOWED_TOKENS, (service["id"], key)
            assert "_include" not in template
            # Relative to fhirServer: no scheme (a code token's system URL may contain one).
            assert "://" not in template.split("?", 1)[0], (service["id"], key)


def test_discovery_is_stable_between_calls(client: FlaskClient) -> None:
    assert client.get("/cds-services").data == client.get("/cds-services").data


def test_health_is_cheap_json(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert_conforms("/health", "get", 200, response.get_json())


def test_root_points_a_newcomer_to_the_api_without_a_token(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    """``GET /`` is the first URL people try: it answers, unauthenticated, where to go next."""
    dev = create_app(
        {
            **settings,
            "ENV": "development",
            "AUTH_MODE": "required",
            "DEV_TRUST_DIR": str(tmp_path / "trust"),
        }
    ).test_client()
    assert dev.get("/cds-services").status_code == 401  # the API itself stays protected
    root = dev.get("/")
    assert root.status_code == 200
    links = root.get_json()["links"]
    assert links == {
        "discovery": "/cds-services",
        "openapi": "/openapi.json",
        "health": "/health",
        "preview": "/preview/",
    }
    assert_conforms("/", "get", 200, root.get_json())
    for path in links.values():
        with dev.get(path) as linked:
            assert linked.status_code in (200, 401)
    production = create_app({**settings, "ENV": "production"}).test_client().get("/")
    assert "preview" not in production.get_json()["links"]
