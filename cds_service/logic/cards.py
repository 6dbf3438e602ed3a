"""CDS Hooks 2.0 card model: immutable records that render to spec-conformant JSON.

Catalog values (links, sources) are frozen dataclasses. What is built on every call
(cards, suggestions, actions, codings read from FHIR) are NamedTuples, cheaper to build
(docs/performance.md).

Rendering drops every ``None`` and empty value (CDS Hooks 2.0 "Null and empty JSON
elements"), so a card can never carry ``"links": []`` or ``"detail": ""``. The fields
``rule_id``, ``rule_version`` and ``topic`` stay on the Python object for the card
record (feedback joins to the rule that produced a card) and never reach the client
except as ``source.topic``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from typing import NamedTuple

#: The service's own CodeSystem for ``source.topic`` (codes documented in docs/rules.md).
TOPIC_SYSTEM = "https://w3id.org/spine-mass-cds/CodeSystem/card-topic"
#: CodeSystem of the override reasons the cards offer.
OVERRIDE_SYSTEM = "https://w3id.org/spine-mass-cds/CodeSystem/override-reason"
MAX_SUMMARY = 140  # CDS Hooks 2.0: summary "<140 characters"


class Indicator(StrEnum):
    """Card urgency, in increasing order."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Indicator.INFO: 0, Indicator.WARNING: 1, Indicator.CRITICAL: 2}


class Coding(NamedTuple):
    """A code of a code system: catalog data on cards, and what the logic reads from
    FHIR (a tuple, so ``system, code, display = coding`` unpacks it)."""

    system: str
    code: str
    display: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.system:
            out["system"] = self.system
        if self.code:
            out["code"] = self.code
        if self.display:
            out["display"] = self.display
        return out


class Action(NamedTuple):
    """``create``/``update`` carry a full resource; ``delete`` carries ``resource_id``."""

    type: str
    description: str
    resource: Mapping[str, Any] | None = None
    resource_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.type:
            out["type"] = self.type
        if self.description:
            out["description"] = self.description
        if self.resource:
            out["resource"] = dict(self.resource)
        if self.resource_id:
            out["resourceId"] = self.resource_id
        return out


class Suggestion(NamedTuple):
    label: str
    uuid: str
    actions: tuple[Action, ...] = ()
    is_recommended: bool | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.label:
            out["label"] = self.label
        if self.uuid:
            out["uuid"] = self.uuid
        if self.is_recommended is not None:  # false is a statement, not an empty value
            out["isRecommended"] = self.is_recommended
        if self.actions:
            out["actions"] = [a.to_json() for a in self.actions]
        return out


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    type: str = "absolute"

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "url": self.url, "type": self.type}


@dataclass(frozen=True)
class Source:
    label: str
    url: str | None = None
    topic: Coding | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.label:
            out["label"] = self.label
        if self.url:
            out["url"] = self.url
        if self.topic is not None and (topic := self.topic.to_json()):
            out["topic"] = topic
        return out


class Card(NamedTuple):
    """One card, plus the rule identity it came from (kept server-side)."""

    uuid: str
    summary: str
    indicator: Indicator
    source: Source
    rule_id: str
    rule_version: str
    detail: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    selection_behavior: str | None = None
    override_reasons: tuple[Coding, ...] = ()
    links: tuple[Link, ...] = ()

    @property
    def topic(self) -> str:
        """The card-topic code (``mri-12h``, ``dexamethasone`` ...)."""
        return self.source.topic.code if self.source.topic else self.rule_id

    def to_json(self) -> dict[str, Any]:
        """Render as a CDS Hooks 2.0 Card.

        Like every ``to_json`` here, it adds each element only when it is non-empty.
        """
        out: dict[str, Any] = {}
        if self.uuid:
            out["uuid"] = self.uuid
        if self.summary:
            out["summary"] = self.summary
        if self.detail:
            out["detail"] = self.detail
        out["indicator"] = self.indicator.value
        if source := self.source.to_json():
            out["source"] = source
        if self.suggestions:
            out["suggestions"] = [s.to_json() for s in self.suggestions]
        if self.selection_behavior:
            out["selectionBehavior"] = self.selection_behavior
        if self.override_reasons:
            out["overrideReasons"] = [r.to_json() for r in self.override_reasons]
        if self.links:
            out["links"] = [link.to_json() for link in self.links]
        return out
