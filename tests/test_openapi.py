"""openapi.yaml: a valid OpenAPI 3.1 document, served by the service, matching what it does."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from cds_service import schemas
from tests.openapi_check import assert_conforms
from tests.openapi_check import assert_request_conforms
from tests.support import load_fixture

pytestmark = pytest.mark.usefixtures("responses_conform")

ROOT = Path(__file__).parent.parent
PROTOCOL_FIXTURES = ["patient-view", "order-select", "order-sign"]


def test_root_openapi_is_the_packaged_file() -> None:
    root = ROOT / "openapi.yaml"
    assert root.is_symlink()
    assert root.resolve() == (ROOT / "cds_service" / "openapi.yaml").resolve()


def test_document_is_openapi_3_1_with_valid_schemas() -> None:
    doc = schemas.openapi_document()
    assert doc["openapi"].startswith("3.1")
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # raises on an invalid schema
    # Every operation answers errors as OperationOutcome.
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("parameters",):
                continue
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["$ref"].startswith("#/components/responses/"), (path, status)


def test_every_hook_has_a_request_schema_and_the_routes_are_documented() -> None:
    paths = schemas.openapi_document()["paths"]
    for path in ("/cds-services", "/cds-services/{id}", "/cds-services/{id}/feedback"):
        assert path in paths
    for route in ("/health", "/openapi.yaml", "/openapi.json"):
        assert "get" in paths[route]


def test_served_yaml_and_json_are_the_document(client: FlaskClient) -> None:
    as_yaml = client.get("/openapi.yaml")
    assert as_yaml.status_code == 200 and as_yaml.mimetype == "application/yaml"
    assert yaml.safe_load(as_yaml.data) == schemas.openapi_document()
    as_json = client.get("/openapi.json")
    assert as_json.status_code == 200
    assert as_json.get_json() == schemas.openapi_document()
    assert_conforms("/openapi.json", "get", 200, as_json.get_json())


@pytest.mark.parametrize("name", PROTOCOL_FIXTURES)
def test_fixture_requests_conform_and_are_answered(client: FlaskClient, name: str) -> None:
    body = load_fixture(f"protocol/{name}.json")
    assert_request_conforms(f"/cds-services/{name}", "post", body)
    response = client.post(f"/cds-services/{name}", json=body)
    assert response.status_code == 200, response.get_json()
    assert_conforms(f"/cds-services/{name}", "post", 200, response.get_json())


def test_clinical_fixture_requests_conform() -> None:
    """Every request fixture other helpers add must be a valid request for its hook."""
    paths = sorted((ROOT / "tests" / "fixtures" / "requests").rglob("*.json"))
    for path in paths:
        body = load_fixture(str(path.relative_to(ROOT / "tests" / "fixtures")))
        if isinstance(body, dict) and "hook" in body and "hookInstance" in body:
            assert_request_conforms(f"/cds-services/{body['hook']}", "post", body)


def test_feedback_example_conforms() -> None:
    assert_request_conforms(
        "/cds-services/patient-view/feedback", "post", load_fixture("protocol/feedback.json")
    )


def test_response_schema_rejects_what_the_spec_forbids() -> None:
    card = {"summary": "x" * 140, "indicator": "info", "source": {"label": "s"}}
    with pytest.raises(AssertionError):
        assert_conforms("/cds-services/patient-view", "post", 200, {"cards": [card]})
    card = {
        "summary": "s",
        "indicator": "info",
        "source": {"label": "s"},
        "suggestions": [{"label": "l"}],
    }
    with pytest.raises(AssertionError, match="selectionBehavior"):
        assert_conforms("/cds-services/patient-view", "post", 200, {"cards": [card]})
