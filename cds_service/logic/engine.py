"""Run the rule catalog over facts: plan every card, keep those the hook wants, render.

Hooks (CLINICAL-RULES.md §2): ``patient-view`` returns every card that applies.
``order-select`` returns the cards about the selected draft orders (``xray-insufficient``,
``mri-order-review``) plus every ``critical`` card the draft orders do not address;
``order-sign`` does the same over all draft orders. A card that explains another
(``mri-contraindicated``, ``steroid-lymphoma-caution``) is returned exactly when the
card it explains is: a CT-myelography suggestion or an ``isRecommended: false``
dexamethasone must never reach the clinician without its reason (spec silent; safer).
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

__all__ = ["run_rules", "validate_catalog"]

_TIER_IDS = frozenset(t.rule.id for t in TIERS)
_RANK = {rule.id: i for i, rule in enumerate(RULES)}


def run_rules(facts: Facts, *, new_uuid: Callable[[], str]) -> tuple[Card, ...]:
    """Return the cards of ``facts.hook``, most urgent first.

    Nothing fires without spine-mass context: alert fatigue is the first way a CDS
    service fails.
    """
    if not facts.context:
        return ()
    plans, tier, create = imaging_plans(facts)
    plans += therapy_plans(facts)
    if facts.hook != "patient-view":
        xray = xray_plan(facts, tier, create)
        plans = _for_order_hook(facts, plans + ([xray] if xray else []))
    else:
        plans = [p for p in plans if facts.hook in p.rule.hooks]
    plans.sort(key=lambda p: (-_indicator(p).rank, _RANK[p.rule.id]))
    why = Why(facts)
    return tuple(_render(p, why, new_uuid) for p in plans)


def _indicator(plan: Plan) -> Indicator:
    return plan.indicator or plan.rule.indicator


def _for_order_hook(facts: Facts, plans: list[Plan]) -> list[Plan]:
    """Keep cards about the judged drafts and unaddressed critical cards, then companions.

    Every card planned here is unaddressed by construction: a pending order of the card's
    kind (record or draft) already suppressed it in planning.
    """
    judged = relevant_drafts(facts)
    kept = [
        p
        for p in plans
        if facts.hook in p.rule.hooks
        and p.companion_of is None
        and (p.about & judged if p.about else _indicator(p) is Indicator.CRITICAL)
    ]
    if any(p.replaces_tier for p in kept):
        # The X-ray card carries the tier's MRI, or a review escalates its draft: one MRI.
        present = {p.rule.id for p in kept} | _TIER_IDS
        kept = [p for p in kept if p.rule.id not in _TIER_IDS]
    else:
        present = {p.rule.id for p in kept}
    kept += [p for p in plans if p.companion_of is not None and p.companion_of in present]
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
        links=rule.links,
    )
