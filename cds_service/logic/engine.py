"""Run the rule catalog over facts: plan every card, keep those the hook wants, render.

Hooks (CLINICAL-RULES.md §2): ``patient-view`` returns every card that applies.
``order-select`` returns the cards about the selected draft orders (``xray-insufficient``,
``mri-order-review``) plus every ``critical`` card the draft orders do not address;
``order-sign`` does the same over all draft orders. A card that explains another
(``mri-contraindicated``, ``steroid-lymphoma-caution``) is returned exactly when the
card it explains is: a CT-myelography suggestion or an ``isRecommended: false``
dexamethasone must never reach the clinician without its reason (spec silent; safer).

Rule modes (:mod:`.modes`) decide per topic and hook whether a card is shown, rendered
silently for the record, or not built at all; a companion takes its principal's mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cards import Card
from .cards import Indicator
from .cards import Suggestion
from .catalog import RULES
from .catalog import TIER_IDS
from .catalog import plan_cards
from .catalog.orders import relevant_drafts
from .catalog.plan import Plan
from .catalog.render import Why
from .catalog.render import detail
from .catalog.validate import validate_catalog
from .facts import Facts
from .modes import ALL_ACTIVE
from .modes import Mode
from .modes import RuleModes

__all__ = ["govern", "run_rules", "validate_catalog"]

_RANK = {rule.id: i for i, rule in enumerate(RULES)}


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
    plans = plan_cards(facts)

    def mode(plan: Plan) -> Mode:
        return modes.of(plan.rule.id, facts.hook)

    principals = [
        p
        for p in plans
        if facts.hook in p.rule.hooks and p.companion_of is None and mode(p) is not Mode.OFF
    ]
    # Two selections: what is shown (only a shown card swaps out the tier card), and what
    # would be shown were every silent topic active (the silent record).
    shown = _select(facts, principals, lambda p: mode(p) is Mode.ACTIVE)
    world = _select(facts, principals, lambda p: True)
    kept = [(p, Mode.ACTIVE) for p in shown.plans if mode(p) is Mode.ACTIVE]
    kept += [(p, Mode.SILENT) for p in world.plans if mode(p) is Mode.SILENT]
    for p in plans:
        if p.companion_of is None or facts.hook not in p.rule.hooks:
            continue
        if p.companion_of in shown.explained(Mode.ACTIVE, mode):
            kept.append((p, Mode.ACTIVE))
        elif p.companion_of in world.explained(Mode.SILENT, mode):
            kept.append((p, Mode.SILENT))
        elif facts.hook == "patient-view" and p.companion_of not in world.ids:
            # e.g. a device warning beside a pending MRI: the tier topic's mode
            kept.append((p, modes.of(p.companion_of, facts.hook)))
    kept = [(p, m) for p, m in kept if m is not Mode.OFF]
    kept.sort(key=lambda pm: (-_indicator(pm[0]).rank, _RANK[pm[0].rule.id]))
    why = Why(facts)
    cards = [(_render(p, why, new_uuid), m) for p, m in kept]
    return (
        tuple(c for c, m in cards if m is Mode.ACTIVE),
        tuple(c for c, m in cards if m is Mode.SILENT),
    )


def _indicator(plan: Plan) -> Indicator:
    return plan.indicator or plan.rule.indicator


@dataclass(frozen=True)
class _Selection:
    """The principal cards a hook keeps, and the card (if any) that took the tier's place."""

    plans: list[Plan]
    swapper: Plan | None

    @property
    def ids(self) -> set[str]:
        return {p.rule.id for p in self.plans}

    def explained(self, wanted: Mode, mode: Callable[[Plan], Mode]) -> set[str]:
        """Ids whose companion is kept in ``wanted`` mode: the cards of that mode, and the
        tier ids when a card of that mode carries the tier's MRI."""
        ids = {p.rule.id for p in self.plans if mode(p) is wanted}
        if self.swapper is not None and mode(self.swapper) is wanted:
            ids |= TIER_IDS
        return ids


def _select(facts: Facts, plans: list[Plan], may_swap: Callable[[Plan], bool]) -> _Selection:
    """Keep cards about the judged drafts and unaddressed critical cards (order hooks).

    Every card planned here is unaddressed by construction: a pending order of the card's
    kind (record or draft) already suppressed it in planning. A card that carries the
    tier's MRI (X-ray) or escalates its draft (review) replaces the tier card when
    ``may_swap`` allows it: one MRI.
    """
    if facts.hook == "patient-view":
        return _Selection(plans, None)
    judged = relevant_drafts(facts)
    kept = [
        p for p in plans if (p.about & judged if p.about else _indicator(p) is Indicator.CRITICAL)
    ]
    swapper = next((p for p in kept if p.replaces_tier and may_swap(p)), None)
    if swapper is not None:
        kept = [p for p in kept if p.rule.id not in TIER_IDS]
    return _Selection(kept, swapper)


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
        indicator=_indicator(plan),
        source=rule.source_for(why.facts.profile),
        rule_id=rule.id,
        rule_version=rule.version,
        detail=detail(rule, why, extra=plan.extra, age_note=plan.age_note),
        suggestions=suggestions,
        selection_behavior="at-most-one" if suggestions else None,
        override_reasons=rule.override_reasons,
        links=rule.links,
    )
