"""The card preview page at ``/preview``: see the cards of a patient as an EHR would.

A development and evaluation tool, on by default only when ``ENV`` is ``development``
(``PREVIEW_ENABLED`` overrides). It never evaluates anything itself: the page builds a CDS
Hooks request here, sends it from the browser to the *real* ``/cds-services/<id>`` endpoint
(with a bearer token when auth is on, e.g. from ``spine-mass-cds dev-token``), and posts
Accept/Dismiss to the real feedback endpoint. So the preview is no way around the JWT check,
and what it shows is exactly what an EHR would get. Card markdown is rendered here with
markdown-it-py, raw HTML disabled. Every asset is served by the app: it works offline.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import current_app
from flask import jsonify
from flask.typing import ResponseReturnValue
from markdown_it import MarkdownIt

from .. import bundles
from ..api import json_body
from ..config import flag as config_flag
from ..errors import InvalidRequest
from ..errors import Issue
from ..errors import NotFound

bp = Blueprint("preview", __name__, url_prefix="/preview", static_folder="static")
log = logging.getLogger("cds_service.preview")
#: CommonMark with raw HTML off: card text can never inject markup into the page.
_markdown = MarkdownIt("commonmark", {"html": False})
#: The examples ship in the package (``cds_service/examples``, in the repository a link to
#: ``examples/``), so a wheel install offers them too.
DEFAULT_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def enabled(config: Any) -> bool:
    """``PREVIEW_ENABLED`` if set, else on in development only."""
    flag = config.get("PREVIEW_ENABLED")
    if flag is None:
        return bool(config.get("ENV") == "development")
    return config_flag(flag)


def init_app(app: Flask) -> None:
    """Register the preview when it is enabled."""
    if not enabled(app.config):
        return
    if app.config.get("ENV") != "development":
        log.warning("card preview enabled outside development", extra={"event": "preview_on"})
    app.register_blueprint(bp)


def _examples_dir() -> Path:
    configured = current_app.config.get("PREVIEW_EXAMPLES_DIR")
    return Path(configured) if configured else DEFAULT_EXAMPLES


def _examples() -> dict[str, Path]:
    folder = _examples_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.json")) if p.stem != "expectations"}


@bp.get("/")
def page() -> ResponseReturnValue:
    return bp.send_static_file("preview.html")


@bp.get("/api/examples")
def examples() -> ResponseReturnValue:
    """List the example patients: name and the hook a request example was recorded for."""
    out = []
    for name, path in _examples().items():
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.append({"name": name, "hook": doc.get("hook", "patient-view")})
    return jsonify({"examples": out})


@bp.get("/api/examples/<name>")
def example(name: str) -> ResponseReturnValue:
    path = _examples().get(name)  # only names from the listing: no path traversal
    if path is None:
        raise NotFound(f"No example '{name}'.")
    return jsonify(json.loads(path.read_text(encoding="utf-8")))


@bp.post("/api/request")
def build_request() -> ResponseReturnValue:
    """Turn ``{"input": Bundle-or-request, "hook": ...}`` into a full CDS Hooks request."""
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidRequest([Issue("Body must be a JSON object.", "$")])
    record = bundles.read(body.get("input"))
    hook = bundles.check_hook(str(body.get("hook") or record.hook or "patient-view"))
    return jsonify(record.cds_request(hook, hook_instance=str(uuid.uuid4())))


@bp.post("/api/render")
def render() -> ResponseReturnValue:
    """Render each card's markdown ``detail`` to HTML, keyed by card uuid."""
    body = json_body()
    cards = body.get("cards") if isinstance(body, dict) else None
    if not isinstance(cards, list):
        raise InvalidRequest([Issue("'cards' must be a list.", "$.cards")])
    html = {
        str(c.get("uuid")): _markdown.render(str(c.get("detail", "")))
        for c in cards
        if isinstance(c, dict)
    }
    return jsonify({"detail": html})
