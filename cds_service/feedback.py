"""``POST /cds-services/{id}/feedback`` (CDS Hooks 2.0 §Feedback).

Each item is checked against ``openapi.yaml``'s ``FeedbackRequest`` (every problem reported
with its JSON path, 400) and stored once: the same item sent twice — clients retry — is one row.
"""

from __future__ import annotations

import logging
from collections import Counter
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
from . import schemas
from .api import json_body
from .api import registry
from .api import service_or_404
from .errors import InvalidRequest
from .store import store_feedback

bp = Blueprint("feedback", __name__)
log = logging.getLogger("cds_service.feedback")


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
    stored = store_feedback(current_app, service_id, items)
    for item, new in zip(items, stored, strict=True):
        events.emit("feedback", service_id=service_id, outcome=item["outcome"], stored=new)
    g.cds_feedback = (Counter(str(item["outcome"]) for item in items), sum(stored))
    return jsonify({})


@bp.after_request
def _log_feedback(response: Response) -> Response:
    """One line per feedback call, refused ones included, so an operator sees feedback arrive.

    Counts only: card ids, suggestion ids and clinicians' comments are not logged.
    """
    outcomes, new = g.pop("cds_feedback", (Counter[str](), 0))
    service_id = (request.view_args or {}).get("service_id", "")
    items = sum(outcomes.values())
    fields: dict[str, Any] = {
        "service_id": service_id if registry().get(service_id) else "unknown",
        "status": response.status_code,
        "outcomes": dict(sorted(outcomes.items())),
        "items": items,
        "stored": new,
        "duplicates": items - new,
        "duration_ms": logs.elapsed_ms(),
    }
    fields.update(logs.client_fields())
    log.info("feedback", extra={"event": "feedback", **fields})
    return response


__all__ = ["bp", "validate_feedback"]
