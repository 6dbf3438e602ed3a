"""WSGI entry point for production servers: ``gunicorn cds_service.wsgi:app``."""

from __future__ import annotations

from . import create_app

app = create_app()
