"""The engine's cross-card policies, one named pass each, in the order they apply.

Each rule plans its own card (:mod:`.catalog`); how the cards of one request interact is
CLINICAL-RULES.md §2 "Rules that hold for every card", and each sentence of it that acts
across cards is one pass below, its docstring quoting the sentence. A pass takes a
:class:`Slate` and returns the next one; :data:`PASSES` lists them for the engine and the
rules document. Like the engine, this module imports no rule module by name.

Rule modes run the passes over two views of the same plans: what is shown (only an
``active`` card may take another's place), and what would be shown were every topic that
is not ``off`` active (the ``silent`` record).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .cards import Indicator
from .catalog import RULES
from .catalog import TIER_IDS
from .catalog import Plan
from .catalog import relevant_drafts
from .facts import Facts
from .modes import Mode
from .modes import RuleModes

_RANK = {rule.id: i for i, rule in enumerate(RULES)}


class Slate(NamedTuple):
    """The cards of one view, each with the mode it is kept in.

    :param view: ``ACTIVE`` for what is shown, ``SILENT`` for the silent record's view.
    :param cards: the plans still kept; a companion's mode is its principal's topic mode
        until :func:`companions_follow_principal` settles it.
    :param swapper: the card that took the MRI tier card's place, if any.
    """

    facts: Facts
    view: Mode
    cards: tuple[tuple[Plan, Mode], ...]
    swapper: Plan | None = None

    @classmethod
    def of(cls, facts: Facts, plans: list[Plan], modes: RuleModes, view: Mode) -> Slate:
        """Every planned card, in the mode of its topic (a companion: its principal's)."""
        hook = facts.hook
        cards = tuple((p, modes.of(p.companion_of or p.rule.id, hook)) for p in plans)
        return cls(facts, view, cards)

    def keep(self, wanted: Callable[[Plan, Mode], bool]) -> Slate:
        return self._replace(cards=tuple((p, m) for p, m in self.cards if wanted(p, m)))


Pass = Callable[[Slate], Slate]


def indicator(plan: Plan) -> Indicator:
    """The card's indicator: the plan's own (e.g. critical with compression) or the rule's."""
    return plan.indicator or plan.rule.indicator


def only_this_hook(slate: Slate) -> Slate:
    """§2 table: ``xray-insufficient`` and ``mri-order-review`` fire in
    "``order-select``/``order-sign``" only; every card keeps to the hooks its rule names."""
    hook = slate.facts.hook
    return slate.keep(lambda p, _: hook in p.rule.hooks)


def drop_off_topics(slate: Slate) -> Slate:
    """Rule modes, not §2: a topic switched ``off`` for the hook yields no card at all, and a
    card that explains an ``off`` topic's card goes with it."""
    return slate.keep(lambda _, m: m is not Mode.OFF)


def order_hook_filter(slate: Slate) -> Slate:
    """§2 Hooks: "``order-select`` returns the cards about the selected orders
    (``xray-insufficient``, ``mri-order-review``) plus any ``critical`` card not yet
    addressed by the draft orders"; "``order-sign`` does the same over **all** draft
    orders". A card a draft addresses was never planned, so every critical one is kept."""
    if slate.facts.hook == "patient-view":
        return slate
    judged = relevant_drafts(slate.facts)

    def wanted(p: Plan, _: Mode) -> bool:
        if p.companion_of is not None:
            return True  # decided with its principal
        return bool(p.about & judged) if p.about else indicator(p) is Indicator.CRITICAL

    return slate.keep(wanted)


def tier_swap(slate: Slate) -> Slate:
    """§2 Hooks: "When ``xray-insufficient`` fires, its suggestion's MRI is the tier's MRI:
    the tier card is not returned separately in that response (one MRI suggested, never
    two)". So does an X-ray card naming the held MRI a warning tier waits on (it says what
    the tier card would; a critical tier card stays, as §2 returns every unaddressed
    critical card), and an ``mri-order-review`` raising the draft to the tier's priority. In the shown view only an active card may take the tier card's place: a
    silent card never hides a shown one."""

    def may_swap(p: Plan, m: Mode) -> bool:
        visible = slate.view is Mode.SILENT or m is Mode.ACTIVE
        return p.replaces_tier and p.companion_of is None and visible

    swapper = next((p for p, m in slate.cards if may_swap(p, m)), None)
    if swapper is None:
        return slate
    swapped = slate.keep(lambda p, _: p.companion_of is not None or p.rule.id not in TIER_IDS)
    return swapped._replace(swapper=swapper)


def companions_follow_principal(slate: Slate) -> Slate:
    """§2 table: ``mri-contraindicated`` explains the tier card ("this card explains why")
    and ``steroid-lymphoma-caution`` the dexamethasone card ("the ``dexamethasone`` card
    still fires"). The spec is silent on when one is shown without the other; the safer
    reading returns a companion exactly when its principal is (or the card that took the
    tier's place), in that card's mode, so a CT-myelography suggestion or a not-recommended
    steroid never reaches the clinician without its reason. In ``patient-view`` a companion
    whose principal was never planned (a device beside a pending MRI) stays, in the mode of
    its principal's topic."""
    kept = {p.rule.id: m for p, m in slate.cards if p.companion_of is None}
    swapper = slate.swapper
    if swapper is not None:
        swapper_mode = next(m for p, m in slate.cards if p is swapper)
        kept.update(dict.fromkeys(TIER_IDS, swapper_mode))
    planned = {p.rule.id for p, _ in slate.cards}
    pv = slate.facts.hook == "patient-view"
    cards: list[tuple[Plan, Mode]] = []
    for p, m in slate.cards:
        if p.companion_of is None:
            cards.append((p, m))
        elif p.companion_of in kept:
            cards.append((p, kept[p.companion_of]))
        elif pv and p.companion_of not in planned:
            cards.append((p, m))
    return slate._replace(cards=tuple(cards))


def urgency_order(slate: Slate) -> Slate:
    """§2 card indicators: most urgent first (critical, warning, info), then in the order of
    the §2 table, so the clinician reads the card that cannot wait at the top."""
    return slate._replace(cards=tuple(sorted(slate.cards, key=lambda pm: urgency(pm[0]))))


def urgency(plan: Plan) -> tuple[int, int]:
    return (-indicator(plan).rank, _RANK[plan.rule.id])


PASSES: tuple[Pass, ...] = (
    only_this_hook,
    drop_off_topics,
    order_hook_filter,
    tier_swap,
    companions_follow_principal,
    urgency_order,
)


def apply(slate: Slate) -> Slate:
    """Run every pass, in order."""
    for step in PASSES:
        slate = step(slate)
    return slate


def select(facts: Facts, plans: list[Plan], modes: RuleModes) -> tuple[tuple[Plan, Mode], ...]:
    """The cards to render, most urgent first: the active ones of the shown view and the
    silent ones of the view where every topic that is not off is active."""
    start = Slate.of(facts, plans, modes, Mode.ACTIVE)
    shown = apply(start)
    if all(m is not Mode.SILENT for _, m in start.cards):
        return shown.cards  # no silent topic: the silent view would add nothing
    world = apply(start._replace(view=Mode.SILENT))
    active = [(p, m) for p, m in shown.cards if m is Mode.ACTIVE]
    # A companion shown in one view and silent in the other is shown, once.
    silent = [
        (p, m) for p, m in world.cards if m is Mode.SILENT and not any(p is q for q, _ in active)
    ]
    return urgency_order(shown._replace(cards=(*active, *silent))).cards
