"""Spine Mass CDS: an HL7 CDS Hooks 2.0 service for spine-mass work-up.

:func:`create_app` is the only way to build the application.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Flask

from .config import load as load_settings

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the Flask application.

    Settings are layered: :data:`~cds_service.config.DEFAULTS`, then ``CDS_*`` environment
    variables, then ``config`` (tests). The rule catalog is validated here, so a bad rule
    stops the service from starting instead of failing the first patient.
    """
    app = Flask(__name__, instance_relative_config=True)
    load_settings(app.config, config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_BODY_BYTES"])
    from .jsonio import JSONProvider

    app.json = JSONProvider(app)  # responses by orjson, keys unsorted (see jsonio)

    from . import api
    from . import auth
    from . import feedback
    from . import store
    from .errors import register_error_handlers
    from .hooks import SERVICES
    from .logic import validate_catalog
    from .registry import Registry

    validate_catalog()
    from .governance import load_modes
    from .governance import log_modes

    modes = load_modes(app.config)  # a bad modes file must stop the service, like a bad rule
    register_error_handlers(app)
    from . import cors
    from . import logs

    cors.init_app(app)  # first: preflights are answered before any authentication
    logs.init_app(app)
    app.extensions["cds_rule_modes"] = modes
    log_modes(modes)
    app.extensions["cds_registry"] = Registry(SERVICES)
    # The evaluation clock; tests replace it to evaluate fixtures at a fixed moment.
    app.extensions["cds_clock"] = lambda: datetime.now(UTC)
    app.register_blueprint(api.bp)
    from . import metrics
    from . import preview

    metrics.init_app(app)  # first: its timer starts before authentication runs
    store.init_app(app)
    auth.init_app(app)
    app.register_blueprint(feedback.bp)
    preview.init_app(app)
    return app
