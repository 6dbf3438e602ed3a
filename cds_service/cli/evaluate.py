"""``spine-mass-cds evaluate PATH``: cards for a patient file or a folder, offline.

The command reads files people already have (a Bundle of one patient, or a recorded CDS
Hooks request, see :mod:`cds_service.bundles`) and runs the same logic the service runs,
without a server or a network. On a folder it spreads the files over every core and ends
with an alert-burden report (:mod:`cds_service.cli.burden`), so a rule change can be judged
on a population before it reaches clinicians.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC
from datetime import datetime
from pathlib import Path

import click

from .. import bundles
from .. import uuids
from ..catalog_check import check_catalog
from ..errors import CDSError
from ..logic import evaluate
from ..logic.extract.fhir import parse_timestamp
from ..logic.inputs import HOOKS
from ..logic.inputs import PROFILES
from .burden import OTHER_JSON
from .burden import burden_report
from .burden import write_html
from .common import load_settings
from .results import FileResult
from .view import print_cards
from .view import print_report


def evaluate_file(path: str, hook: str | None, now: datetime, profile: str) -> FileResult:
    """Evaluate one file; a file that is not a patient record is skipped, not fatal."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(doc, dict) and not doc.keys() & {"resourceType", "hook"}:
            return FileResult(file=path, skipped=OTHER_JSON, other=True)
        record = bundles.read(doc)
        use_hook = bundles.check_hook(hook or record.hook or "patient-view")
    except (OSError, ValueError) as exc:
        return FileResult(file=path, skipped=f"not readable JSON ({type(exc).__name__})")
    except CDSError as exc:
        return FileResult(file=path, skipped="; ".join(i.message for i in exc.issues))
    evaluation = evaluate(
        record.hook_input(use_hook, now=now, profile=profile), new_uuid=uuids.new_uuid
    )
    return FileResult(
        file=path,
        patient_id=record.patient_id,
        hook=use_hook,
        cards=[card.to_json() for card in evaluation.cards],
    )


def evaluate_folder(
    files: list[str], hook: str | None, now: datetime, profile: str, workers: int
) -> list[FileResult]:
    """Evaluate ``files`` on ``workers`` processes; results keep the order of ``files``."""
    # spawn, not fork: forking a process that runs threads (a test server, a pool) can deadlock.
    context = multiprocessing.get_context("spawn")
    results: list[FileResult] = []
    with (
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
        click.progressbar(length=len(files), label="Evaluating", file=sys.stderr) as bar,
    ):
        chunk = max(1, len(files) // (workers * 4))
        mapped = pool.map(
            evaluate_file,
            files,
            [hook] * len(files),
            [now] * len(files),
            [profile] * len(files),
            chunksize=chunk,
        )
        for result in mapped:
            results.append(result)
            bar.update(1)
    return results


def parse_now(_ctx: click.Context, _param: click.Parameter, value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    parsed = parse_timestamp(value)
    if parsed is None:
        raise click.BadParameter("use ISO 8601, e.g. 2026-11-24T12:00:00Z")
    return parsed


#: ``--now`` and ``--profile`` as every evaluating command takes them (``population`` too).
now_option = click.option(
    "--now", callback=parse_now, help="Evaluation time, ISO 8601 (default: the current time)."
)
profile_option = click.option(
    "--profile",
    type=click.Choice(PROFILES, case_sensitive=False),
    help="Guideline profile for the MRI timing (default: CDS_GUIDELINE_PROFILE, else dutch).",
)


@click.command("evaluate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--hook",
    type=click.Choice(HOOKS),
    help="Hook to evaluate (default: the request's own, else patient-view).",
)
@now_option
@profile_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the terminal view.")
@click.option(
    "--workers", type=int, default=0, help="Processes for a folder (default: every core)."
)
@click.option(
    "--report-json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the burden report as JSON.",
)
@click.option(
    "--report-html",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the burden report as an HTML page.",
)
def evaluate_command(
    path: Path,
    hook: str | None,
    now: datetime,
    profile: str | None,
    as_json: bool,
    workers: int,
    report_json: Path | None,
    report_html: Path | None,
) -> None:
    """Print the cards for PATH: a patient Bundle, a CDS Hooks request, or a folder of them.

    Runs offline: no server, no network, no database.
    """
    profile = (profile or load_settings().guideline_profile).lower()
    check_catalog()
    if path.is_file():
        result = evaluate_file(str(path), hook, now, profile)
        if result.skipped is not None:
            raise click.ClickException(f"{path}: {result.skipped}")
        if as_json:
            click.echo(json.dumps({"cards": result.cards}, indent=2))
        else:
            print_cards(result)
        return
    files = sorted(str(p) for p in path.rglob("*.json"))
    results = evaluate_folder(files, hook, now, profile, workers or os.cpu_count() or 1)
    report = burden_report(results, hook=hook, profile=profile, now=now)
    if report_json:
        report_json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if report_html:
        write_html(report, report_html)
    if as_json:
        doc = {"results": [r.to_json() for r in results], "report": report}
        click.echo(json.dumps(doc, indent=2))
        return
    for result in results:
        if result.skipped is None:
            print_cards(result)
    print_report(report)
