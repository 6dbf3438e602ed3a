"""Check requests and responses against our ``openapi.yaml`` (test-side, full jsonschema).

Every test that produces a response can call :func:`assert_conforms`, so the document and
the service cannot drift apart without a test failing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask import Response
from flask import request
from flask import request_finished
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


def _find(path: str, method: str) -> tuple[str, dict[str, Any]] | None:
    paths = schemas.openapi_document()["paths"]
    for template, item in paths.items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    return None


def _operation(path: str, method: str) -> tuple[str, dict[str, Any]]:
    """Find the operation whose path template matches ``path`` (e.g. a concrete URL)."""
    found = _find(path, method)
    assert found is not None, f"{method.upper()} {path} is not in openapi.yaml"
    return found


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


@contextmanager
def conformance_checked() -> Iterator[list[str]]:
    """Collect a failure for every JSON response, of any app, that breaks openapi.yaml.

    Flask's ``request_finished`` signal fires for every app, including those a test builds
    itself. Routes the document does not describe (and CORS preflights) are skipped; a
    documented route answering an undocumented status fails.
    """
    failures: list[str] = []

    def check(_sender: Flask, response: Response, **_: Any) -> None:
        if request.method == "OPTIONS" or not response.is_json:
            return
        if _find(request.path, request.method) is None:
            return
        try:
            assert_conforms(request.path, request.method, response.status_code, response.json)
        except AssertionError as exc:
            failures.append(f"{request.method} {request.path} {response.status_code}: {exc}")

    request_finished.connect(check)
    try:
        yield failures
    finally:
        request_finished.disconnect(check)
