"""The alert-burden report of a folder run: who would see which card, and how often.

Alert fatigue is the first way a CDS service fails, so before a rule change ships we want
to know, per topic, how many patients of a population would see it and at what urgency.
The HTML page is self-contained (inline CSS and SVG, no script) so it can be mailed or
archived as a CI artefact.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .results import FileResult
from .results import card_topic

INDICATORS = ("critical", "warning", "info")
#: Why a folder's JSON file that is no patient record (``expectations.json``) is not evaluated.
OTHER_JSON = "no FHIR resource or CDS Hooks request"
TOP_PATIENTS = 10
BAR_COLOURS = {"critical": "#c62828", "warning": "#ef8f00", "info": "#1565c0"}


def card_title(card: dict[str, Any]) -> str:
    """Return the title readers know a topic by: its ``display``, else the card's summary."""
    topic = (card.get("source") or {}).get("topic") or {}
    return str(topic.get("display") or card.get("summary", ""))


def burden_report(
    results: Sequence[FileResult], *, hook: str | None, profile: str, now: datetime
) -> dict[str, Any]:
    """Count, per topic, the patients who get it, their share, and the indicator mix."""
    evaluated = [r for r in results if r.skipped is None]
    reached: Counter[str] = Counter()
    mix: dict[str, Counter[str]] = {}
    titles: dict[str, str] = {}
    for result in evaluated:
        for topic in set(result.topics):
            reached[topic] += 1
        for card in result.cards:
            mix.setdefault(card_topic(card), Counter())[str(card.get("indicator"))] += 1
            titles.setdefault(card_topic(card), card_title(card))
    n = len(evaluated)
    topics: list[dict[str, Any]] = [
        {
            "topic": topic,
            "title": titles[topic],
            "patients": count,
            "share": round(count / n, 4) if n else 0.0,
            "indicators": {i: mix[topic][i] for i in INDICATORS},
        }
        for topic, count in sorted(reached.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    ranked = sorted((r for r in evaluated if r.cards), key=lambda r: (-len(r.cards), r.file))[
        :TOP_PATIENTS
    ]
    return {
        "now": now.isoformat(),
        "hook": hook or "per file",
        "profile": profile,
        "patients": n,
        "patients_with_cards": sum(1 for r in evaluated if r.cards),
        "cards": sum(len(r.cards) for r in evaluated),
        "indicators": {i: sum(c[i] for c in mix.values()) for i in INDICATORS},
        "topics": topics,
        "top_patients": [
            {"file": r.file, "patientId": r.patient_id, "cards": len(r.cards), "topics": r.topics}
            for r in ranked
        ],
        "skipped": [
            {"file": r.file, "reason": r.skipped} for r in results if r.skipped and not r.other
        ],
        "other_json": [r.file for r in results if r.other],
    }


def write_html(report: dict[str, Any], path: Path) -> None:
    """Write ``report`` as one self-contained HTML page with a stacked bar chart."""
    path.write_text(render_html(report), encoding="utf-8")


def render_html(report: dict[str, Any]) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(t['topic'])}</td><td>{e(t['title'])}</td><td>{t['patients']}</td><td>{t['share']:.0%}</td>"
        + "".join(f"<td>{t['indicators'][i]}</td>" for i in INDICATORS)
        + "</tr>"
        for t in report["topics"]
    )
    top = "".join(
        f"<tr><td>{e(p['patientId'])}</td><td>{e(p['file'])}</td><td>{p['cards']}</td>"
        f"<td>{e(', '.join(p['topics']))}</td></tr>"
        for p in report["top_patients"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alert burden</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}
.legend span{{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px}}
</style></head><body>
<h1>Alert burden</h1>
<p>{report["patients"]} patients evaluated ({report["patients_with_cards"]} with at least one card),
{report["cards"]} cards; hook {e(str(report["hook"]))}, profile {e(report["profile"])},
evaluated at {e(report["now"])}.</p>
{_svg_chart(report)}
<p class="legend">{"".join(f'<span style="background:{BAR_COLOURS[i]}"></span>{i}' for i in INDICATORS)}</p>
<h2>Per topic</h2>
<table><tr><th>topic</th><th>card title</th><th>patients</th><th>share</th>{"".join(f"<th>{i}</th>" for i in INDICATORS)}</tr>{rows}</table>
<h2>Patients with most cards</h2>
<table><tr><th>patient</th><th>file</th><th>cards</th><th>topics</th></tr>{top}</table>
</body></html>
"""


def _svg_chart(report: dict[str, Any]) -> str:
    """Horizontal bars: patients per topic, split by indicator."""
    topics = report["topics"]
    width, label_w, bar_h = 640, 190, 22
    n = max(report["patients"], 1)
    scale = (width - label_w - 60) / n
    parts = []
    for row_no, t in enumerate(topics):
        y = row_no * (bar_h + 6)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{html.escape(t["topic"])}</text>'
        )
        x = float(label_w)
        total = sum(t["indicators"].values()) or 1
        for ind in INDICATORS:  # split the patient bar in proportion to the card mix
            w = t["patients"] * scale * t["indicators"][ind] / total
            if w:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{BAR_COLOURS[ind]}"/>'
                )
            x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 15}">{t["patients"]} ({t["share"]:.0%})</text>'
        )
    height = max(len(topics), 1) * (bar_h + 6)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="patients per topic" '
        f'width="{width}" height="{height}" font-size="12">{"".join(parts)}</svg>'
    )
