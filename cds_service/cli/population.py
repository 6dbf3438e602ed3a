"""``spine-mass-cds population EXPORT`` and ``spine-mass-cds synth``: the CLI glue only.

Everything these commands do lives in the modules of :mod:`cds_service.population` (and
the files they write in :mod:`.population_report`); ``cli/__init__`` gathers the commands.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click

from ..catalog_check import check_catalog
from .common import load_settings
from .evaluate import now_option
from .evaluate import parse_now
from .evaluate import profile_option


@click.command("population")
@click.argument("export", type=click.Path(exists=True, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@now_option
@profile_option
@click.option("--engine", type=click.Choice(("local", "spark")), default="local", show_default=True)
@click.option(
    "--workers", type=int, default=0, help="Local engine: processes (default: every core)."
)
@click.option(
    "--master",
    default="local[*]",
    show_default=True,
    help="Spark engine: the master URL (e.g. spark://host:7077).",
)
def population_command(
    export: Path,
    out: Path,
    now: datetime,
    profile: str | None,
    engine: str,
    workers: int,
    master: str,
) -> None:
    """Evaluate every patient of a FHIR Bulk Data export with patient-view at --now.

    EXPORT is a folder of <Type>.ndjson(.gz) files or of an export manifest. Writes
    cards.ndjson, report.json, report.html and audit.json to --out.
    """
    from ..population.export import ExportError
    from ..population.spark import SparkMissing
    from .population_report import write_outputs

    profile = (profile or load_settings().guideline_profile).lower()
    check_catalog()
    try:
        if engine == "spark":
            from ..population.spark import run_spark

            results, stats = run_spark(export, now=now, profile=profile, master=master)
        else:
            from ..population.local import run_local

            results, stats = run_local(
                export, now=now, profile=profile, workers=workers or os.cpu_count() or 1
            )
    except (ExportError, SparkMissing) as exc:
        raise click.ClickException(str(exc)) from exc
    report = write_outputs(out, results, stats, now=now, profile=profile)
    exported, audit = report["export"], report["audit"]
    click.echo(
        f"{report['patients']} patients, {report['patients_with_cards']} with cards "
        f"({report['cards']} cards); {audit['mscc_patients']} MSCC patients, "
        f"{audit['without_mri']['patients']} without MRI; "
        f"{exported['malformed_lines']} malformed lines; "
        f"{sum(exported['without_patient'].values())} resources naming no patient. "
        f"Written to {out}/"
    )


@click.command("synth")
@click.option("--patients", required=True, type=click.IntRange(min=1))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--now", callback=parse_now, help="Dates are relative to this time (ISO 8601).")
@click.option("--cancer-share", type=click.FloatRange(0, 1), default=0.08, show_default=True)
@click.option("--spine-share", type=click.FloatRange(0, 1), default=0.02, show_default=True)
def synth_command(
    patients: int, out: Path, seed: int, now: datetime, cancer_share: float, spine_share: float
) -> None:
    """Write a realistic synthetic Bulk Data export (deterministic for a seed)."""
    from ..population.synth import write_export

    counts = write_export(
        out,
        patients=patients,
        seed=seed,
        now=now,
        cancer_share=cancer_share,
        spine_share=spine_share,
    )
    click.echo(", ".join(f"{n} {rtype}" for rtype, n in sorted(counts.items())) + f" in {out}/")
