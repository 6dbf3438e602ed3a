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

from .cards import Card
from .cards import Indicator
from .cards import Suggestion
from .catalog import RULES
from .catalog.mri import TIERS
from .catalog.plans import Plan
from .catalog.plans import imaging_plans
from .catalog.plans import relevant_drafts
from .catalog.plans import xray_plan
from .catalog.render import Why
from .catalog.render import detail
from .catalog.therapy import therapy_plans
from .catalog.validate import validate_catalog
from .facts import Facts
from .modes import ALL_ACTIVE
from .modes import Mode
from .modes import RuleModes

__all__ = ["govern", "run_rules", "validate_catalog"]

_TIER_IDS = frozenset(t.rule.id for t in TIERS)
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
    service fails. A topic that is ``off`` for the hook yields no card at all; a
    ``silent`` one is rendered (so its record says what would have been shown) but not
    returned, and never takes a shown card's place: it swaps out no MRI tier card.
    """
    if not facts.context:
        return (), ()
    plans, tier, create = imaging_plans(facts)
    plans += therapy_plans(facts)
    if facts.hook != "patient-view":
        xray = xray_plan(facts, tier, create)
        plans += [xray] if xray else []

    def mode(plan: Plan) -> Mode:
        return modes.of(plan.rule.id, facts.hook)

    principals = [
        p
        for p in plans
        if facts.hook in p.rule.hooks and p.companion_of is None and mode(p) is not Mode.OFF
    ]
    if facts.hook != "patient-view":
        principals = _for_order_hook(facts, principals, mode)
    modes_of = {p.rule.id: mode(p) for p in principals}
    if any(p.replaces_tier and modes_of[p.rule.id] is Mode.ACTIVE for p in principals):
        # The X-ray card carries the tier's MRI, or a review escalates its draft: a
        # companion of the tier explains that card now.
        modes_of.update(dict.fromkeys(_TIER_IDS - modes_of.keys(), Mode.ACTIVE))
    kept = [(p, modes_of[p.rule.id]) for p in principals]
    for p in plans:
        if p.companion_of is None or facts.hook not in p.rule.hooks:
            continue
        if p.companion_of in modes_of:
            kept.append((p, modes_of[p.companion_of]))
        elif facts.hook == "patient-view":  # e.g. a device warning beside a pending MRI
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


def _for_order_hook(facts: Facts, plans: list[Plan], mode: Callable[[Plan], Mode]) -> list[Plan]:
    """Keep cards about the judged drafts and unaddressed critical cards.

    Every card planned here is unaddressed by construction: a pending order of the card's
    kind (record or draft) already suppressed it in planning. Only a card that is shown
    may swap out the MRI tier card it carries: a silent X-ray card must not hide the MRI.
    """
    judged = relevant_drafts(facts)
    kept = [
        p for p in plans if (p.about & judged if p.about else _indicator(p) is Indicator.CRITICAL)
    ]
    if any(p.replaces_tier and mode(p) is Mode.ACTIVE for p in kept):
        kept = [p for p in kept if p.rule.id not in _TIER_IDS]
    return kept


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
    )
