"""The CDS Hooks HTTP surface: one blueprint, thin views, one pipeline."""

from __future__ import annotations

import re
from typing import Any
from typing import TypeVar

from flask import Blueprint
from flask import Flask
from flask import Request
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

T = TypeVar("T")


def registry(app: Flask | None = None) -> Registry:
    reg: Registry = (app or current_app).extensions["cds_registry"]
    return reg


def service_or_404(service_id: str, app: Flask | None = None) -> ServiceDescriptor:
    """Return the registered service, or raise 404 (the id is client text: cut short)."""
    service = registry(app).get(service_id)
    if service is None:
        raise NotFound(f"No CDS service '{service_id[:64]}'.")
    return service


def _parse_body(req: Request, limit: int, *, nul: bool = False) -> tuple[Any, list[Path]]:
    """Parse the body as JSON (see :func:`.jsonio.parse_body`), or raise 400/413."""
    length = req.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(f"Request body is larger than {limit} bytes.")
    mimetype = req.mimetype or ""
    if mimetype not in JSON_TYPES and not mimetype.endswith("+json"):
        raise InvalidRequest([Issue("Content-Type must be application/json.", "$")])
    # A chunked body has no Content-Length: read up to the limit, then probe for one byte
    # more (werkzeug's stream stops at the limit, and raises when read past it).
    stream = req.stream
    try:
        raw = stream.read(limit)
        too_large = bool(stream.read(1))
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
    body, unreadable = _parse_body(
        _current(request), settings_of(current_app).max_body_bytes, nul=True
    )
    if unreadable:
        raise InvalidRequest(
            [
                Issue("Text is not valid (a NUL or a lone surrogate).", schemas.json_path(p))
                for p in unreadable
            ]
        )
    return body


def _current(proxy: T) -> T:
    """The object behind one of Flask's context proxies (``request``, ``g``, ``current_app``).

    Each attribute read through a proxy finds the object again, after an ordinary lookup
    that fails; werkzeug documents ``_get_current_object`` for a function that reads a
    proxy often, as the per-call path does.
    """
    obj: T = proxy._get_current_object()  # type: ignore[attr-defined]
    return obj


@bp.get("/cds-services")
def discovery() -> ResponseReturnValue:
    return jsonify(registry().discovery())


@bp.post("/cds-services/<service_id>")
def call_service(service_id: str) -> ResponseReturnValue:
    app, notes = _current(current_app), _current(g)
    service = service_or_404(service_id, app)
    settings = settings_of(app)
    body, unreadable = _parse_body(_current(request), settings.max_body_bytes)
    hook_instance = body.get("hookInstance") if isinstance(body, dict) else None
    if isinstance(hook_instance, str) and _LOGGABLE_ID.match(hook_instance):
        notes.cds_hook_instance = hook_instance
    now = app.extensions["cds_clock"]()
    result = pipeline.call(
        service,
        body,
        settings,
        app.extensions["cds_fhir_fetcher"],
        now=now,
        unreadable=unreadable,
        modes=app.extensions["cds_rule_modes"],
    )
    notes.cds_call_result = result
    return result.body  # a dict: Flask answers it as jsonify would


@bp.after_request
def _record_call(response: Response) -> Response:
    """Log and announce every service call, failed ones included (one line each)."""
    req = _current(request)
    if req.endpoint != "cds.call_service" or req.method != "POST":
        return response
    app, notes = _current(current_app), _current(g)
    result: pipeline.CallResult | None = notes.get("cds_call_result")
    service_id = (req.view_args or {}).get("service_id", "")
    fields: dict[str, Any] = {
        "service_id": service_id if registry(app).get(service_id) else "unknown",
        "hook_instance": notes.get("cds_hook_instance"),
        "status": response.status_code,
        "duration_ms": logs.elapsed_ms(notes),
    }
    events.emit("call", result=result, **fields)
    if fetched := notes.get("cds_fetches"):
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
    fields.update(logs.client_fields(notes))
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
