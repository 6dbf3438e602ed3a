"""The CDS Hooks HTTP surface: one blueprint, thin views, one pipeline."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request
from flask.typing import ResponseReturnValue

from . import pipeline
from .errors import InvalidRequest
from .errors import Issue
from .errors import NotFound
from .registry import Registry
from .registry import ServiceDescriptor

bp = Blueprint("cds", __name__)


def registry() -> Registry:
    reg: Registry = current_app.extensions["cds_registry"]
    return reg


def _service(service_id: str) -> ServiceDescriptor:
    service = registry().get(service_id)
    if service is None:
        raise NotFound(f"No CDS service '{service_id}'.")
    return service


def _json_body() -> Any:
    body = request.get_json(silent=True, force=True)
    if body is None:
        raise InvalidRequest([Issue("Body is not valid JSON.", "$")])
    return body


@bp.get("/cds-services")
def discovery() -> ResponseReturnValue:
    return jsonify(registry().discovery())


@bp.post("/cds-services/<service_id>")
def call_service(service_id: str) -> ResponseReturnValue:
    now = current_app.extensions["cds_clock"]()
    result = pipeline.call(_service(service_id), _json_body(), current_app.config, now=now)
    return jsonify(result.body)


@bp.get("/health")
def health() -> ResponseReturnValue:
    return jsonify({"status": "ok"})
