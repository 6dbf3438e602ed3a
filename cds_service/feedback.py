"""``POST /cds-services/{id}/feedback`` (CDS Hooks 2.0 §Feedback).

Each item is checked against :data:`FEEDBACK_SCHEMA` (every problem reported with its JSON
path, 400) and stored once: the same item sent twice — clients retry — is one row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask import request
from flask.typing import ResponseReturnValue
from jsonschema import Draft202012Validator

from . import events
from .errors import InvalidRequest
from .errors import Issue
from .errors import NotFound
from .store import store_feedback

bp = Blueprint("feedback", __name__)

_RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
_TEXT = {"type": "string", "minLength": 1, "maxLength": 512}
#: CDS Hooks 2.0 feedback request; the lead may point this at openapi.yaml's Feedback.
FEEDBACK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["feedback"],
    "properties": {
        "feedback": {
            "type": "array",
            "minItems": 1,
            "maxItems": 100,
            "items": {
                "type": "object",
                "required": ["card", "outcome", "outcomeTimestamp"],
                "properties": {
                    "card": {"type": "string", "minLength": 1, "maxLength": 128},
                    "outcome": {"enum": ["accepted", "overridden"]},
                    "acceptedSuggestions": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 50,
                        "items": {
                            "type": "object",
                            "required": ["id"],
                            "properties": {"id": _TEXT},
                        },
                    },
                    "overrideReason": {
                        "type": "object",
                        "minProperties": 1,
                        "properties": {
                            "reason": {
                                "type": "object",
                                "required": ["system", "code"],
                                "properties": {"system": _TEXT, "code": _TEXT, "display": _TEXT},
                            },
                            "userComment": {"type": "string", "minLength": 1, "maxLength": 4000},
                        },
                        "anyOf": [{"required": ["reason"]}, {"required": ["userComment"]}],
                    },
                    "outcomeTimestamp": {"type": "string", "pattern": _RFC3339},
                },
                "if": {"properties": {"outcome": {"const": "accepted"}}},
                "then": {"required": ["acceptedSuggestions"]},
                "else": {"not": {"required": ["acceptedSuggestions"]}},
            },
        }
    },
}
_VALIDATOR = Draft202012Validator(FEEDBACK_SCHEMA)


def validate_feedback(body: Any) -> list[dict[str, Any]]:
    """Return the feedback items of ``body`` or raise :class:`InvalidRequest` listing all problems."""
    issues = [
        Issue(error.message[:300], error.json_path)
        for error in sorted(_VALIDATOR.iter_errors(body), key=lambda e: e.json_path)
    ]
    if not issues:
        for i, item in enumerate(body["feedback"]):
            try:
                datetime.fromisoformat(item["outcomeTimestamp"].replace("Z", "+00:00"))
            except ValueError:
                issues.append(Issue("Not a valid date-time.", f"$.feedback[{i}].outcomeTimestamp"))
    if issues:
        raise InvalidRequest(issues)
    items: list[dict[str, Any]] = body["feedback"]
    return items


@bp.post("/cds-services/<service_id>/feedback")
def post_feedback(service_id: str) -> ResponseReturnValue:
    if current_app.extensions["cds_registry"].get(service_id) is None:
        raise NotFound(f"No CDS service '{service_id}'.")
    body = request.get_json(silent=True, force=True)
    if body is None:
        raise InvalidRequest([Issue("Body is not valid JSON.", "$")])
    items = validate_feedback(body)
    stored = store_feedback(current_app._get_current_object(), service_id, items)  # type: ignore[attr-defined]
    for item, new in zip(items, stored, strict=True):
        events.emit("feedback", service_id=service_id, outcome=item["outcome"], stored=new)
    return jsonify({})


__all__ = ["FEEDBACK_SCHEMA", "bp", "validate_feedback"]
