"""Request and feedback validation from ``openapi.yaml``: one document, validators compiled once.

The OpenAPI document is the single source of truth for what a request may look like;
this module loads it at import, builds one Draft 2020-12 validator per hook and reports
*every* problem with its JSON path, so a client fixes its request in one round trip.
Valid requests (nearly all) are checked by ``jsonschema_rs`` in microseconds; only an
invalid one is re-run through ``jsonschema`` for its path-annotated error list.
The schemas stop at the envelope and context (prefetched resources only need a
``resourceType``): validating whole FHIR resources per request would cost more than the
rest of the call together (docs/performance.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator
from jsonschema import ValidationError

from .errors import Issue
from .logic.extract.fhir import parse_timestamp
from .registry import ServiceDescriptor
from .urls import secure_url
from .urls import split_url

#: The document ships inside the package; the repository root holds a symlink to it.
OPENAPI_PATH = Path(__file__).with_name("openapi.yaml")
_LOCAL = "#/components/schemas/"

#: Most issues listed in one 400; a pathological body must not make a huge answer.
MAX_ISSUES = 50

#: Request schema per hook (``components.schemas``).
_HOOK_SCHEMAS = {
    "patient-view": "PatientViewRequest",
    "order-select": "OrderSelectRequest",
    "order-sign": "OrderSignRequest",
}


@cache
def openapi_text() -> str:
    """Return ``openapi.yaml`` as served (read once)."""
    return OPENAPI_PATH.read_text(encoding="utf-8")


@cache
def openapi_document() -> dict[str, Any]:
    """Return the parsed OpenAPI document (parsed once; treat as read-only)."""
    doc: dict[str, Any] = yaml.safe_load(openapi_text())
    return doc


@cache
def openapi_json() -> str:
    """Return the document as a JSON string for ``GET /openapi.json``."""
    return json.dumps(openapi_document())


def inline_refs(node: Any, components: Mapping[str, Any]) -> Any:
    """Return ``node`` with every ``#/components/schemas/X`` reference replaced by ``X``.

    Reference lookups are a large share of jsonschema's time on our small envelope
    schemas; the request schemas are not recursive, so inlining them once is safe.
    """
    if isinstance(node, list):
        return [inline_refs(item, components) for item in node]
    if not isinstance(node, Mapping):
        return node
    out = {k: inline_refs(v, components) for k, v in node.items() if k != "$ref"}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_LOCAL):
        target = inline_refs(components[ref.removeprefix(_LOCAL)], components)
        return {**out, "allOf": [*out.get("allOf", []), target]} if out else target
    return out


@cache
def _schema(schema_name: str) -> dict[str, Any]:
    components = openapi_document()["components"]["schemas"]
    schema: dict[str, Any] = inline_refs(components[schema_name], components)
    Draft202012Validator.check_schema(schema)
    return schema


@cache
def validator(schema_name: str) -> Draft202012Validator:
    """Return the jsonschema validator of ``components.schemas.<schema_name>`` (error lists)."""
    return Draft202012Validator(_schema(schema_name))


@cache
def fast_validator(schema_name: str) -> jsonschema_rs.Draft202012Validator:
    """Return the compiled Rust validator: the fast path for valid requests (docs/performance.md)."""
    return jsonschema_rs.Draft202012Validator(_schema(schema_name))


def warm() -> None:
    """Compile every request validator now, so the first call does not pay for it."""
    for name in (*_HOOK_SCHEMAS.values(), "CdsRequestEnvelope", "FeedbackRequest"):
        validator(name)
        fast_validator(name)


def json_path(path: Iterable[Any]) -> str:
    """Render a jsonschema error path as ``$.context.selections[0]`` (keys are client text)."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{str(part)[:64]}"
    return out[:256]


#: Keywords whose jsonschema message repeats the instance; we name the keyword's own value.
_SCALAR_KEYWORDS = frozenset(
    {"pattern", "type", "const", "enum", "minLength", "maxLength", "minItems", "maxItems"}
    | {"minProperties", "maxProperties", "minimum", "maximum", "format", "uniqueItems"}
)


