"""Card detail markdown: the rule's text, **why** (facts with their resources), evidence.

Record text (displays, labels) is escaped so a resource can never inject markdown or
HTML into a card; the service's own text uses CommonMark only, no raw HTML.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from functools import lru_cache

from ..facts import Ambulatory
from ..facts import Course
from ..facts import Evidence
from ..facts import Facts
from ..facts import Finding
from .base import Rule

FACT_LABELS: dict[str, str] = {
    "spine_mass": "Spine mass",
    "cancer": "Malignancy",
    "confirmed_primary": "Confirmed primary malignancy",
    "metastatic_suspicion": "Metastatic disease suspected",
    "metastasis_or_unknown_primary": "Metastasis or unknown primary",
    "vertebral_malignancy": "Vertebral malignancy",
    "cord_compression": "Cord or cauda equina compression",
    "radiosensitive_histology": "Radiosensitive histology",
    "lymphoma_suspected": "Lymphoma suspected",
    "benign_intradural": "Benign intradural tumour",
    "instability": "Spinal instability",
    "prior_radiotherapy": "Prior radiotherapy",
    "back_pain": "Back pain",
    "radicular_pain": "Radicular pain",
    "motor_deficit": "Motor deficit",
    "paraparesis": "Paraparesis or paraplegia",
    "sphincter_dysfunction": "Sphincter dysfunction",
    "bilateral": "Bilateral radicular pain or deficit",
    "ambulatory_evidence": "Ambulatory status recorded in",
    "mri_contraindication": "MRI contraindication",
    "mri_done": "Spine MRI done",
}
_ORDER = {f.name: i for i, f in enumerate(fields(Facts))}
#: The facts that are :class:`Finding` values (each has a Finding default).
_FINDINGS = frozenset(f.name for f in fields(Facts) if isinstance(f.default, Finding))
#: Each finding's bullet prefix, built once rather than once per fact and call.
_HEADS = {name: f"- **{FACT_LABELS.get(name, name)}**: " for name in _FINDINGS}
_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


@lru_cache(maxsize=4096)
def escape(text: str) -> str:
    """Escape record text for markdown: no emphasis, links, code or HTML from data."""
    return " ".join(text.split()).translate(_ESCAPE)


def _day(moment: datetime) -> str:
    """``YYYY-MM-DD``: ``isoformat`` is ~6x faster than ``strftime``, and the same text but
    below year 1000, where glibc's ``%Y`` does not pad (kept so no card text changes)."""
    return moment.date().isoformat() if moment.year >= 1000 else moment.strftime("%Y-%m-%d")


def _evidence_text(e: Evidence) -> str:
    """What one *why* bullet says of a resource, after the fact's label.

    Certainty and Side are StrEnums, so they join as their values without the
    Python-level ``Enum.value`` descriptor.
    """
    extra = ""
    if e.certainty:
        extra = ", " + e.certainty
    if e.side:
        extra += ", " + e.side
    if e.when:
        extra += ", since " + _day(e.when)
    return f"{escape(e.label)} (`{e.ref}`{extra})"


@lru_cache(maxsize=64)
def _fact_order(requires: frozenset[str]) -> tuple[str, ...]:
    """A rule's facts in :class:`Facts` field order (stable *why* lists), computed once."""
    return tuple(sorted(requires, key=lambda n: _ORDER.get(n, 999)))


@lru_cache(maxsize=64)
def _finding_names(requires: frozenset[str]) -> tuple[str, ...]:
    """The :class:`Finding` facts among a rule's, in :class:`Facts` field order."""
    return tuple(n for n in _fact_order(requires) if n in _FINDINGS)


def _scalar_line(name: str, facts: Facts) -> str | None:
    """Non-finding facts worth stating, or ``None``."""
    if name == "deficit_onset" and facts.motor_deficit:
        onset = facts.deficit_onset
        return f"- **Deficit onset**: {_day(onset) if onset else 'unknown (treated as recent)'}"
    if name == "deficit_course" and facts.deficit_course is not Course.NONE:
        course = facts.deficit_course
        note = " (counts as progressive)" if course is Course.UNKNOWN else ""
        return f"- **Deficit course**: {course.value}{note}"
    if name == "ambulatory":
        return f"- **Ambulatory status**: {facts.ambulatory.value}"
    if name == "age" and facts.age is not None:
        return f"- **Age**: {facts.age} years"
    if name == "profile":
        return f"- **Guideline profile**: {facts.profile}"
    return None


class Why:
    """The *why* bullets of one evaluation's facts, each fact rendered once.

    The cards of one call cite mostly the same facts (every card cites the spine mass),
    so each fact's bullets are rendered for the first card that lists it and reused; one
    resource backs several facts (a vertebral metastasis is a spine mass, a malignancy
    ...), so its text is rendered once too.
    """

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._bullets: dict[str, list[str]] = {}
        self._texts: dict[int, str] = {}  # id(evidence): the facts hold each one

    def lines(self, rule: Rule) -> list[str]:
        """List every fact the rule reads that is present, each with its resources."""
        lines: list[str] = []
        done = self._bullets
        for name in _fact_order(rule.requires):
            bullets = done.get(name)
            if bullets is None:
                bullets = done[name] = self._render(name)
            if bullets:
                lines += bullets
        return lines

    def _render(self, name: str) -> list[str]:
        facts = self.facts
        head = _HEADS.get(name)
        if head is None:
            line = _scalar_line(name, facts)
            return [] if line is None else [line]
        evidence: tuple[Evidence, ...] = getattr(facts, name).evidence
        texts = self._texts
        bullets = []
        for e in evidence:
            text = texts.get(id(e))
            if text is None:
                text = texts[id(e)] = _evidence_text(e)
            bullets.append(head + text)
        return bullets


def detail(rule: Rule, why: Why, *, extra: str = "", age_note: str = "") -> str:
    """Compose the card detail: text, **Why**, **Evidence**."""
    text = rule.detail.format(extra=extra, age_note=age_note)
    lines = why.lines(rule)
    parts = [text]
    if unavailable := why.facts.unavailable:
        # Said first after the advice: an unchecked record must never read as a clean one.
        parts.append(
            "**Not checked**: these records could not be obtained, so what depends on them "
            "is unknown; check them before acting: " + "; ".join(unavailable) + "."
        )
    if lines:
        parts.append("**Why**\n\n" + "\n".join(lines))
    parts.append(rule.evidence_section)
    return "\n\n".join(parts)


def ambulatory_text(facts: Facts) -> str:
    """The ambulatory-status card's statement: the documented status, or a request."""
    if facts.ambulatory is Ambulatory.UNKNOWN:
        return (
            "It is not recorded: document it now (e.g. ECOG performance status, LOINC "
            "89247-1, or whether the patient can walk unaided)."
        )
    walking = "walking" if facts.ambulatory is Ambulatory.AMBULATORY else "not walking"
    return f"Documented status: **{walking}**. Re-assess and record it if it changes."


def evidence_refs(rule: Rule, facts: Facts) -> list[tuple[str, str]]:
    """``(ref, label)`` of every resource behind the rule's present facts."""
    findings: list[Finding] = [getattr(facts, name) for name in _finding_names(rule.requires)]
    return [(e.ref, e.label) for finding in findings for e in finding.evidence]
