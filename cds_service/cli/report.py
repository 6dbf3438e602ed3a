"""``spine-mass-cds report``: the committee report as a table, JSON, CSV or an HTML page."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC
from datetime import datetime
from pathlib import Path

import click

from ..store import migrate
from ..store import open_engine
from ..store.report import Window
from ..store.report import acceptance_report
from ..store.report import as_json
from ..store.report import as_table
from ..store.report import daily
from ..store.report_formats import Header
from ..store.report_formats import as_csv
from ..store.report_formats import as_html
from .common import instance_path
from .common import load_settings


def _utc(value: datetime | None) -> datetime | None:
    """A date or time given without a zone is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_WHEN = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"])


@click.command("report")
@click.option("--since", type=_WHEN, help="First day (UTC) of cards counted, inclusive.")
@click.option("--until", type=_WHEN, help="Cards issued before this day/time (UTC), exclusive.")
@click.option("--json", "as_json_output", is_flag=True, help="Print JSON instead of a table.")
@click.option("--csv", "as_csv_output", is_flag=True, help="Print CSV instead of a table.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML page with charts to this file.")  # fmt: skip
def report_command(
    since: datetime | None,
    until: datetime | None,
    as_json_output: bool,
    as_csv_output: bool,
    html_file: Path | None,
) -> None:
    """Per card topic, rule version and mode: cards, patients, accepted, overridden."""
    from ..governance import ModesError
    from ..governance import load_modes

    settings = load_settings()
    try:
        modes = load_modes(settings)
    except ModesError as exc:
        raise click.ClickException(str(exc)) from None
    window = Window(_utc(since), _utc(until))
    engine = open_engine(settings.database_url, instance_path())
    migrate.upgrade(engine)
    report = acceptance_report(engine, window)
    days = daily(engine, window) if html_file or as_json_output else []
    engine.dispose()
    span = (
        window.since.isoformat() if window.since else "the first card",
        window.until.isoformat() if window.until else "now",
    )
    if html_file:
        header = Header(*span, modes.summary(), datetime.now(UTC).isoformat(timespec="seconds"))
        html_file.write_text(as_html(report, days, header), encoding="utf-8")
    if as_json_output:
        body = {
            "since": span[0] if window.since else None,
            "until": span[1] if window.until else None,
            "modes": modes.as_json(),
            "rows": as_json(report),
            "daily": [asdict(d) for d in days],
        }
        click.echo(json.dumps(body, indent=2))
    elif as_csv_output:
        click.echo(as_csv(report), nl=False)
    else:
        click.echo(f"Rule modes in force: {modes.summary()}")
        click.echo(as_table(report))
