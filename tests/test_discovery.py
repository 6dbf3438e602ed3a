"""Discovery: what an EHR or the CDS Hooks Sandbox reads before calling anything."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.openapi_check import assert_conforms
from tests.openapi_check import responses_conform  # noqa: F401 (fixture)

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
