"""The plan of one card, and the builders several rules' plans share.

A rule module owns its plan (which variant, which text, which suggestion); this module
holds what a plan is and the pieces that more than one rule uses.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

from .. import suggestions as fhir
from ..cards import Action
from ..cards import Indicator
from ..facts import Facts
from ..facts import OrderKind
from ..facts import Priority
from .base import Rule
from .render import evidence_refs


class Plan(NamedTuple):
    """One card to render, if the hook keeps it.

    :param about: refs of the draft orders the card is about (order-topic cards only).
    :param companion_of: the card this one explains; kept exactly when that one is.
    :param replaces_tier: this card carries or replaces the MRI tier card's action, so
        the tier card is not returned beside it (one MRI, never two).
    :param deferred: builds the card's one action instead of ``actions``, only when the
        card is rendered: the order hooks drop most cards, so most drafts are never built.
    """

    rule: Rule
    variant: str = ""
    actions: tuple[Action, ...] = ()
    label: str = ""
    recommended: bool | None = None
    about: frozenset[str] = frozenset()
    companion_of: str | None = None
    replaces_tier: bool = False
    indicator: Indicator | None = None
    extra: str = ""
    age_note: str = ""
    deferred: Callable[[], Action] | None = None


def blocked_text(facts: Facts, kinds: tuple[OrderKind, ...], what: str) -> str:
    """One sentence naming held or stale record orders of ``kinds`` (they address nothing).

    Empty when there are none. The card fires without a ``create``: a second order beside
    the held one would duplicate it; the clinician releases, re-prioritises or replaces it.
    """
    blocked = [o for kind in kinds for o in facts.blocked(kind)]
    if not blocked:
        return ""
    named = ", ".join(
        f"`{o.ref}`, {'on hold' if o.held else 'authored before the current symptoms'}"
        for o in blocked
    )
    return (
        f" The {what} on record ({named}) addresses nothing: release, re-prioritise or "
        "replace it rather than ordering a second one."
    )


def referral_action(
    facts: Facts, rule: Rule, concept: tuple[str, str, str], priority: Priority
) -> Action:
    """The one suggestion of a referral or biopsy card: a draft ServiceRequest."""
    resource = fhir.service_request(facts, concept, priority, reasons=evidence_refs(rule, facts))
    return Action("create", f"Order: {concept[2]}", resource)


def referral_plan(
    facts: Facts,
    rule: Rule,
    concept: tuple[str, str, str],
    kind: OrderKind,
    *,
    text: str = "",
    variant: str = "",
    priority: Priority = Priority.URGENT,
    indicator: Indicator | None = None,
    suggest: bool = True,
) -> Plan:
    """A card whose one suggestion creates a ServiceRequest (referral or biopsy); none when a
    held order of that kind is on record (the card names it instead)."""
    held = blocked_text(facts, (kind,), "order")
    action = partial(referral_action, facts, rule, concept, priority)
    return Plan(
        rule,
        variant,
        label=concept[2] if suggest and not held else "",
        indicator=indicator,
        extra=text + held,
        deferred=action if suggest and not held else None,
    )
