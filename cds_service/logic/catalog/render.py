"""Card detail markdown: the recommendation, then **why** (facts with their resources).

Clinicians read cards in a side panel: the detail stays within :data:`MAX_DETAIL`
characters, the evidence goes to the card's ``links``, and what is internal (guideline
profile, whether a source was verified) stays in docs/rules.md.

Record text (displays, labels) is escaped so a resource can never inject markdown or
HTML into a card; the service's own text uses CommonMark only, no raw HTML.
"""

from __future__ import annotations

from dataclasses import fields
from functools import lru_cache

from ..facts import Ambulatory
from ..facts import Course
from ..facts import Evidence
from ..facts import Facts
from ..facts import Finding
from ..suggestions import fhir_date
from ..text_cache import text_cache
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
    "intradural_suspected": "Intradural lesion",
    "mscc": "Presumed metastatic compression",
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
_ESCAPE = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|"})


@text_cache(maxsize=4096)
def escape(text: str) -> str:
    """Escape record text for markdown: no emphasis, links, code or HTML from data."""
    return " ".join(text.split()).translate(_ESCAPE)


def _evidence_text(e: Evidence) -> str:
    """What one *why* bullet says of a resource, after the fact's label."""
    extra = ""  # Certainty and Side are StrEnums: each joins as its value
    if e.certainty:
        extra = ", " + e.certainty
    if e.side:
        extra += ", " + e.side
    if e.when:
        extra += ", since " + fhir_date(e.when)
    return f"{escape(e.label)} (`{e.ref}`{extra})"


