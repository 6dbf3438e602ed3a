"""The predicate a rule publishes is the one that decides it.

Clinical reviewers read each rule's predicate in docs/rules.md as *the* rule: a published
function the engine never calls would show them dead code while the real trigger lives
elsewhere. Each fires fixture is run with its topic's published predicate forced false:
the predicate must be consulted, and its card must then be gone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service.logic.catalog import BY_ID
from cds_service.logic.catalog import RULES
from cds_service.logic.catalog import Rule
from cds_service.logic.facts import Facts
from tests.clinical_support import FIXTURES
from tests.clinical_support import Fixture
from tests.clinical_support import call
from tests.clinical_support import profile_settings

RULES_MD = Path(__file__).parents[1] / "docs" / "rules.md"
FIRES = [rel for rel in FIXTURES if Fixture.parse(rel).polarity == "fires"]


@pytest.fixture
def settings(settings: dict[str, Any], rel: str) -> dict[str, Any]:
    return profile_settings(settings, rel)


@contextmanager
def _predicate(rule: Rule, predicate: Callable[[Facts], bool]) -> Iterator[None]:
    """Swap a rule's predicate for the duration (the record is frozen, so bypass it)."""
    original = rule.predicate
    object.__setattr__(rule, "predicate", predicate)
    try:
        yield
    finally:
        object.__setattr__(rule, "predicate", original)


@pytest.mark.parametrize("rel", FIRES)
def test_the_published_predicate_decides_the_card(rel: str, client: FlaskClient) -> None:
    fixture = Fixture.parse(rel)
    rule = BY_ID[fixture.topic]
    asked: list[Facts] = []

    def never(facts: Facts) -> bool:
        asked.append(facts)
        return False

    _, cards = call(client, fixture)
    assert fixture.topic in {c["source"]["topic"]["code"] for c in cards}
    with _predicate(rule, never):
        _, cards = call(client, fixture)
    assert asked, f"the engine never asked {rule.predicate.__name__} about {rel}"
    assert fixture.topic not in {c["source"]["topic"]["code"] for c in cards}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_the_rules_document_names_the_predicate_and_its_module_owns_it(rule: Rule) -> None:
    section = RULES_MD.read_text().split(f"## `{rule.id}` — ", 1)[1].split("\n## ", 1)[0]
    shown = re.search(r"- \*\*Predicate\*\*: `([\w.]+)`", section)
    assert shown, f"docs/rules.md shows no predicate for {rule.id}"
    module, name = shown[1].rsplit(".", 1)
    assert (module, name) == (rule.predicate.__module__, rule.predicate.__name__)
    assert module.startswith("cds_service.logic.catalog.")
    assert module.rsplit(".", 1)[1] not in {"plans", "therapy", "orders", "base", "render"}
