"""Run the rule catalog over facts (placeholder)."""

from __future__ import annotations

from collections.abc import Callable

from .cards import Card
from .facts import Facts


def run_rules(facts: Facts, *, new_uuid: Callable[[], str]) -> tuple[Card, ...]:
    """Return the cards every applicable rule of ``facts.hook`` produces."""
    return ()


def validate_catalog() -> None:
    """Check the rule catalog at start-up; raise on any inconsistency."""
