"""Terminal rendering of cards and of the alert-burden report (colour only on a terminal)."""

from __future__ import annotations

from typing import Any

import click

from .burden import OTHER_JSON
from .results import FileResult
from .results import card_topic

COLOURS = {"critical": "red", "warning": "yellow", "info": "blue"}


def print_cards(result: FileResult) -> None:
    """Print one patient's cards the way a clinician would read them."""
    head = f"{result.file}  patient {result.patient_id}  hook {result.hook}"
    click.secho(head, bold=True)
    if not result.cards:
        click.echo("  no cards\n")
        return
    for card in result.cards:
        _print_card(card)


def _print_card(card: dict[str, Any]) -> None:
    indicator = str(card.get("indicator", "info"))
    tag = click.style(f"[{indicator.upper()}]", fg=COLOURS.get(indicator), bold=True)
    topic = card_topic(card)
    click.echo(f"  {tag} {click.style(card.get('summary', ''), bold=True)}  ({topic})")
    for line in str(card.get("detail", "")).splitlines():
        click.echo(f"      {line}")
    for suggestion in card.get("suggestions") or ():
        star = " (recommended)" if suggestion.get("isRecommended") else ""
        click.echo(f"      -> suggestion: {suggestion.get('label', '')}{star}")
    for link in card.get("links") or ():
        click.echo(f"      link: {link.get('label', '')} <{link.get('url', '')}>")
    source = card.get("source") or {}
    click.echo(f"      source: {source.get('label', '')}\n")


def print_report(report: dict[str, Any]) -> None:
    """Print the alert-burden table: per topic, patients reached and the indicator mix."""
    n = report["patients"]
    click.secho(f"Alert burden: {n} patients, {report['cards']} cards", bold=True)
    width = max((len(row["title"]) for row in report["topics"]), default=0) + 2
    click.echo(f"  {'topic':<26}{'card title':<{width}}{'patients':>9}{'share':>8}  indicators")
    for row in report["topics"]:
        mix = ", ".join(f"{k} {v}" for k, v in row["indicators"].items() if v)
        click.echo(
            f"  {row['topic']:<26}{row['title']:<{width}}"
            f"{row['patients']:>9}{row['share']:>8.0%}  {mix}"
        )
    if report["top_patients"]:
        click.echo("  patients with most cards:")
        for p in report["top_patients"]:
            click.echo(f"    {p['cards']:>3}  {p['patientId']}  {p['file']}")
    if report["other_json"]:
        n_other = len(report["other_json"])
        click.echo(
            f"  {n_other} other JSON file{'s' if n_other > 1 else ''} ({OTHER_JSON}) not evaluated"
        )
    for s in report["skipped"]:
        click.echo(f"  skipped {s['file']}: {s['reason']}", err=True)
