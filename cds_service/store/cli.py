"""``spine-mass-cds report``: the acceptance report as a table or JSON."""

from __future__ import annotations

import json

import click
from flask import Config
from flask import Flask

from ..config import load as load_settings
from . import migrate
from . import open_engine
from .report import acceptance_report
from .report import as_json
from .report import as_table


def settings() -> tuple[Config, str]:
    """Return the layered settings and instance folder without building the whole app.

    The CLI must work where the service's trust configuration is absent (an operator's
    shell), so it reads settings the way ``create_app`` does but starts nothing.
    """
    app = Flask("cds_service", instance_relative_config=True)
    load_settings(app.config)
    return app.config, app.instance_path


@click.command("report")
@click.option("--json", "as_json_output", is_flag=True, help="Print JSON instead of a table.")
def report_command(as_json_output: bool) -> None:
    """Print cards issued, accepted and overridden per card topic and rule version."""
    config, instance_path = settings()
    engine = open_engine(config, instance_path)
    migrate.upgrade(engine)
    report = acceptance_report(engine)
    engine.dispose()
    if as_json_output:
        click.echo(json.dumps(as_json(report), indent=2))
    else:
        click.echo(as_table(report))
