"""Spine Mass CDS: an HL7 CDS Hooks 2.0 service for spine-mass work-up.

:func:`create_app` is the only way to build the application.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Flask

from .config import Settings

__all__ = ["create_app"]


def create_app(
    config: Mapping[str, Any] | None = None, *, settings: Settings | None = None
) -> Flask:
    """Create and configure the Flask application.

    Settings are parsed once here into :class:`~cds_service.config.Settings`: the defaults,
    then ``CDS_*`` environment variables, then ``config`` (tests; keys without the prefix,
    keys that are no setting go to Flask's own config, e.g. ``TESTING``), unless a caller
    that already parsed them hands ``settings`` over. A bad value raises
    :class:`~cds_service.config.SettingsError`. The rule catalog is validated here too, so a
    bad rule stops the service from starting instead of failing the first patient.
    """
    overrides = dict(config or {})
    if settings is None:
        settings = Settings.load(os.environ, overrides)
    names = {spec.name.upper() for spec in fields(Settings)}
    app = Flask(__name__, instance_relative_config=True)
    app.config.update({k: v for k, v in overrides.items() if k not in names})
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.config["LOG_LEVEL"] = settings.log_level  # read by logs.init_app
    app.extensions["cds_settings"] = settings
    from .jsonio import JSONProvider

    app.json = JSONProvider(app)  # responses by orjson, keys unsorted (see jsonio)

    from . import api
    from . import auth
    from . import feedback
    from . import store
    from .catalog_check import check_catalog
    from .errors import register_error_handlers
    from .fhir_client import Fetcher
    from .fhir_client import FetchSettings
    from .hooks import SERVICES
    from .registry import Registry

    check_catalog()
    from .governance import load_modes
    from .governance import log_modes

    modes = load_modes(settings)  # a bad modes file must stop the service, like a bad rule
    register_error_handlers(app)
    from . import cors
    from . import logs

    cors.init_app(app)  # first: preflights are answered before any authentication
    logs.init_app(app)
    app.extensions["cds_rule_modes"] = modes
    log_modes(modes)
    app.extensions["cds_registry"] = Registry(SERVICES)
    app.extensions["cds_fhir_fetcher"] = Fetcher(FetchSettings.from_settings(settings))
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
