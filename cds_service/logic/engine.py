"""Run the rule catalog over facts: plan every card, apply the passes, render.

The catalog plans each rule's card (:func:`~.catalog.plan_cards`); the cross-card
policies of CLINICAL-RULES.md §2 (hooks, the X-ray swap, companions, urgency order) are
the named passes of :mod:`.passes`. This module imports no rule module: only the names
the catalog exports.

Rule modes (:mod:`.modes`) decide per topic and hook whether a card is shown, rendered
silently for the record, or not built at all; a companion takes its principal's mode.
"""

from __future__ import annotations

from collections.abc import Callable

from .cards import Card
from .cards import Suggestion
from .catalog import Plan
from .catalog import Why
from .catalog import detail
from .catalog import plan_cards
from .catalog import validate_catalog
from .facts import Facts
from .modes import ALL_ACTIVE
from .modes import Mode
from .modes import RuleModes
from .passes import indicator
from .passes import select

__all__ = ["govern", "run_rules", "validate_catalog"]


def run_rules(
    facts: Facts, *, new_uuid: Callable[[], str], modes: RuleModes = ALL_ACTIVE
) -> tuple[Card, ...]:
    """Return the cards of ``facts.hook`` to show, most urgent first (see :func:`govern`)."""
    return govern(facts, new_uuid=new_uuid, modes=modes)[0]


def govern(
    facts: Facts, *, new_uuid: Callable[[], str], modes: RuleModes = ALL_ACTIVE
) -> tuple[tuple[Card, ...], tuple[Card, ...]]:
    """Return ``(shown, silent)``: the cards to return and those to record only.

    Nothing fires without spine-mass context: alert fatigue is the first way a CDS
    service fails. A topic that is ``off`` for the hook yields no card at all. The
    ``silent`` cards are those that would be shown were every topic that is not off
    active, so the record counts what clinicians would have seen. A silent card never
    takes a shown card's place: an MRI tier card swapped out by a silent X-ray card (which
    carries its MRI) is shown.
    """
    if not facts.context:
        return (), ()
    kept = select(facts, plan_cards(facts), modes)
    why = Why(facts)
    cards = [(_render(p, why, new_uuid), m) for p, m in kept]
    return (
        tuple(c for c, m in cards if m is Mode.ACTIVE),
        tuple(c for c, m in cards if m is Mode.SILENT),
    )


def _render(plan: Plan, why: Why, new_uuid: Callable[[], str]) -> Card:
    rule = plan.rule
    card_uuid = new_uuid()
    suggestions: tuple[Suggestion, ...] = ()
    actions = plan.actions if plan.deferred is None else (plan.deferred(),)
    if actions:
        suggestions = (
            Suggestion(
                label=plan.label,
                uuid=new_uuid(),
                actions=actions,
                is_recommended=plan.recommended,
            ),
        )
    return Card(
        uuid=card_uuid,
        summary=rule.summary_for(plan.variant),
        indicator=indicator(plan),
        source=rule.source_for(why.facts.profile),
        rule_id=rule.id,
        rule_version=rule.version,
        detail=detail(rule, why, extra=plan.extra, age_note=plan.age_note),
        suggestions=suggestions,
        selection_behavior="at-most-one" if suggestions else None,
        override_reasons=rule.override_reasons,
        links=rule.links,
    )
