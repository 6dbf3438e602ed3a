"""``spine-mass-cds report``: the acceptance report as a table or JSON."""

from __future__ import annotations

import json

import click

from ..store import migrate
from ..store import open_engine
from ..store.report import acceptance_report
from ..store.report import as_json
from ..store.report import as_table
from .common import instance_path
from .common import load_settings


@click.command("report")
@click.option("--json", "as_json_output", is_flag=True, help="Print JSON instead of a table.")
def report_command(as_json_output: bool) -> None:
    """Print cards issued, accepted and overridden per card topic and rule version.

    Reads the settings as the service does but starts nothing else, so it works in an
    operator's shell where the service's trust configuration is absent.
    """
    engine = open_engine(load_settings().database_url, instance_path())
    migrate.upgrade(engine)
    report = acceptance_report(engine)
    engine.dispose()
    if as_json_output:
        click.echo(json.dumps(as_json(report), indent=2))
    else:
        click.echo(as_table(report))
