"""``spine-mass-cds serve`` and ``spine-mass-cds settings``."""

from __future__ import annotations

import os
import sys

import click

from ..config import markdown_table
from ..errors import ConfigurationError
from ..governance import modes_or_exit
from .common import load_settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option(
    "--workers",
    default=0,
    type=int,
    help="Run the production server (granian) with N workers; 0 = development server.",
)
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the CDS Hooks API.

    The settings are checked before anything starts: a bad ``CDS_*`` value ends the
    command with one line naming the variable.
    """
    settings = load_settings()
    modes_or_exit(settings)  # a bad rule modes file: one line, exit 2, before anything starts
    if workers > 0:
        # exec, not a child: signals from the container runtime reach the server directly.
        cmd = [
            sys.executable,
            "-m",
            "cds_service.server",
            "--workers",
            str(workers),
            "--bind",
            f"{host}:{port}",
        ]
        os.execv(sys.executable, cmd)
    from .. import create_app

    try:
        app = create_app(settings=settings)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None
    app.run(host=host, port=port)


@click.command("settings")
def settings_command() -> None:
    """Print every setting, its default and meaning, as the README's Markdown table."""
    click.echo(markdown_table(), nl=False)
