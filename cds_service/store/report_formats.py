"""The committee report as CSV and as a self-contained HTML page with inline SVG charts.

The page must open on a committee member's laptop without a network: no script, no CDN,
no external style sheet; two charts drawn as SVG polylines (cards per day per topic,
acceptance per day per topic).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from .report import DayRow
from .report import ReportRow
from .report import _rate
from .report import _reasons

CSV_COLUMNS = (
    "topic",
    "rule_version",
    "mode",
    "cards",
    "patients",
    "accepted",
    "overridden",
    "acceptance_rate",
    "top_override_reasons",
)
#: Colour-blind-safe palette (Okabe-Ito), cycled per topic.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")


def as_csv(report: Sequence[ReportRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in report:
        reasons = "; ".join(f"{x['code']}:{x['count']}" for x in r.top_override_reasons)
        rate = "" if r.acceptance_rate is None else r.acceptance_rate
        writer.writerow(
            (r.topic, r.rule_version, r.mode, r.issued, r.patients, r.accepted, r.overridden)
            + (rate, reasons)
        )
    return out.getvalue()


@dataclass(frozen=True)
class Header:
    """What the reader must know before the numbers: window and modes in force."""

    since: str
    until: str
    modes: str
    generated: str


def as_html(report: Sequence[ReportRow], days: Sequence[DayRow], header: Header) -> str:
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape(str(v))}</td>"
            for v in (
                r.topic,
                r.rule_version,
                r.mode,
                r.issued,
                r.patients,
                r.accepted,
                r.overridden,
                _rate(r.acceptance_rate),
                _reasons(r),
            )
        )
        + "</tr>"
        for r in report
    )
    heads = "".join(
        f"<th>{h}</th>"
        for h in (
            "Topic",
            "Rule version",
            "Mode",
            "Cards (silent: would have been shown)",
            "Patients",
            "Accepted",
            "Overridden",
            "Acceptance",
            "Top override reasons",
        )
    )
    cards = _series(days, lambda d: float(d.cards))
    rates = _series(
        days,
        lambda d: d.accepted / (d.accepted + d.overridden) if d.accepted + d.overridden else None,
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Spine Mass CDS committee report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:70em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.3em .6em;text-align:left}}
figure{{margin:1.5em 0}}</style></head><body>
<h1>Spine Mass CDS: committee report</h1>
<p>Cards issued from <b>{escape(header.since)}</b> until <b>{escape(header.until)}</b>
(UTC). Rule modes in force: <b>{escape(header.modes)}</b>. Generated {escape(header.generated)}.</p>
<table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>
<figure><figcaption>Cards per day per topic (silent topics: cards that would have been
shown)</figcaption>{_chart(cards, "cards per day", percent=False)}</figure>
<figure><figcaption>Acceptance per day per topic (accepted / answered)</figcaption>
{_chart(rates, "acceptance per day", percent=True)}</figure>
</body></html>
"""


Series = tuple[list[str], dict[str, list[float | None]]]


def _series(days: Sequence[DayRow], value: Any) -> Series:
    """Days on the x axis and one value list per ``topic (mode)`` line."""
    labels = sorted({d.day for d in days})
    lines: dict[str, list[float | None]] = {}
    for d in days:
        name = d.topic if d.mode == "active" else f"{d.topic} ({d.mode})"
        lines.setdefault(name, [None] * len(labels))[labels.index(d.day)] = value(d)
    return labels, dict(sorted(lines.items()))


def _chart(series: Series, label: str, *, percent: bool) -> str:
    labels, lines = series
    width, height, left, bottom, top = 720, 260, 48, 40, 12
    values = [v for vs in lines.values() for v in vs if v is not None]
    top_value = 1.0 if percent else max(values, default=1.0) or 1.0
    plot_w, plot_h = width - left - 170, height - bottom - top

    def x(i: int) -> float:
        return left + (plot_w * i / (len(labels) - 1) if len(labels) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / top_value)

    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
        f'<text x="4" y="{top + 10}">{"100%" if percent else _num(top_value)}</text>',
        f'<text x="4" y="{top + plot_h}">0</text>',
    ]
    step = max(1, len(labels) // 8)
    for i in range(0, len(labels), step):
        parts.append(f'<text x="{x(i) - 30:.1f}" y="{height - 18}">{escape(labels[i])}</text>')
    for n, (name, vs) in enumerate(lines.items()):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vs) if v is not None)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
            f"<title>{escape(name)}</title></polyline>"
        )
        for i, v in enumerate(vs):
            if v is not None:
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        ly = top + 14 * n + 8
        parts.append(
            f'<rect x="{left + plot_w + 12}" y="{ly - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + plot_w + 26}" y="{ly + 1}">{escape(name)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" '
        f'width="{width}" height="{height}" font-size="11">{"".join(parts)}</svg>'
    )


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"
