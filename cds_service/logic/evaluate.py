"""The one entry point of the logic: :func:`evaluate` a hook input into cards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cards import Card
from .engine import govern
from .engine import validate_catalog
from .extract import build_facts
from .facts import Facts
from .inputs import HookInput
from .modes import ALL_ACTIVE
from .modes import RuleModes

__all__ = ["Evaluation", "evaluate", "validate_catalog"]


@dataclass(frozen=True)
class Evaluation:
    """The facts the rules saw, the cards to return and the silent ones (recorded only)."""

    facts: Facts
    cards: tuple[Card, ...]
    silent: tuple[Card, ...] = ()


def evaluate(
    inp: HookInput, *, new_uuid: Callable[[], str], modes: RuleModes = ALL_ACTIVE
) -> Evaluation:
    """Build facts from ``inp`` and run every rule of its hook.

    :param new_uuid: source of card and suggestion uuids: :func:`cds_service.uuids.new_uuid`
        wherever cards leave the service (randomness is I/O, kept out of ``logic``); tests
        inject a counter.
    :param modes: which topics are shown, silent or off (:mod:`.modes`).
    """
    facts = build_facts(inp)
    cards, silent = govern(facts, new_uuid=new_uuid, modes=modes)
    return Evaluation(facts=facts, cards=cards, silent=silent)
