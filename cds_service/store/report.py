"""The acceptance report: per card topic and rule version, how clinicians answered.

Counts are of distinct cards: ``accepted`` = cards with at least one accepted feedback,
``overridden`` likewise; ``acceptance_rate`` = accepted / (accepted + overridden), None
without feedback; ties among override reasons go
alphabetically. Feedback on a card the store never saw is reported under topic
``(unknown card)`` rather than dropped.
"""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import sqlalchemy as sa

from .schema import card_record
from .schema import feedback

UNKNOWN = "(unknown card)"
TOP_REASONS = 3


@dataclass
class ReportRow:
    topic: str
    rule_version: str
    issued: int = 0
    accepted: int = 0
    overridden: int = 0
    acceptance_rate: float | None = None
    top_override_reasons: list[dict[str, Any]] = field(default_factory=list)


def acceptance_report(engine: sa.Engine) -> list[ReportRow]:
    """Compute the report with three grouped queries."""
    rows: dict[tuple[str, str], ReportRow] = {}

    def row(topic: str | None, version: str | None) -> ReportRow:
        key = (topic or UNKNOWN, version or "")
        return rows.setdefault(key, ReportRow(*key))

    joined = feedback.outerjoin(card_record, feedback.c.card_uuid == card_record.c.card_uuid)
    topic, version = card_record.c.topic, card_record.c.rule_version
    with engine.connect() as conn:
        for t, v, n in conn.execute(
            sa.select(topic, version, sa.func.count()).group_by(topic, version)
        ):
            row(t, v).issued = n
        outcomes = sa.select(
            topic, version, feedback.c.outcome, sa.func.count(sa.distinct(feedback.c.card_uuid))
        ).select_from(joined)
        for t, v, outcome, n in conn.execute(outcomes.group_by(topic, version, feedback.c.outcome)):
            setattr(row(t, v), outcome, n)
        reasons: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        code = sa.func.coalesce(feedback.c.override_code, "(no reason)")
        query = (
            sa.select(topic, version, code, sa.func.count())
            .select_from(joined)
            .where(feedback.c.outcome == "overridden")
            .group_by(topic, version, code)
        )
        for t, v, c, n in conn.execute(query):
            reasons[(row(t, v).topic, row(t, v).rule_version)][c] += n
    for key, r in rows.items():
        answered = r.accepted + r.overridden
        r.acceptance_rate = round(r.accepted / answered, 4) if answered else None
        r.top_override_reasons = [
            {"code": c, "count": n}
            for c, n in sorted(reasons[key].items(), key=lambda x: (-x[1], x[0]))[:TOP_REASONS]
        ]
    return sorted(rows.values(), key=lambda r: (r.topic, r.rule_version))


def as_json(report: list[ReportRow]) -> list[dict[str, Any]]:
    return [asdict(r) for r in report]


def as_table(report: list[ReportRow]) -> str:
    """Render the report as an aligned plain-text table."""
    head = ("topic", "rule version", "issued", "accepted", "overridden", "rate", "top overrides")
    lines = [head]
    for r in report:
        rate = "-" if r.acceptance_rate is None else f"{r.acceptance_rate:.0%}"
        top = ", ".join(f"{x['code']} ({x['count']})" for x in r.top_override_reasons) or "-"
        lines.append(
            (r.topic, r.rule_version, str(r.issued), str(r.accepted), str(r.overridden), rate, top)
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
