"""Outside check: schemathesis fuzzes the live app with two OpenAPI documents.

* the CDS Hooks community's OpenAPI 3.0 draft (``shared/conformance`` beside the repository, written by
  no one on this project): no 5xx, and every answer it documents conforms;
* our own ``openapi.yaml``: no 5xx, every status code, content type and response body is
  the one documented, and data the schema calls invalid is rejected with a 4xx.

The app runs in-process through schemathesis' WSGI transport; fuzzed ``fhirServer`` URLs
are never called because the allow-list is empty. Bounded: ``MAX_EXAMPLES`` per operation.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis.checks import content_type_conformance
from schemathesis.checks import negative_data_rejection
from schemathesis.checks import not_a_server_error
from schemathesis.checks import response_schema_conformance
from schemathesis.checks import status_code_conformance

from cds_service import create_app
from cds_service import schemas
from cds_service.config import settings_of

pytestmark = pytest.mark.slow
MAX_EXAMPLES = 40
DRAFT = Path(__file__).parent / "fixtures" / "protocol" / "cds-hooks-openapi-3.0-draft.yaml"

_DB = Path(tempfile.mkdtemp(prefix="cds-conformance-")) / "cds.sqlite"
APP = create_app({"TESTING": True, "AUTH_MODE": "off", "DATABASE_URL": f"sqlite:///{_DB}"})

draft = schemathesis.openapi.from_dict(yaml.safe_load(DRAFT.read_text()))
draft.app = APP


def _without_security(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop the JWT requirement: this app runs with auth off (JWTs have their own tests)."""
    doc = copy.deepcopy(doc)
    for item in doc["paths"].values():
        for op in item.values():
            if isinstance(op, dict):
                op.pop("security", None)
    return doc


ours = schemathesis.openapi.from_dict(_without_security(schemas.openapi_document()))
ours.app = APP

_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@draft.parametrize()
@_SETTINGS
def test_community_draft_spec(case: Any) -> None:
    case.call_and_validate(
        base_url="http://localhost", checks=[not_a_server_error, response_schema_conformance]
    )


@ours.parametrize()
@_SETTINGS
def test_our_openapi(case: Any) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            negative_data_rejection,
        ],
    )


def test_the_fuzzed_service_calls_no_fhir_server() -> None:
    assert settings_of(APP).fhir_allowed_servers == ()


@pytest.mark.parametrize("doc", [DRAFT])
def test_draft_is_the_shared_copy(doc: Path) -> None:
    shared = Path(__file__).parents[2] / "shared/conformance/cds-hooks-openapi-3.0-draft.yaml"
    if shared.exists():
        assert doc.read_bytes() == shared.read_bytes()
