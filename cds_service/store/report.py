"""The committee's report: per card topic, rule version and mode, what the rule did.

Per row: ``cards`` = cards recorded (for a ``silent`` row: cards that would have been
returned), ``patients`` = distinct patients those cards were about (a count of keyed
hashes, :mod:`.patients`; cards recorded before hashes existed count as no patient),
``accepted``/``overridden`` = distinct cards with at least one such feedback,
``acceptance_rate`` = accepted / (accepted + overridden), ``None`` without feedback; the
top override reasons, ties alphabetically. ``since``/``until`` select cards by the time
they were issued (``since`` inclusive, ``until`` exclusive) and their feedback with them.
Feedback on a card the store never saw is reported under topic ``(unknown card)``, selected
by its outcome time, rather than dropped.
"""

from __future__ import annotations

from collections import Counter
from collections import defaultdict
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from .schema import card_record
from .schema import feedback

UNKNOWN = "(unknown card)"
TOP_REASONS = 3

Key = tuple[str, str, str]  # topic, rule version, mode


@dataclass
class ReportRow:
    topic: str
    rule_version: str
    mode: str = "active"
    issued: int = 0
    patients: int = 0
    accepted: int = 0
    overridden: int = 0
    acceptance_rate: float | None = None
    top_override_reasons: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DayRow:
    """One day's cards of one topic and mode (UTC days), for the report's charts."""

    day: str
    topic: str
    mode: str
    cards: int = 0
    accepted: int = 0
    overridden: int = 0


@dataclass(frozen=True)
class Window:
    """Cards issued in ``[since, until)``; either end may be open."""

    since: datetime | None = None
    until: datetime | None = None

    def cards(self) -> list[sa.ColumnElement[bool]]:
        return _between(card_record.c.issued_at, self)

    def feedback(self) -> sa.ColumnElement[bool]:
        """Feedback on a card of the window; on an unknown card, feedback given in it."""
        unknown = sa.and_(
            card_record.c.card_uuid.is_(None), *_between(feedback.c.outcome_timestamp, self)
        )
        if self.since is None and self.until is None:
            return sa.true()
        return sa.or_(sa.and_(*self.cards()), unknown)


def _between(column: Any, window: Window) -> list[sa.ColumnElement[bool]]:
    out = []
    if window.since is not None:
        out.append(column >= window.since)
    if window.until is not None:
        out.append(column < window.until)
    return out


def _key(topic: str | None, version: str | None, mode: str | None) -> Key:
    return (topic or UNKNOWN, version or "", mode or ("active" if topic else ""))


def acceptance_report(engine: sa.Engine, window: Window = Window()) -> list[ReportRow]:
    """Compute the report with three grouped queries."""
    rows: dict[Key, ReportRow] = {}

    def row(topic: str | None, version: str | None, mode: str | None) -> ReportRow:
        key = _key(topic, version, mode)
        return rows.setdefault(key, ReportRow(*key))

    joined = feedback.outerjoin(card_record, feedback.c.card_uuid == card_record.c.card_uuid)
    group = (card_record.c.topic, card_record.c.rule_version, card_record.c.mode)
    with engine.connect() as conn:
        issued = sa.select(
            *group, sa.func.count(), sa.func.count(sa.distinct(card_record.c.patient_hash))
        ).where(*window.cards())
        for t, v, m, n, patients in conn.execute(issued.group_by(*group)):
            r = row(t, v, m)
            r.issued, r.patients = n, patients
        outcomes = (
            sa.select(*group, feedback.c.outcome, sa.func.count(sa.distinct(feedback.c.card_uuid)))
            .select_from(joined)
            .where(window.feedback())
        )
        for t, v, m, outcome, n in conn.execute(outcomes.group_by(*group, feedback.c.outcome)):
            if outcome in ("accepted", "overridden"):
                setattr(row(t, v, m), outcome, n)
        reasons: dict[Key, Counter[str]] = defaultdict(Counter)
        code = sa.func.coalesce(feedback.c.override_code, "(no reason)")
        query = (
            sa.select(*group, code, sa.func.count())
            .select_from(joined)
            .where(feedback.c.outcome == "overridden", window.feedback())
            .group_by(*group, code)
        )
        for t, v, m, c, n in conn.execute(query):
            reasons[_key(t, v, m)][c] += n
            row(t, v, m)
    for key, r in rows.items():
        answered = r.accepted + r.overridden
        r.acceptance_rate = round(r.accepted / answered, 4) if answered else None
        r.top_override_reasons = [
            {"code": c, "count": n}
            for c, n in sorted(reasons[key].items(), key=lambda x: (-x[1], x[0]))[:TOP_REASONS]
        ]
    return sorted(rows.values(), key=lambda r: (r.topic, r.rule_version, r.mode))


def _day(engine: sa.Engine, column: Any) -> Any:
    """The UTC calendar day of a timestamp column as ``YYYY-MM-DD`` text, per dialect."""
    if engine.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")
    return sa.func.substr(column, 1, 10)  # SQLite stores UTC ISO text


def daily(engine: sa.Engine, window: Window = Window()) -> list[DayRow]:
    """Cards and their accepted/overridden counts per issue day, topic and mode."""
    day = _day(engine, card_record.c.issued_at)
    group = (day, card_record.c.topic, card_record.c.mode)
    out: dict[tuple[str, str, str], DayRow] = {}
    joined = card_record.join(feedback, feedback.c.card_uuid == card_record.c.card_uuid)
    with engine.connect() as conn:
        for d, t, m, n in conn.execute(
            sa.select(*group, sa.func.count()).where(*window.cards()).group_by(*group)
        ):
            out[(d, t, m)] = DayRow(d, t, m, cards=n)
        answered = (
            sa.select(*group, feedback.c.outcome, sa.func.count(sa.distinct(feedback.c.card_uuid)))
            .select_from(joined)
            .where(*window.cards())
            .group_by(*group, feedback.c.outcome)
        )
        for d, t, m, outcome, n in conn.execute(answered):
            if outcome in ("accepted", "overridden") and (d, t, m) in out:
                setattr(out[(d, t, m)], outcome, n)
    return sorted(out.values(), key=lambda r: (r.day, r.topic, r.mode))


def as_json(report: list[ReportRow]) -> list[dict[str, Any]]:
    return [asdict(r) for r in report]


def as_table(report: list[ReportRow]) -> str:
    """Render the report as an aligned plain-text table."""
    head = (
        "topic",
        "rule version",
        "mode",
        "cards",
        "patients",
        "accepted",
        "overridden",
        "rate",
        "top overrides",
    )
    lines = [head]
    for r in report:
        lines.append(
            (
                r.topic,
                r.rule_version,
                r.mode,
                str(r.issued),
                str(r.patients),
                str(r.accepted),
                str(r.overridden),
                _rate(r.acceptance_rate),
                _reasons(r),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def _reasons(r: ReportRow) -> str:
    return ", ".join(f"{x['code']} ({x['count']})" for x in r.top_override_reasons) or "-"
