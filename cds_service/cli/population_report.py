"""Write a population run's results: cards, alert-burden report, audit, and export problems.

Both engines hand this module the same things (every patient's result and the scan's
statistics) and it sorts before writing, so equal inputs give byte-identical files
whichever engine, worker count or partitioning produced them.

``OUT/cards.ndjson``  one line per patient with cards, sorted by patient id
``OUT/report.json``   the alert-burden report of ``evaluate`` plus an ``export`` section
                      (resources read, malformed lines by file and line, resources naming
                      no patient, types the service never receives, patients that failed)
``OUT/report.html``   the same, self-contained, with the audit as a section
``OUT/audit.json``    the NG234 audit (:mod:`cds_service.population.audit`)
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..population.audit import audit_report
from ..population.audit import render_section
from ..population.grouping import ScanStats
from ..population.patients import PatientResult
from .burden import burden_report
from .burden import render_html
from .results import FileResult

#: Malformed lines listed in the HTML page (all are in report.json).
HTML_MALFORMED = 50


def write_outputs(
    out: Path,
    results: Iterable[PatientResult],
    stats: ScanStats,
    *,
    now: datetime,
    profile: str,
) -> dict[str, Any]:
    """Write every output file to ``out``; return the report (with the audit) for the CLI."""
    ordered = sorted(results, key=lambda r: r.patient_id)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "cards.ndjson").open("wb") as fh:
        for result in ordered:
            if result.cards:
                fh.write(result.cards_line())
    report = burden_report(
        [_as_file_result(r) for r in ordered], hook="patient-view", profile=profile, now=now
    )
    report["export"] = export_section(stats, ordered)
    audit = audit_report(r.audit for r in ordered if r.audit is not None)
    _write_json(out / "report.json", report)
    _write_json(out / "audit.json", audit)
    page = render_html(report).replace(
        "</body>", render_section(audit) + _export_html(report["export"]) + "</body>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")
    return {**report, "audit": audit}


def _as_file_result(result: PatientResult) -> FileResult:
    """The burden report's per-patient row; the patient reference stands in for a file."""
    where = f"Patient/{result.patient_id}"
    if result.failed is not None:
        return FileResult(file=where, skipped=f"evaluation failed ({result.failed})")
    cards = [
        {"summary": summary, "indicator": indicator, "source": {"topic": {"code": topic}}}
        for topic, indicator, summary in result.cards
    ]
    return FileResult(file=where, patient_id=result.patient_id, hook="patient-view", cards=cards)


def export_section(stats: ScanStats, results: list[PatientResult]) -> dict[str, Any]:
    """What was read from the export and what could not be used, by file and line."""
    malformed = sorted(stats.malformed)
    return {
        "resources": stats.resources,
        "patients": len(results),
        "malformed_lines": len(malformed),
        "malformed": [{"file": f, "line": n, "reason": why} for f, n, why in malformed],
        "without_patient": dict(sorted(stats.no_patient.items())),
        "not_read_by_the_service": dict(sorted(stats.not_read.items())),
        "failed_patients": [r.patient_id for r in results if r.failed is not None],
    }


def _export_html(export: dict[str, Any]) -> str:
    e = html.escape
    listed = "".join(
        f"<li>{e(m['file'])} line {m['line']}: {e(m['reason'])}</li>"
        for m in export["malformed"][:HTML_MALFORMED]
    )
    more = export["malformed_lines"] - min(export["malformed_lines"], HTML_MALFORMED)
    no_patient = ", ".join(f"{e(t)} {n}" for t, n in export["without_patient"].items()) or "none"
    return (
        f'<section id="export"><h2>Export</h2><p>{export["resources"]} resources of '
        f"{export['patients']} patients read; {export['malformed_lines']} malformed lines; "
        f"resources naming no patient: {no_patient}.</p>"
        f"<ul>{listed}</ul>{f'<p>and {more} more (report.json)</p>' if more else ''}</section>"
    )


def _write_json(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
