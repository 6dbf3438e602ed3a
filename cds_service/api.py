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

from . import events
from . import logs
from . import pipeline
from . import schemas
from .errors import InvalidRequest
from .errors import Issue
from .errors import NotFound
from .errors import PayloadTooLarge
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


def json_body() -> Any:
    """Parse the body as JSON, or raise 400/413 as an OperationOutcome (calls and feedback)."""
    limit = int(current_app.config["MAX_BODY_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"Request body is larger than {limit} bytes.")
    mimetype = request.mimetype or ""
    if mimetype not in JSON_TYPES and not mimetype.endswith("+json"):
        raise InvalidRequest([Issue("Content-Type must be application/json.", "$")])
    try:
        body = request.get_json(silent=True, force=True)
    except RecursionError:  # absurdly deep nesting is a client error, not a 500
        body = None
    if body is None:
        raise InvalidRequest([Issue("Body is not valid JSON.", "$")])
    return body


@bp.get("/cds-services")
def discovery() -> ResponseReturnValue:
    return jsonify(registry().discovery())


@bp.post("/cds-services/<service_id>")
def call_service(service_id: str) -> ResponseReturnValue:
    service = service_or_404(service_id)
    body = json_body()
    hook_instance = body.get("hookInstance") if isinstance(body, dict) else None
    if isinstance(hook_instance, str) and _LOGGABLE_ID.match(hook_instance):
        g.cds_hook_instance = hook_instance
    now = current_app.extensions["cds_clock"]()
    modes = current_app.extensions["cds_rule_modes"]
    result = pipeline.call(service, body, current_app.config, now=now, modes=modes)
    g.cds_call_result = result
    return jsonify(result.body)


@bp.after_request
def _record_call(response: Response) -> Response:
    """Log and announce every service call, failed ones included (one line each)."""
    if request.endpoint != "cds.call_service" or request.method != "POST":
        return response
    # One lookup of the request's globals: each ``g.x`` through the proxy costs a lookup.
    state = g._get_current_object().__dict__
    result: pipeline.CallResult | None = state.get("cds_call_result")
    service_id = (request.view_args or {}).get("service_id", "")
    fields: dict[str, Any] = {
        "service_id": service_id if registry().get(service_id) else "unknown",
        "hook_instance": state.get("cds_hook_instance"),
        "status": response.status_code,
        "duration_ms": logs.elapsed_ms(),
    }
    events.emit("call", result=result, **fields)
    if state.get("cds_fetches"):
        fields["fetched"] = state["cds_fetches"]
    if result is not None:
        fields["cards"] = len(result.evaluation.cards)
        fields["topics"] = [card.topic for card in result.evaluation.cards]
        if result.evaluation.silent:  # evaluated and recorded, not shown (rule modes)
            fields["silent_topics"] = [card.topic for card in result.evaluation.silent]
        if result.resolved.foreign:  # a count only: wrong-patient data dropped
            fields["other_patient_resources_dropped"] = result.resolved.foreign
        if result.resolved.unavailable:  # key names only: the on-call engineer's first clue
            fields["unavailable"] = sorted(result.resolved.unavailable)
    for attr, key in (("cds_client_iss", "iss"), ("cds_client_tenant", "tenant")):
        if state.get(attr):
            fields[key] = state[attr]
    logs.log_call(**fields)
    return response


@bp.get("/health")
def health() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@bp.get("/openapi.yaml")
def openapi_yaml() -> ResponseReturnValue:
    return Response(schemas.openapi_text(), mimetype="application/yaml")


@bp.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    return Response(schemas.openapi_json(), mimetype="application/json")
