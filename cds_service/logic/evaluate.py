"""The one entry point of the logic: :func:`evaluate` a hook input into cards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cards import Card
from .engine import run_rules
from .engine import validate_catalog
from .extract import build_facts
from .facts import Facts
from .inputs import HookInput

__all__ = ["Evaluation", "evaluate", "validate_catalog"]


@dataclass(frozen=True)
class Evaluation:
    """The facts the rules saw and the cards they produced."""

    facts: Facts
    cards: tuple[Card, ...]


def evaluate(inp: HookInput, *, new_uuid: Callable[[], str]) -> Evaluation:
    """Build facts from ``inp`` and run every rule of its hook.

    :param new_uuid: source of card and suggestion uuids: :func:`cds_service.uuids.new_uuid`
        wherever cards leave the service (randomness is I/O, kept out of ``logic``); tests
        inject a counter.
    """
    facts = build_facts(inp)
    return Evaluation(facts=facts, cards=run_rules(facts, new_uuid=new_uuid))