@lru_cache(maxsize=64)
def _why_facts(requires: frozenset[str]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """A rule's findings with their *why* labels, then its other facts, each in
    :class:`Facts` field order (stable *why* lists); computed once per rule."""
    order = sorted(requires, key=lambda n: _ORDER.get(n, 999))
    findings = tuple((n, FACT_LABELS.get(n, n)) for n in order if n in _FINDINGS)
    return findings, tuple(n for n in order if n not in _FINDINGS)


def _scalar_line(name: str, facts: Facts) -> str | None:
    """Non-finding facts worth stating, or ``None``."""
    if name == "deficit_onset" and facts.motor_deficit:
        onset = facts.deficit_onset
        return (
            f"- **Deficit onset**: {fhir_date(onset) if onset else 'unknown (treated as recent)'}"
        )
    if name == "deficit_course" and facts.deficit_course is not Course.NONE:
        course = facts.deficit_course
        note = " (counts as progressive)" if course is Course.UNKNOWN else ""
        return f"- **Deficit course**: {course.value}{note}"
    if name == "ambulatory":
        return f"- **Ambulatory status**: {facts.ambulatory.value}"
    if name == "age" and facts.age is not None:
        return f"- **Age**: {facts.age} years"
    return None


class Why:
    """The *why* bullets of one card: each resource once, with every fact it supports.

    One resource backs several facts (a vertebral metastasis is a spine mass, a malignancy,
    metastatic suspicion ...); listing it once per fact would fill the side panel with
    repeats, so its bullet names the facts together: ``- **Spine mass; Malignancy**: ...``.
    """

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        # finding -> (ref, text, is it the MSCC re-reading) of each of its resources: the
        # cards of a call cite mostly the same findings, so each is read once per call
        self._resources: dict[str, tuple[tuple[str, str, bool], ...]] = {}
        self._texts: dict[Evidence, str] = {}  # one resource backs several findings

    def _read(self, name: str) -> tuple[tuple[str, str, bool], ...]:
        evidence: tuple[Evidence, ...] = getattr(self.facts, name).evidence
        for e in evidence:
            if e not in self._texts:
                self._texts[e] = _evidence_text(e)
        return tuple((e.ref, self._texts[e], "mscc" in e.tags) for e in evidence)

    def lines(self, rule: Rule) -> list[str]:
        """List the resources behind every present fact the rule reads, then its scalars."""
        findings, others = _why_facts(rule.requires)
        # ref -> (fact labels, text, whether the shown text is the MSCC re-reading)
        grouped: dict[str, tuple[list[str], str, bool]] = {}
        for name, label in findings:
            if (resources := self._resources.get(name)) is None:
                resources = self._resources[name] = self._read(name)
            for ref, text, mscc in resources:
                entry = grouped.get(ref)
                if entry is None or (entry[2] and not mscc):
                    # Presumed MSCC re-reads a compression as a suspected spine mass; the
                    # bullet states the Condition as recorded (its own certainty).
                    entry = grouped[ref] = (entry[0] if entry else [], text, mscc)
                if label not in entry[0]:
                    entry[0].append(label)
        bullets = [f"- **{'; '.join(labels)}**: {text}" for labels, text, _ in grouped.values()]
        scalars = (_scalar_line(name, self.facts) for name in others)
        return bullets + [line for line in scalars if line is not None]


MAX_DETAIL = 1200  # characters: five cards must fit a side panel (§2, 1.2)
PAEDIATRIC = (
    "**Patient under 18**: these are adult pathways; involve paediatric oncology and "
    "paediatric neurosurgery."
)
_WHY = "**Why**\n\n"


def detail(rule: Rule, why: Why, *, extra: str = "", age_note: str = "") -> str:
    """Compose the card detail: [under-18 line,] recommendation, [not checked,] **Why**.

    The *why* bullets are cut to fit :data:`MAX_DETAIL`, saying how many were left out.
    """
    facts = why.facts
    parts = [PAEDIATRIC] if facts.paediatric else []
    parts.append(rule.detail.format(extra=extra, age_note=age_note).strip())
    if unavailable := facts.unavailable:
        # Said right after the advice: an unchecked record must never read as a clean one.
        parts.append(
            "**Not checked** (could not be obtained; check before acting): "
            + "; ".join(unavailable)
            + "."
        )
    head = "\n\n".join(parts)
    if kept := _fit(why.lines(rule), MAX_DETAIL - len(head) - len("\n\n" + _WHY)):
        head += "\n\n" + _WHY + "\n".join(kept)
    return head if len(head) <= MAX_DETAIL else head[: MAX_DETAIL - 1] + "…"


def _left_out(count: int) -> str:
    return f"- and {count} more in the record"


def _fit(lines: list[str], room: int) -> list[str]:
    """The bullets that fit in ``room`` characters, the last saying how many were left out;
    none when not even the first fits."""
    if sum(map(len, lines)) + len(lines) + len("\n" + _left_out(len(lines))) <= room:
        return lines  # the usual case: all fit; the loop below builds a note per bullet
    kept: list[str] = []
    used = 0  # characters of the kept lines, each with its newline
    for i, line in enumerate(lines):
        more = len(lines) - i - 1
        tail = len("\n" + _left_out(more)) if more else 0
        if used + len(line) + tail > room:
            return [*kept, _left_out(len(lines) - i)] if kept else []
        kept.append(line)
        used += len(line) + 1
    return kept


def ambulatory_text(facts: Facts) -> str:
    """The ambulatory-status card's statement: the documented status, or a request."""
    if facts.ambulatory is Ambulatory.UNKNOWN:
        return (
            "It is not recorded: document it now, as an ECOG performance status (LOINC "
            "89247-1) or whether the patient can walk unaided."
        )
    walking = "walking" if facts.ambulatory is Ambulatory.AMBULATORY else "not walking"
    return f"Documented status: **{walking}**. Re-assess and record it if it changes."


def evidence_refs(rule: Rule, facts: Facts) -> list[tuple[str, str]]:
    """``(ref, label)`` of every resource behind the rule's present facts."""
    findings: list[Finding] = [getattr(facts, name) for name, _ in _why_facts(rule.requires)[0]]
    return [(e.ref, e.label) for finding in findings for e in finding.evidence]