def _message(error: ValidationError, service: ServiceDescriptor | None) -> str:
    """Say what is wrong in the client's terms, without echoing large or secret values."""
    where = list(error.absolute_path)
    if service is not None and where == ["hook"] and error.validator == "const":
        return f"Service '{service.id}' answers hook '{service.hook}'."
    if (forbidden := _forbidden(error)) is not None:
        return f"'{forbidden}' is not allowed here."
    if error.validator == "required":
        return str(error.message).replace(" is a required property", " is required.")
    if error.validator == "dependentRequired" and "fhirAuthorization" in error.instance:
        return "'fhirServer' is required when 'fhirAuthorization' is present."
    if error.validator in _SCALAR_KEYWORDS:
        # Never echo the value: it may be a token or a patient identifier.
        return f"Invalid value ({error.validator}: {error.validator_value!r})."[:300]
    if error.validator in ("anyOf", "oneOf", "not"):
        return f"Does not match the allowed forms ({error.validator})."
    return str(error.message)[:300]


def _forbidden(error: ValidationError) -> str | None:
    """Return the property a ``not: {required: [x]}`` keeps out, or ``None``.

    jsonschema's own message for ``not`` repeats the whole instance, which may hold a
    free-text comment about a patient.
    """
    if error.validator != "not" or not isinstance(error.validator_value, Mapping):
        return None
    names = error.validator_value.get("required")
    return str(names[0]) if isinstance(names, list) and len(names) == 1 else None


def _issue_path(error: ValidationError) -> list[Any]:
    path = list(error.absolute_path)
    if (forbidden := _forbidden(error)) is not None:
        return [*path, forbidden]
    if error.validator == "dependentRequired":
        return [*path, "fhirServer"]
    if error.validator == "required" and isinstance(error.validator_value, list):
        missing = str(error.message).split("'")
        if len(missing) > 1:
            path.append(missing[1])
    return path


def fhir_server_issues(value: Any, *, allow_loopback_http: bool) -> list[Issue]:
    """Require ``https`` (CDS Hooks 2.0), or loopback ``http`` when the deployment allows it."""
    if not isinstance(value, str) or secure_url(value, allow_loopback_http=allow_loopback_http):
        return []
    if split_url(value) is None:
        return [Issue("'fhirServer' is not a valid URL.", "$.fhirServer")]
    return [Issue("'fhirServer' must be an https URL.", "$.fhirServer")]


def _schema_issues(schema_name: str, body: Any, service: ServiceDescriptor | None) -> list[Issue]:
    """Return every schema problem of ``body``: the fast check first, the full list if it fails."""
    if fast_validator(schema_name).is_valid(body):
        return []
    return [
        Issue(_message(err, service), json_path(_issue_path(err)))
        for err in validator(schema_name).iter_errors(body)
    ]


def _capped(issues: list[Issue]) -> list[Issue]:
    issues.sort(key=lambda i: i.expression or "")
    if len(issues) > MAX_ISSUES:
        more = len(issues) - MAX_ISSUES
        issues = [*issues[:MAX_ISSUES], Issue(f"... and {more} more problems.", "$")]
    return issues


def validate_feedback(body: Any) -> list[Issue]:
    """Return every problem of a feedback ``body`` (empty when it is valid).

    The schema's pattern fixes the RFC 3339 shape; whether the date exists (no month 13)
    is checked here, because jsonschema's ``date-time`` format check needs an extra package.
    The local date and time are checked, not the instant: one past what a datetime holds
    in UTC is still a valid FHIR instant (stored as an unknown time).
    """
    issues = _schema_issues("FeedbackRequest", body, None)
    if not issues:
        for i, item in enumerate(body["feedback"]):
            if parse_timestamp(item["outcomeTimestamp"][:19]) is None:  # YYYY-MM-DDThh:mm:ss
                issues.append(Issue("Not a valid date-time.", f"$.feedback[{i}].outcomeTimestamp"))
    return _capped(issues)


def validate_request(
    service: ServiceDescriptor, body: Any, *, allow_loopback_http: bool = False
) -> list[Issue]:
    """Return every problem of a service-call ``body`` (empty when it is valid)."""
    if not isinstance(body, Mapping):
        return [Issue("Body must be a JSON object.", "$")]
    schema_name = _HOOK_SCHEMAS.get(service.hook)
    if schema_name is None:  # a service on a hook we have no schema for: envelope only
        schema_name = "CdsRequestEnvelope"
    issues = _schema_issues(schema_name, body, service)
    # The schema cannot know which required context fields the service itself insists on.
    context = body.get("context")
    if isinstance(context, Mapping):
        issues += [
            Issue(f"'{name}' is required.", f"$.context.{name}")
            for name in service.context_required
            if name not in context and not any(i.expression == f"$.context.{name}" for i in issues)
        ]
    if "fhirServer" in body and not any(i.expression == "$.fhirServer" for i in issues):
        issues += fhir_server_issues(body["fhirServer"], allow_loopback_http=allow_loopback_http)
    return _capped(issues)
