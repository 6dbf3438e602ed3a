"""Start-up check of the rule catalog: a bad rule stops the service, not a patient.

Checks every rule's ``requires`` against the :class:`Facts` fields, its hooks, ids
(unique, exactly the §2 topic codes), summaries (< 140 characters, no template
fields), detail templates, provenance (URL present) and override reasons (with
display) and the value sets. :func:`suggestion_samples` gives one of every suggested
resource, which :mod:`cds_service.catalog_check` validates as FHIR R4 outside this sans-IO
package.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from .. import suggestions as fhir
from ..cards import MAX_SUMMARY
from ..facts import Evidence
from ..facts import Facts
from ..facts import Finding
from ..facts import Priority
from ..facts import Region
from ..inputs import HOOKS
from ..valuesets import check_valuesets
from .base import CatalogError
from .base import Rule

FACT_NAMES = frozenset(f.name for f in fields(Facts))


def validate_catalog(rules: Sequence[Rule] | None = None) -> None:
    """Raise :class:`CatalogError` listing every problem of the catalog.

    :param rules: the rules to check; the real catalog when omitted (tests pass a broken one).
    """
    from . import RULES
    from . import TOPIC_CODES

    rules = RULES if rules is None else rules
    problems = [p for rule in rules for p in _rule_problems(rule)]
    ids = [r.id for r in rules]
    problems += [f"duplicate rule id {i!r}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    problems += [f"rule id {i!r} is not a card-topic code" for i in ids if i not in TOPIC_CODES]
    if rules is RULES:
        problems += [f"topic {t!r} has no rule" for t in TOPIC_CODES if t not in ids]
    if problems:
        raise CatalogError("rule catalog invalid: " + "; ".join(problems))
    check_valuesets()


def _rule_problems(rule: Rule) -> Iterable[str]:
    where = f"rule {rule.id!r}"
    if unknown := rule.requires - FACT_NAMES:
        yield f"{where} requires unknown facts {sorted(unknown)}"
    if not rule.hooks or rule.hooks - set(HOOKS):
        yield f"{where} has unknown hooks {sorted(rule.hooks - set(HOOKS)) or 'none'}"
    if not rule.version:
        yield f"{where} has no version"
    for name, text in {"summary": rule.summary, **rule.variants}.items():
        if not text or len(text) >= MAX_SUMMARY or "{" in text:
            yield f"{where} {name} must be 1-139 characters without template fields"
    try:
        rule.detail.format(extra="", age_note="")
    except (KeyError, IndexError, ValueError) as exc:
        yield f"{where} detail template is broken ({type(exc).__name__}: {exc})"
    if not rule.provenance:
        yield f"{where} has no provenance"
    for p in rule.provenance:
        if not p.url.startswith(("https://", "http://")) or not (p.source and p.citation):
            yield f"{where} provenance {p.source!r} lacks a URL, guideline or citation"
    if not rule.override_reasons or any(not r.display for r in rule.override_reasons):
        yield f"{where} needs override reasons, each with a display"


def _sample_facts(regions: frozenset[Region], metastatic: bool) -> Facts:
    ev = Evidence("Condition/sample", "Spinal cord compression (SNOMED CT 71286001)")
    return Facts(
        hook="patient-view",
        patient_id="sample",
        now=datetime(2026, 1, 1, tzinfo=UTC),
        metastatic_suspicion=Finding((ev,)) if metastatic else Finding(),
        symptom_regions=regions,
    )


def suggestion_samples() -> list[dict[str, Any]]:
    """One of every resource the cards can suggest (every region and kind)."""
    reasons = [("Condition/sample", "Spinal cord compression"), ("Observation/s", "SINS 9")]
    samples: list[dict[str, Any]] = []
    region_sets = [frozenset({r}) for r in Region] + [frozenset()]
    for regions in region_sets:
        facts = _sample_facts(regions, metastatic=False)
        samples += [
            fhir.imaging_request(facts, Priority.STAT, timedelta(hours=12), reasons, mri_possible=m)
            for m in (True, False)
        ]
    facts = _sample_facts(frozenset(), metastatic=True)
    samples.append(fhir.imaging_request(facts, Priority.ROUTINE, None, reasons))
    samples.append(fhir.dexamethasone_request(facts, reasons))
    for concept in (fhir.REFERRAL_NEUROSURGERY, fhir.REFERRAL_RADIOTHERAPY, fhir.BIOPSY):
        samples.append(fhir.service_request(facts, concept, Priority.URGENT, reasons=reasons))
    return samples
