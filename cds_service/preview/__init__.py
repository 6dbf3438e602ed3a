"""The card preview page at ``/preview``: see the cards of a patient as an EHR would.

A development and evaluation tool, on by default only when ``ENV`` is ``development``
(``PREVIEW_ENABLED`` overrides). It never evaluates anything itself: the page builds a CDS
Hooks request here, sends it from the browser to the *real* ``/cds-services/<id>`` endpoint
with a bearer token when auth is on, and posts Accept/Dismiss to the real feedback endpoint.
So the preview is no way around the JWT check, and what it shows is exactly what an EHR would
get. In development only, ``/preview/api/token`` signs a fresh one-use token for each call the
page makes, with the development key the service already trusts (tokens are single-use and
audience-bound, so one pasted token could never serve a call and its feedback). Card markdown is rendered here with
markdown-it-py, raw HTML disabled. Every asset is served by the app: it works offline.
"""

from __future__ import annotations

import json
import logging
import re
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
from .. import dateshift
from ..api import json_body
from ..auth.dev import DEV_BASE_URL
from ..auth.dev import dev_trust_dir
from ..auth.dev import mint_dev_token
from ..auth.verify import audience_for
from ..config import settings_of
from ..errors import InvalidRequest
from ..errors import Issue
from ..errors import NotFound
from ..logic.extract.fhir import parse_timestamp

bp = Blueprint("preview", __name__, url_prefix="/preview", static_folder="static")
log = logging.getLogger("cds_service.preview")
#: CommonMark with raw HTML off: card text can never inject markup into the page.
_markdown = MarkdownIt("commonmark", {"html": False})
#: The examples ship in the package (``cds_service/examples``, in the repository a link to
#: ``examples/``), so a wheel install offers them too.
DEFAULT_EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


#: Paths the token endpoint signs for: discovery, a service, a service's feedback.
_TOKEN_PATH = re.compile(r"^/cds-services(/[A-Za-z0-9_.-]{1,64}(/feedback)?)?$")
#: Long enough for one call from the page, short enough to be useless later.
TOKEN_LIFETIME_S = 60


def init_app(app: Flask) -> None:
    """Register the preview when it is enabled."""
    settings = settings_of(app)
    if not settings.preview_on:
        return
    if not settings.development:
        log.warning("card preview enabled outside development", extra={"event": "preview_on"})
    app.register_blueprint(bp)


def _examples_dir() -> Path:
    configured = settings_of(current_app).preview_examples_dir
    return Path(configured) if configured else DEFAULT_EXAMPLES


def _examples() -> dict[str, Path]:
    folder = _examples_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.json")) if p.stem != "expectations"}


@bp.get("/")
def page() -> ResponseReturnValue:
    return bp.send_static_file("preview.html")


def _as_of() -> dict[str, Any] | None:
    """Return the examples' reference moment and the days to move them to the service's now.

    The reference is ``expectations.json``'s ``now``; a folder without one is shown as written.
    """
    try:
        expectations = json.loads((_examples_dir() / "expectations.json").read_text("utf-8"))
        reference = parse_timestamp(str(expectations["now"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if reference is None:
        return None
    now = current_app.extensions["cds_clock"]()
    return {"reference": expectations["now"], "shiftDays": dateshift.days_since(reference, now)}


@bp.get("/api/examples")
def examples() -> ResponseReturnValue:
    """List the example patients (name, recorded hook) and how their dates are moved."""
    out = []
    for name, path in _examples().items():
        doc = json.loads(path.read_text(encoding="utf-8"))
        out.append({"name": name, "hook": doc.get("hook", "patient-view")})
    return jsonify({"examples": out, "asOf": _as_of()})


@bp.get("/api/examples/<name>")
def example(name: str) -> ResponseReturnValue:
    """One example as of now: its dates moved by the days since the examples' reference."""
    path = _examples().get(name)  # only names from the listing: no path traversal
    if path is None:
        raise NotFound(f"No example '{name}'.")
    doc = json.loads(path.read_text(encoding="utf-8"))
    as_of = _as_of()
    return jsonify(dateshift.shift_dates(doc, as_of["shiftDays"]) if as_of else doc)


@bp.post("/api/token")
def token() -> ResponseReturnValue:
    """Sign a one-use development token for ``{"path": "/cds-services/..."}`` (development only).

    Outside ``ENV=development`` the route does not exist (404), even with the preview switched
    on: the development key must never sign for a production service. With auth off the
    answer is ``{"token": null}`` and the page sends no header.
    """
    settings = settings_of(current_app)
    if not settings.development:
        raise NotFound("Not found.")
    body = json_body()
    path = body.get("path") if isinstance(body, dict) else None
    if not isinstance(path, str) or not _TOKEN_PATH.match(path):
        raise InvalidRequest([Issue("'path' must be a /cds-services path.", "$.path")])
    if settings.auth_mode == "off":
        return jsonify({"token": None})
    audience = audience_for(settings.public_base_url or DEV_BASE_URL, path)
    folder = dev_trust_dir(settings, current_app.instance_path)
    response = jsonify({"token": mint_dev_token(folder, audience, lifetime_s=TOKEN_LIFETIME_S)})
    response.headers["Cache-Control"] = "no-store"
    return response


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
