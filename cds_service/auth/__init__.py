"""JWT verification of every discovery, service and feedback call (CDS Hooks 2.0 §security).

``AUTH_MODE=required`` (default) needs ``CLIENTS_FILE`` and ``PUBLIC_BASE_URL``; only in
development (``ENV=development``) are they defaulted to a local dev key (see :mod:`.dev`).
``AUTH_MODE=off`` trusts every caller and says so loudly at start-up. Preflights
(``OPTIONS``), the index ``/`` and operational routes carry no token and are never checked.
"""

from __future__ import annotations

import logging

from flask import Flask
from flask import current_app
from flask import g
from flask import request

from .. import events
from ..config import settings_of
from ..errors import ConfigurationError
from ..errors import Unauthorized
from ..store import remember_jti
from .clients import load_clients
from .dev import DEV_BASE_URL
from .dev import dev_trust_dir
from .dev import ensure_dev_trust
from .jwks import KeyCache
from .verify import AuthFailure
from .verify import Verifier
from .verify import allowed_algorithms
from .verify import audience_for
from .verify import bearer_token

__all__ = ["init_app"]

log = logging.getLogger("cds_service.auth")
#: Paths that never need a token: health checks, metrics, docs, the dev preview page.
OPEN_PREFIXES = ("/health", "/metrics", "/openapi.", "/preview", "/static/")
#: Exact paths that need no token: the index only says where the API is.
OPEN_PATHS = frozenset({"/"})


def init_app(app: Flask) -> None:
    """Check the trust configuration and verify a JWT before every protected request."""
    g_keys = ("cds_client_iss", "cds_client_tenant")
    if settings_of(app).auth_mode == "off":
        log.warning(
            "AUTH_MODE=off: EVERY CALLER IS TRUSTED, NO JWT IS CHECKED. "
            "For local development only; never expose this service like this.",
            extra={"event": "auth_off"},
        )

        @app.before_request
        def _anonymous() -> None:
            for name in g_keys:
                setattr(g, name, None)

        return
    app.extensions["cds_verifier"], app.extensions["cds_audience_base"] = _verifier(app)
    app.before_request(_check_request)


def _verifier(app: Flask) -> tuple[Verifier, str]:
    """Build the verifier and the ``aud`` base, defaulting to dev trust in development only."""
    cfg = settings_of(app)
    development = cfg.development
    clients_file = cfg.clients_file
    base_url = cfg.public_base_url
    if not clients_file or not base_url:
        if not development:
            raise ConfigurationError(
                "AUTH_MODE=required needs CDS_CLIENTS_FILE (trusted EHRs) and "
                "CDS_PUBLIC_BASE_URL (the URL EHRs call, for the JWT aud). "
                "For local development set CDS_ENV=development (see README, Authentication)."
            )
        clients_file = str(clients_file or ensure_dev_trust(dev_trust_dir(cfg, app.instance_path)))
        base_url = base_url or DEV_BASE_URL
        log.warning(
            "DEVELOPMENT TRUST SETUP: trusting clients from %s with aud base %s; mint a token "
            "with `spine-mass-cds dev-token`. Never use this in production.",
            clients_file,
            base_url,
            extra={"event": "auth_dev_trust"},
        )
    loopback = cfg.jwks_allow_loopback_http
    clients = load_clients(
        clients_file,
        allowed_algorithms=allowed_algorithms(list(cfg.jwt_algorithms)),
        allow_loopback_http=loopback,
        development=development,
    )
    keys = KeyCache(
        timeout_s=cfg.jwks_timeout_s,
        ttl_s=cfg.jwks_cache_ttl_s,
        min_refetch_s=cfg.jwks_min_refetch_s,
        loopback=loopback,
    )
    verifier = Verifier(
        clients,
        keys,
        leeway_s=cfg.jwt_leeway_s,
        max_lifetime_s=cfg.jwt_max_lifetime_s,
        remember=lambda iss, jti, exp: remember_jti(app, iss, jti, exp),
    )
    return verifier, base_url


def _check_request() -> None:
    """Verify the bearer token of a protected request; refuse with a bare 401."""
    if (
        request.method == "OPTIONS"
        or request.path in OPEN_PATHS
        or request.path.startswith(OPEN_PREFIXES)
    ):
        return
    token = bearer_token(request.headers.get("Authorization"))
    verifier: Verifier = current_app.extensions["cds_verifier"]
    try:
        if token is None:
            raise AuthFailure("missing-token")
        aud = audience_for(current_app.extensions["cds_audience_base"], request.path)
        client = verifier.verify(token, aud)
    except AuthFailure as failure:
        log.warning(
            "token refused: %s",
            failure.reason,
            extra={"event": "auth_refused", "reason": failure.reason, "iss": failure.iss},
        )
        events.emit("auth_refused", reason=failure.reason)
        if settings_of(current_app).development:
            # The reason code names the failed check only (never token content): telling it
            # helps a developer and, on a development machine, gives an attacker nothing.
            raise Unauthorized(
                f"Authentication required: token refused ({failure.reason}); "
                "this reason is shown in development only."
            ) from None
        raise Unauthorized() from None
    g.cds_client_iss = client.iss
    g.cds_client_tenant = client.tenant
