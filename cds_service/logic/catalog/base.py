"""The rule record: one card topic as data, with its named predicate and provenance.

A :class:`Rule` says *when* (``predicate`` over :class:`~cds_service.logic.facts.Facts`,
naming every fact it reads in ``requires``), *what* (indicator, summary and detail
templates, override reasons, and the ``plan`` that builds its card) and *on whose
authority* (:class:`Provenance`). The engine's passes decide how cards interact (hooks,
the X-ray swap, companions); the rule never sees another rule's card.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING

from ..cards import OVERRIDE_SYSTEM
from ..cards import TOPIC_SYSTEM
from ..cards import Coding
from ..cards import Indicator
from ..cards import Link
from ..cards import Source
from ..facts import Facts
from ..inputs import PROFILES
from ..provenance import Provenance as Provenance  # re-exported: the catalog names it

if TYPE_CHECKING:  # a plan module imports this one: the types only, not the modules
    from .mri import TierDecision
    from .plan import Plan

SOURCE_LABEL = "Spine Mass CDS"
ALL_HOOKS = frozenset({"patient-view", "order-select", "order-sign"})
ORDER_HOOKS = frozenset({"order-select", "order-sign"})


#: A rule's plan: the cards it builds once its predicate holds, given the one MRI tier
#: decision of the request (the imaging rules read it; the others ignore it).
Planner = Callable[[Facts, "TierDecision"], "Sequence[Plan]"]


class CatalogError(ValueError):
    """The rule catalog is inconsistent: the service must not start."""


def reason(code: str, display: str) -> Coding:
    """Return an override reason of the service's own CodeSystem."""
    return Coding(OVERRIDE_SYSTEM, code, display)


ALREADY_DONE = reason("already-addressed", "Already addressed outside this record")
NOT_INDICATED = reason("clinically-not-indicated", "Clinically not indicated for this patient")
PATIENT_DECLINED = reason("patient-declined", "Patient declined")
PALLIATIVE = reason("palliative-goals", "Goals of care are palliative / comfort only")
COMMON_REASONS: tuple[Coding, ...] = (ALREADY_DONE, NOT_INDICATED, PATIENT_DECLINED, PALLIATIVE)


@dataclass(frozen=True)
class Rule:
    """One card topic.

    :param id: the topic code (``source.topic.code``), stable across versions.
    :param requires: the :class:`Facts` field names ``predicate`` reads; checked at
        start-up and listed in the card's *why* section when present.
    :param predicate: a named function, true when the topic's trigger holds (before the
        engine's passes: hooks, the X-ray swap, companions).
    :param plan: builds the rule's card(s) when ``predicate`` holds; defined in the rule's
        module beside it. Rules sharing one plan (the five tiers) run it once.
    :param summary: the card summary (< 140 characters); ``variants`` hold the
        alternative summaries the engine may choose (e.g. ``escalate``).
    :param detail: markdown that the engine extends with *why* and *evidence*;
        ``str.format`` fields: ``{window}``, ``{age_note}``, ``{status}``, ``{extra}``.
    :param suggestion: the suggestion in words (for docs), or ``""`` for none.
    """

    id: str
    title: str
    version: str
    hooks: frozenset[str]
    requires: frozenset[str]
    predicate: Callable[[Facts], bool]
    plan: Planner
    trigger: str
    indicator: Indicator
    summary: str
    detail: str
    suggestion: str
    provenance: tuple[Provenance, ...]
    override_reasons: tuple[Coding, ...] = COMMON_REASONS
    variants: Mapping[str, str] = field(default_factory=dict)

    # Derived from the rule alone, so computed once per rule (cached_property writes the
    # instance __dict__, which a frozen dataclass allows) instead of once per card.

    @cached_property
    def topic(self) -> Coding:
        return Coding(TOPIC_SYSTEM, self.id, self.title)

    @property
    def url(self) -> str:
        """The guideline URL for ``source.url``: the first provenance entry's."""
        return self.provenance[0].url if self.provenance else ""

    @cached_property
    def _profile_urls(self) -> Mapping[str, str]:
        """The first provenance URL of each profile the rule's sources name."""
        urls: dict[str, str] = {}
        for p in self.provenance:
            urls.setdefault(p.profile, p.url)
        return urls

    def url_for(self, profile: str) -> str:
        """``source.url`` under a profile: its own guideline when the rule cites it.

        Under ``nice`` the MRI tiers follow NICE NG234, so the card links there.
        """
        return self._profile_urls.get(profile) or self.url

    @cached_property
    def _sources(self) -> Mapping[str, Source]:
        return {p: Source(SOURCE_LABEL, self.url_for(p), self.topic) for p in PROFILES}

    def source_for(self, profile: str) -> Source:
        """``card.source`` under a profile: one shared (immutable) value per known profile."""
        source = self._sources.get(profile)
        if source is None:
            source = Source(SOURCE_LABEL, self.url_for(profile), self.topic)
        return source

    @cached_property
    def links(self) -> tuple[Link, ...]:
        """The card's evidence links: one per source (by URL), labelled with its name.

        Built once per rule. Verification status stays in docs/rules.md, not on the card.
        """
        first = {p.url: p.source for p in reversed(self.provenance)}  # the first one wins
        return tuple(Link(first[url], url) for url in dict.fromkeys(p.url for p in self.provenance))

    def summary_for(self, variant: str) -> str:
        return self.variants.get(variant, self.summary)
