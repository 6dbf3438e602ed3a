"""CORS for browser-based CDS clients (the public CDS Hooks Sandbox, EHR web front ends).

Browsers preflight every call here, because discovery, service and feedback requests carry
``Authorization`` and ``Content-Type: application/json``. Preflights carry no credentials,
so they are answered before any authentication runs: :func:`init_app` must be called
before the auth helper registers its ``before_request``. Allowed origins come from
``CORS_ORIGINS``; ``*`` is echoed as ``*`` and credentials are never allowed, so a
wildcard can never leak a user's cookies.
"""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import current_app
from flask import request

from .config import Settings
from .config import settings_of

ALLOW_METHODS = "GET, POST, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type"


def allowed_origin(origin: str | None, settings: Settings) -> str | None:
    """Return the ``Access-Control-Allow-Origin`` value for ``origin``, or ``None``."""
    if not origin:
        return None
    origins = settings.cors_origins
    if "*" in origins:
        return "*"
    return origin if origin.rstrip("/") in origins else None


def _preflight() -> Response | None:
    """Answer ``OPTIONS`` on any existing route, before authentication."""
    if request.method != "OPTIONS" or request.url_rule is None:
        return None
    response = current_app.response_class(status=204)
    settings = settings_of(current_app)
    origin = allowed_origin(request.headers.get("Origin"), settings)
    response.headers["Allow"] = ALLOW_METHODS
    response.headers.pop("Content-Type", None)  # an empty 204 is not HTML
    if origin is not None:
        response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
        response.headers["Access-Control-Max-Age"] = str(settings.cors_max_age_s)
        if request.headers.get("Access-Control-Request-Private-Network", "").lower() == "true":
            response.headers["Access-Control-Allow-Private-Network"] = "true"
    return response


def _add_headers(response: Response) -> Response:
    """Add the origin headers to every response, errors included."""
    sent = request.environ.get("HTTP_ORIGIN")  # an EHR's server calls send none
    origin = allowed_origin(sent, settings_of(current_app)) if sent else None
    if "Vary" in response.headers:
        response.vary.add("Origin")
    else:  # the common case: no header set to parse and merge into
        response.headers["Vary"] = "Origin"
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
    return response


def init_app(app: Flask) -> None:
    """Register CORS: the preflight answer first among ``before_request`` handlers."""
    app.before_request_funcs.setdefault(None, []).insert(0, _preflight)
    app.after_request(_add_headers)
