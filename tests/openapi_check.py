"""Check requests and responses against our ``openapi.yaml`` (test-side, full jsonschema).

Every test that produces a response can call :func:`assert_conforms`, so the document and
the service cannot drift apart without a test failing.
"""

from __future__ import annotations

import re
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema import FormatChecker
from referencing import Registry
from referencing import Resource
from referencing.jsonschema import DRAFT202012

from cds_service import schemas

_URI = "urn:test:openapi"


def _registry() -> Registry:  # type: ignore[type-arg]
    doc = schemas.openapi_document()
    return Registry().with_resource(
        _URI, Resource.from_contents(doc, default_specification=DRAFT202012)
    )


def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{_URI}#{pointer}"}, registry=_registry(), format_checker=FormatChecker()
    )


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _operation(path: str, method: str) -> tuple[str, dict[str, Any]]:
    """Find the operation whose path template matches ``path`` (e.g. a concrete URL)."""
    paths = schemas.openapi_document()["paths"]
    for template, item in paths.items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method.upper()} {path} is not in openapi.yaml")


def response_pointer(path: str, method: str, status: int) -> str:
    """Return the JSON pointer of the documented response schema."""
    template, op = _operation(path, method)
    responses = op["responses"]
    assert str(status) in responses, f"{method.upper()} {template} does not document {status}"
    response = responses[str(status)]
    if "$ref" in response:
        return response["$ref"].removeprefix("#") + "/content/application~1json/schema"
    (media,) = response["content"]
    return f"/paths/{_escape(template)}/{method.lower()}/responses/{status}/content/{_escape(media)}/schema"


def assert_conforms(path: str, method: str, status: int, body: Any) -> None:
    """Assert ``body`` is what openapi.yaml promises for ``method path`` answering ``status``."""
    errors = sorted(_validator(response_pointer(path, method, status)).iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def assert_request_conforms(path: str, method: str, body: Any) -> None:
    """Assert a request body matches the operation's documented request schema."""
    template, _ = _operation(path, method)
    pointer = (
        f"/paths/{_escape(template)}/{method.lower()}/requestBody/content/application~1json/schema"
    )
    errors = list(_validator(pointer).iter_errors(body))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
