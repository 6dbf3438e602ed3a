"""The CDS Hooks HTTP surface: one blueprint, thin views, one pipeline."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge

from . import events
from . import jsonio
from . import logs
from . import pipeline
from . import schemas
from .config import settings_of
from .errors import InvalidRequest
from .errors import Issue
from .errors import NotFound
from .errors import PayloadTooLarge
from .jsonio import Path
from .registry import Registry
from .registry import ServiceDescriptor

bp = Blueprint("cds", __name__)
bp.record_once(lambda _state: schemas.warm())

#: Lenient on JSON flavours (checklist A.3); a missing Content-Type is accepted too.
JSON_TYPES = {"", "application/json", "application/fhir+json", "application/json+fhir"}
#: Only a hookInstance of this shape is logged: anything else could be injected text.
_LOGGABLE_ID = re.compile(r"^[A-Za-z0-9\-_.:]{1,64}$")


def registry() -> Registry:
    reg: Registry = current_app.extensions["cds_registry"]
    return reg


def service_or_404(service_id: str) -> ServiceDescriptor:
    """Return the registered service, or raise 404 (the id is client text: cut short)."""
    service = registry().get(service_id)
    if service is None:
        raise NotFound(f"No CDS service '{service_id[:64]}'.")
    return service


def _parse_body(*, nul: bool = False) -> tuple[Any, list[Path]]:
    """Parse the body as JSON (see :func:`.jsonio.parse_body`), or raise 400/413."""
    limit = settings_of(current_app).max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"Request body is larger than {limit} bytes.")
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES and not mimetype.endswith("+json"):
        raise InvalidRequest([Issue("Content-Type must be application/json.", "$")])
    # A chunked body has no Content-Length: read up to the limit, then probe for one byte
    # more (werkzeug's stream stops at the limit, and raises when read past it).
    try:
        raw = request.stream.read(limit)
        too_large = bool(request.stream.read(1))
    except RequestEntityTooLarge:
        too_large = True
    if too_large:
        raise PayloadTooLarge(f"Request body is larger than {limit} bytes.")
    try:
        return jsonio.parse_body(raw, nul=nul)
    except (ValueError, RecursionError):  # deep nesting is a client error, not a 500
        raise InvalidRequest([Issue("Body is not valid JSON.", "$")]) from None


def json_body() -> Any:
    """The body as JSON; any string that is not text (lone surrogate, NUL) is a 400.

    For bodies that are stored as sent (feedback): PostgreSQL text holds neither.
    """
    body, unreadable = _parse_body(nul=True)
    if unreadable:
        raise InvalidRequest(
            [
                Issue("Text is not valid (a NUL or a lone surrogate).", schemas.json_path(p))
                for p in unreadable
            ]
        )
    return body


@bp.get("/cds-services")
def discovery() -> ResponseReturnValue:
    return jsonify(registry().discovery())


@bp.post("/cds-services/<service_id>")
def call_service(service_id: str) -> ResponseReturnValue:
    service = service_or_404(service_id)
    body, unreadable = _parse_body()
    hook_instance = body.get("hookInstance") if isinstance(body, dict) else None
    if isinstance(hook_instance, str) and _LOGGABLE_ID.match(hook_instance):
        g.cds_hook_instance = hook_instance
    now = current_app.extensions["cds_clock"]()
    result = pipeline.call(
        service,
        body,
        settings_of(current_app),
        current_app.extensions["cds_fhir_fetcher"],
        now=now,
        unreadable=unreadable,
        modes=current_app.extensions["cds_rule_modes"],
    )
    g.cds_call_result = result
    return jsonify(result.body)


@bp.after_request
def _record_call(response: Response) -> Response:
    """Log and announce every service call, failed ones included (one line each)."""
    if request.endpoint != "cds.call_service" or request.method != "POST":
        return response
    result: pipeline.CallResult | None = g.get("cds_call_result")
    service_id = (request.view_args or {}).get("service_id", "")
    fields: dict[str, Any] = {
        "service_id": service_id if registry().get(service_id) else "unknown",
        "hook_instance": g.get("cds_hook_instance"),
        "status": response.status_code,
        "duration_ms": logs.elapsed_ms(),
    }
    events.emit("call", result=result, **fields)
    if fetched := g.get("cds_fetches"):
        fields["fetched"] = fetched
    if result is not None:
        fields["cards"] = len(result.cards)
        fields["topics"] = [card.topic for card in result.cards]
        if result.silent:  # evaluated and recorded, not shown (rule modes)
            fields["silent_topics"] = [card.topic for card in result.silent]
        if result.resolved.foreign:  # a count only: wrong-patient data dropped
            fields["other_patient_resources_dropped"] = result.resolved.foreign
        if result.resolved.unavailable:  # key names only: the on-call engineer's first clue
            fields["unavailable"] = sorted(result.resolved.unavailable)
    fields.update(logs.client_fields())
    logs.log_call(**fields)
    return response


@bp.get("/")
def index() -> ResponseReturnValue:
    """Where to go next, for people and scripts that open the bare URL (no token needed)."""
    links = {"discovery": "/cds-services", "openapi": "/openapi.json", "health": "/health"}
    if "preview" in current_app.blueprints and settings_of(current_app).development:
        links["preview"] = "/preview/"
    return jsonify({"service": "Spine Mass CDS (CDS Hooks 2.0)", "links": links})


@bp.get("/health")
def health() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@bp.get("/openapi.yaml")
def openapi_yaml() -> ResponseReturnValue:
    return Response(schemas.openapi_text(), mimetype="application/yaml")


@bp.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    return Response(schemas.openapi_json(), mimetype="application/json")
