"""Rule modes: which card topics are returned, evaluated in silence, or switched off.

A CDS committee runs a new rule *silent* first (evaluated and recorded, never shown), reads
its burden and override rates, then makes it *active*; a rule that misbehaves is switched
*off* without a release. Modes are data (a topic, optionally per hook, to a mode); this
module parses and checks them without I/O, the YAML file is read by
:mod:`cds_service.governance`.

A card that explains another (``mri-contraindicated``, ``steroid-lymphoma-caution``) has no
mode of its own: it takes the mode of the card it explains, so a CT-myelography suggestion
or an ``isRecommended: false`` dexamethasone never reaches the clinician without its reason
(docs/governance.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import Any

from .catalog import TOPIC_CODES
from .catalog.base import ALL_HOOKS

#: Topics that only ever explain another card (``Plan.companion_of``): they follow its mode.
COMPANION_TOPICS: frozenset[str] = frozenset({"mri-contraindicated", "steroid-lymphoma-caution"})


class Mode(StrEnum):
    """What happens to a topic's cards, from most to least visible."""

    ACTIVE = "active"  # returned to the EHR and recorded
    SILENT = "silent"  # evaluated and recorded as silent, never returned
    OFF = "off"  # neither evaluated nor recorded


class ModesError(ValueError):
    """The modes file names an unknown topic, hook or mode: the service must not start."""


@dataclass(frozen=True)
class RuleModes:
    """Topic -> mode, with per-hook exceptions; any topic not listed is ``active``."""

    topics: Mapping[str, Mode] = field(default_factory=dict)
    per_hook: Mapping[tuple[str, str], Mode] = field(default_factory=dict)

    def of(self, topic: str, hook: str) -> Mode:
        """The mode of ``topic``'s cards under ``hook``."""
        return self.per_hook.get((topic, hook)) or self.topics.get(topic) or Mode.ACTIVE

    @property
    def all_active(self) -> bool:
        return not any(
            m is not Mode.ACTIVE for m in (*self.topics.values(), *self.per_hook.values())
        )

    def summary(self) -> str:
        """One line naming every topic not active everywhere, e.g. for the start-up log."""
        parts = [f"{t}={m}" for t, m in sorted(self.topics.items()) if m is not Mode.ACTIVE]
        parts += [f"{t}[{h}]={m}" for (t, h), m in sorted(self.per_hook.items())]
        return ", ".join(parts) if parts else "all topics active"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {t: str(m) for t, m in sorted(self.topics.items())}
        for (t, h), m in sorted(self.per_hook.items()):
            entry = out.get(t)
            out[t] = {**({"*": entry} if isinstance(entry, str) else entry or {}), h: str(m)}
        return out


ALL_ACTIVE = RuleModes()
_MODE_WORDS = frozenset(m.value for m in Mode)


def parse_modes(data: Any, origin: str = "rule modes") -> RuleModes:
    """Check and read ``{topic: mode}`` / ``{topic: {hook: mode}}``; raise :class:`ModesError`.

    Each error is one line naming the offending topic, hook or mode, for an operator who
    reads nothing but the exit message.
    """
    if data is None:
        return ALL_ACTIVE
    if not isinstance(data, Mapping):
        raise ModesError(f"{origin}: expected a mapping of card topic to mode")
    topics: dict[str, Mode] = {}
    per_hook: dict[tuple[str, str], Mode] = {}
    for topic, value in data.items():
        if topic not in TOPIC_CODES:
            raise ModesError(f"{origin}: unknown card topic {topic!r}")
        if topic in COMPANION_TOPICS:
            raise ModesError(
                f"{origin}: {topic!r} explains another card and takes that card's mode; "
                "set the mode of the card it explains"
            )
        if isinstance(value, Mapping):
            for hook, mode in value.items():
                if hook not in ALL_HOOKS:
                    raise ModesError(f"{origin}: unknown hook {hook!r} for topic {topic!r}")
                per_hook[(topic, str(hook))] = _mode(mode, topic, origin)
        else:
            topics[topic] = _mode(value, topic, origin)
    return RuleModes(topics, per_hook)


def _mode(value: Any, topic: str, origin: str) -> Mode:
    if value is False:  # YAML 1.1 reads a bare ``off`` as false
        value = "off"
    if not isinstance(value, str) or value not in _MODE_WORDS:
        raise ModesError(
            f"{origin}: unknown mode {value!r} for topic {topic!r} (active, silent or off)"
        )
    return Mode(value)
