"""A hostile record cannot park long text in the worker's process-wide caches."""

from __future__ import annotations

import itertools

from cds_service.logic.catalog.render import escape
from cds_service.logic.evaluate import evaluate
from cds_service.logic.extract.fhir import _label
from cds_service.logic.extract.fhir import parse_timestamp
from cds_service.logic.inputs import HookInput
from cds_service.logic.valuesets import match
from cds_service.logic.valuesets.index import _match_icd
from tests.fhir_builders import SNOMED
from tests.fhir_builders import condition
from tests.fhir_builders import hook_input

CACHES = (escape, _label, parse_timestamp, _match_icd)
_ids = itertools.count()


def _record(filler: str) -> HookInput:
    """A compressed cord described at length, beside a Condition made of nothing but text."""
    long = filler * 100_000
    spine = condition("c1", SNOMED, "94602001", "Spinal cord compression " + long)
    noise = condition("c2", SNOMED, long, long, onset="2026-01-01T00:00:00" + long)
    return hook_input(spine, noise)


def _sizes() -> list[int]:
    return [fn.cache_info().currsize for fn in CACHES]  # type: ignore[attr-defined]


def test_long_codes_displays_and_dates_are_read_but_never_kept() -> None:
    new_uuid = lambda: f"u{next(_ids)}"  # noqa: E731
    first = evaluate(_record("8"), new_uuid=new_uuid)  # the short values are cached here
    before = _sizes()
    again = evaluate(_record("9"), new_uuid=new_uuid)  # only the long text differs
    assert _sizes() == before
    assert [c.topic for c in again.cards] == [c.topic for c in first.cards]
    assert again.cards, "a long display must not cost the card"


def test_a_long_value_gets_the_answer_the_cache_would_give() -> None:
    long = "9" * 100_000
    assert match(SNOMED, long) == frozenset()
    assert parse_timestamp("2026-01-01" + long) is None
    assert escape("*" + long) == "\\*" + long
