"""``POST /cds-services/{id}/feedback`` (CDS Hooks 2.0 §Feedback).

Each item is checked against ``openapi.yaml``'s ``FeedbackRequest`` (every problem reported
with its JSON path, 400) and stored once: the same item sent twice — clients retry — is one row.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import current_app
from flask import jsonify
from flask.typing import ResponseReturnValue

from . import events
from . import schemas
from .api import json_body
from .api import service_or_404
from .errors import InvalidRequest
from .store import store_feedback

bp = Blueprint("feedback", __name__)


def validate_feedback(body: Any) -> list[dict[str, Any]]:
    """Return the feedback items of ``body`` or raise :class:`InvalidRequest` listing all problems."""
    issues = schemas.validate_feedback(body)
    if issues:
        raise InvalidRequest(issues)
    items: list[dict[str, Any]] = body["feedback"]
    return items


@bp.post("/cds-services/<service_id>/feedback")
def post_feedback(service_id: str) -> ResponseReturnValue:
    service_or_404(service_id)
    items = validate_feedback(json_body())
    stored = store_feedback(current_app._get_current_object(), service_id, items)  # type: ignore[attr-defined]
    for item, new in zip(items, stored, strict=True):
        events.emit("feedback", service_id=service_id, outcome=item["outcome"], stored=new)
    return jsonify({})


__all__ = ["bp", "validate_feedback"]
