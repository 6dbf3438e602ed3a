"""build_facts never raises: malformed resources are skipped with a note, the rest still count."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from cds_service.logic.extract import build_facts
from cds_service.logic.facts import Course
from tests.fhir_builders import LOINC
from tests.fhir_builders import SNOMED
from tests.fhir_builders import ago
from tests.fhir_builders import condition
from tests.fhir_builders import hook_input
from tests.fhir_builders import observation
from tests.fhir_builders import service_request

CORD = condition("cc", SNOMED, "71286001")


def test_unparseable_effective_date_skips_only_that_observation() -> None:
    bad = observation("x", SNOMED, "279039007", when="last Tuesday")
    good = observation("y", SNOMED, "713514005", valueInteger=3)
    f = build_facts(hook_input(bad, good, CORD))
    assert f.skipped == ("Observation/x: unparseable effectiveDateTime",)
    assert not f.back_pain and f.motor_deficit and f.cord_compression


def test_cached_date_parsing_still_names_each_element_and_fails_every_time() -> None:
    """Date parsing is cached by string: a bad date must still fail on every call, named
    by the element that carried it, and a good one must keep parsing the same."""
    bad_obs = observation("x", SNOMED, "279039007", when="2026-02-30T10:00:00Z")
    bad_cond = condition("c", SNOMED, "71286001", onset="2026-02-30T10:00:00Z")
    for _ in range(2):
        f = build_facts(hook_input(bad_obs, bad_cond))
        assert f.skipped == (
            "Observation/x: unparseable effectiveDateTime",
            "Condition/c: unparseable onsetDateTime ignored (date unknown)",
        )
        assert f.cord_compression.evidence[0].when is None


def test_observation_without_effective_date_is_not_current_and_noted() -> None:
    obs = observation("x", SNOMED, "279039007")
    del obs["effectiveDateTime"]
    f = build_facts(hook_input(obs))
    assert not f.back_pain
    assert f.skipped == ("Observation/x: no effective date, cannot be placed in time",)


def test_irrelevant_observations_are_not_noted() -> None:
    obs = observation("bp", LOINC, "8480-6", when="garbage", valueQuantity={"value": 120})
    assert build_facts(hook_input(obs)).skipped == ()


def test_bad_onset_keeps_the_condition_with_unknown_onset() -> None:
    f = build_facts(hook_input(condition("w", SNOMED, "713514005", onset="2026-02-30")))
    assert f.motor_deficit and f.deficit_onset is None
    assert f.skipped == ("Condition/w: unparseable onsetDateTime ignored (date unknown)",)


def test_resource_without_id_is_referenced_by_position() -> None:
    f = build_facts(hook_input(CORD, condition(None, SNOMED, "94602001")))
    assert f.spine_mass.refs[0] == "Condition/#1"


def test_draft_without_id_is_referenced_by_draft_position() -> None:
    draft = service_request("x", LOINC, "30855-1", status="draft")
    del draft["id"]
    f = build_facts(hook_input(draft_orders=(draft,)))
    assert f.orders[0].ref == "ServiceRequest/#draft-0"


def test_timezone_offsets_are_normalised_to_utc() -> None:
    obs = observation("o", SNOMED, "713514005", when="2026-11-20T23:30:00-02:00")
    f = build_facts(hook_input(obs))
    assert (
        f.deficit_onset is not None and f.deficit_onset.isoformat() == "2026-11-21T01:30:00+00:00"
    )


WEAK = {"coding": [{"system": SNOMED, "code": "713514005"}]}
ECOG = {"coding": [{"system": LOINC, "code": "89247-1"}]}
MRI = {"coding": [{"system": LOINC, "code": "30855-1"}]}


def res(rtype: str, **elements: Any) -> dict[str, Any]:
    return {"resourceType": rtype, **elements}


def obs(code: Any = WEAK, **elements: Any) -> dict[str, Any]:
    return res("Observation", status="final", code=code, **elements)


WEIRD: list[Any] = [
    None,
    42,
    "Condition",
    [],
    {},
    {"resourceType": None},
    {"resourceType": 7, "id": 3},
    res("Condition"),
    res("Condition", id=["x"], code="71286001"),
    res("Condition", code={"coding": "71286001"}),
    res("Condition", code={"coding": [None, 1, {"system": 5, "code": {}}]}),
    res("Condition", code=WEAK, clinicalStatus="active"),
    res("Condition", code=WEAK, onsetDateTime=20261120),
    res("Condition", code=WEAK, onsetPeriod="x"),
    res("Condition", code=WEAK, bodySite="left"),
    obs(effectivePeriod={"start": "x"}),
    obs(effectiveDateTime=ago(1), valueInteger=True),
    obs(ECOG, effectiveDateTime=ago(1), valueQuantity="four"),
    res("Observation", status=["final"], code=ECOG),
    obs(effectiveDateTime=ago(1), interpretation={"coding": [{"system": 1}]}),
    res("ServiceRequest", status="completed", code=MRI, occurrencePeriod=[]),
    res("ServiceRequest", status="active", code=MRI, priority={"x": 1}),
    res("MedicationRequest", status="active", medicationReference="#x", contained="nope"),
    res(
        "Procedure",
        status="completed",
        code={"coding": [{"system": SNOMED, "code": "33195004"}]},
        performedPeriod={"end": "2026-99-01"},
    ),
    res("Device", type=[{"coding": [{"system": SNOMED, "code": "424921004"}]}], status=1),
    res("DiagnosticReport", status="final", code=MRI, issued="yesterday"),
    res("ImagingStudy", status="available", procedureCode=MRI, started="2026-11-23T10:00:00+25:00"),
    res("Patient", id="pat-1", birthDate="nineteen fifty"),
    res("Patient", id="pat-1", birthDate="2999-01-01"),
]


@pytest.mark.parametrize("weird", WEIRD, ids=[f"weird-{i}" for i in range(len(WEIRD))])
def test_build_facts_never_raises_and_keeps_other_facts(weird: Any) -> None:
    """A weird resource may still give facts (a half-valid one counts); it never hides others."""
    good = observation("w", SNOMED, "713514005", valueInteger=3)
    for resources in ((weird, CORD, good), (CORD, good, weird)):
        f = build_facts(hook_input(*resources, draft_orders=(weird,)))
        assert "Condition/cc" in f.cord_compression.refs
        assert "Observation/w" in f.motor_deficit.refs
        assert f.deficit_course is not Course.NONE
        assert all(": " in note for note in f.skipped)


def test_skipped_notes_never_carry_resource_content() -> None:
    secret = observation("x", SNOMED, "279039007", when="Jane Doe 1970-01-01")
    f = build_facts(hook_input(secret))
    assert "Jane" not in " ".join(f.skipped)


def _large_record(scale: int) -> Any:
    """``scale`` x 1,000 Observations and ``scale`` x 100 Conditions, most of them noise."""
    obs = [
        observation(
            f"o{i}",
            LOINC if i % 2 else SNOMED,
            "8867-4" if i % 2 else "713514005",
            when=ago(i % 40),
            valueInteger=i % 6,
        )
        for i in range(1000 * scale)
    ]
    conds = [
        condition(f"c{i}", SNOMED, "161891005" if i % 3 else "94602001", onset=ago(i % 20))
        for i in range(100 * scale)
    ]
    return hook_input(*obs, *conds)


def _python_calls(inp: Any) -> int:
    """Python function calls one :func:`build_facts` makes: a count, not a clock."""
    calls = 0

    def count(_frame: Any, event: str, _arg: Any) -> None:
        nonlocal calls
        calls += event == "call"

    sys.setprofile(count)
    try:
        build_facts(inp)
    finally:
        sys.setprofile(None)
    return calls


def test_large_record_is_read_in_one_linear_pass() -> None:
    """2,000 Observations and 200 Conditions cost twice what half of them cost, no more.

    The speed itself is measured by ``bench/run.py`` (issue 18: the large record through
    the narrowed templates), never by a clock in a test on a shared machine.
    """
    small, large = _large_record(1), _large_record(2)
    f = build_facts(large)
    assert f.motor_deficit and f.spine_mass and f.back_pain
    assert _python_calls(large) <= 2.05 * _python_calls(small)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
_element = st.sampled_from(
    [
        "id",
        "code",
        "status",
        "clinicalStatus",
        "verificationStatus",
        "onsetDateTime",
        "effectiveDateTime",
        "effectivePeriod",
        "bodySite",
        "valueInteger",
        "valueBoolean",
        "valueCodeableConcept",
        "interpretation",
        "priority",
        "occurrencePeriod",
        "performedPeriod",
        "medicationCodeableConcept",
        "type",
        "procedureCode",
        "started",
        "issued",
        "birthDate",
    ]
)
_resource = st.builds(
    lambda rtype, elements: {"resourceType": rtype, **elements},
    st.sampled_from(
        [
            "Condition",
            "Observation",
            "ServiceRequest",
            "MedicationRequest",
            "Procedure",
            "Device",
            "DiagnosticReport",
            "ImagingStudy",
            "Patient",
        ]
    ),
    st.dictionaries(_element, _json, max_size=6),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_resource | _json, max_size=5), st.lists(_resource, max_size=3))
def test_build_facts_never_raises_on_generated_garbage(
    resources: list[Any], drafts: list[Any]
) -> None:
    f = build_facts(hook_input(CORD, *resources, draft_orders=tuple(drafts)))
    assert "Condition/cc" in f.cord_compression.refs
