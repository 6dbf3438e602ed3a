"""The cards that do not depend on imaging orders: each rule module plans its own."""

from __future__ import annotations

from collections.abc import Callable

from ..facts import Facts
from .ambulatory import ambulatory_plans
from .plan import Plan
from .radiotherapy import radiotherapy_plans
from .stability import stability_plans
from .steroids import dexamethasone_plans
from .surgical import surgical_plans
from .tissue import tissue_plans

#: In card order; the engine sorts by urgency and then by catalog order anyway.
PLANNERS: tuple[Callable[[Facts], list[Plan]], ...] = (
    dexamethasone_plans,
    surgical_plans,
    radiotherapy_plans,
    tissue_plans,
    stability_plans,
    ambulatory_plans,
)


def therapy_plans(facts: Facts) -> list[Plan]:
    """Plan the cards that do not depend on imaging orders."""
    return [plan for planner in PLANNERS for plan in planner(facts)]
