"""WSGI entry point for production servers (``cds_service/server.py``, gunicorn).

A setting or trust configuration that cannot work ends the worker with one line and
gunicorn's "application failed to load" status (4), which ``cds_service/server.py`` honours
too: the master stops instead of restarting workers that fail the same way forever.
"""

from __future__ import annotations

import sys

from . import create_app
from .config import SettingsError
from .errors import ConfigurationError

try:
    app = create_app()
except (SettingsError, ConfigurationError) as exc:
    sys.stderr.write(f"spine-mass-cds: {exc}\n")
    raise SystemExit(4) from None
