"""The fast path's screen never hides context: no code outside its value sets gives any.

The service answers a ``patient-view`` call without facts when
:func:`~cds_service.logic.extract.screen.may_have_context` says no. That is safe only if
``Facts.context`` cannot arise from any code the screen does not look for, whatever the
record holds beside it. Context grows with the record (every finding is a union), so one
record holding every other code of every value set, in the form that counts most (current,
confirmed, at a spinal site, as Condition and as present Observation), is the worst case.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cds_service.logic import evaluate
from cds_service.logic.extract import build_facts
from cds_service.logic.extract.screen import CONTEXT_SETS
from cds_service.logic.extract.screen import may_have_context
from cds_service.logic.inputs import HookInput
from cds_service.logic.systems import ICD10CM
from cds_service.logic.valuesets import VALUESETS
from cds_service.logic.valuesets import VS
from cds_service.logic.valuesets import match
from tests.support import FIXTURE_NOW

YESTERDAY = (FIXTURE_NOW - timedelta(days=1)).isoformat()


def _codes(names: set[VS]) -> list[tuple[str, str]]:
    """Every code and ICD-10-CM category of the value sets ``names``."""
    out = []
    for name in names:
        vs = VALUESETS[name]
        out += [(t.system, t.code) for t in vs.codes]
        out += [(ICD10CM, p.prefix) for p in vs.icd_prefixes]
    return sorted(set(out))


def _condition(i: int, system: str, code: str) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": f"c{i}",
        "subject": {"reference": "Patient/p"},
        "clinicalStatus": {"coding": [{"code": "active"}]},
        "verificationStatus": {"coding": [{"code": "confirmed"}]},
        "code": {"coding": [{"system": system, "code": code}]},
        "bodySite": [{"text": "lumbar spine, spinal cord, cauda equina, nerve root"}],
        "onsetDateTime": YESTERDAY,
    }


def _observation(i: int, system: str, code: str) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": f"o{i}",
        "status": "final",
        "subject": {"reference": "Patient/p"},
        "code": {"coding": [{"system": system, "code": code}]},
        "valueBoolean": True,
        "effectiveDateTime": YESTERDAY,
    }


def _input(resources: list[dict[str, Any]], hook: str = "patient-view") -> HookInput:
    return HookInput(hook=hook, patient_id="p", now=FIXTURE_NOW, resources=tuple(resources))


@pytest.mark.parametrize("hook", ["patient-view", "order-select", "order-sign"])
def test_no_code_outside_the_screen_gives_context(hook: str) -> None:
    others = [c for c in _codes(set(VS) - CONTEXT_SETS) if not match(*c) & CONTEXT_SETS]
    assert len(others) > 100  # the record really holds the rest of the terminology
    record = [_condition(i, *c) for i, c in enumerate(others)]
    record += [_observation(i, *c) for i, c in enumerate(others)]
    assert not may_have_context(record)
    facts = build_facts(_input(record, hook))
    assert facts.motor_deficit and facts.back_pain  # the record is read, not ignored
    assert not facts.context
    assert evaluate(_input(record, hook), new_uuid=lambda: "u").cards == ()


@pytest.mark.parametrize("name", sorted(CONTEXT_SETS, key=str))
def test_each_screened_value_set_can_give_context(name: VS) -> None:
    """No value set is screened for nothing: each can give context on its own (so the
    screen is as narrow as the rules allow), and the screen sees it."""
    system, code = _codes({name})[0]
    record = [_condition(0, system, code)]
    assert may_have_context(record)
    assert build_facts(_input(record)).context


def test_a_record_without_conditions_of_those_sets_is_screened_out() -> None:
    record: list[Any] = [
        {"resourceType": "Patient", "id": "p", "birthDate": "1950-01-01"},
        {"resourceType": "Condition", "id": "x", "code": {"text": "spinal metastasis"}},
        {"resourceType": "Condition", "id": "y", "code": "C79.51"},  # malformed: no coding
        {
            "resourceType": "Observation",
            "id": "z",
            "code": _condition(0, ICD10CM, "C79.51")["code"],
        },
        "not a resource",
    ]
    assert not may_have_context(record)
    assert not build_facts(_input(record)).context
