"""Property tests over generated patient records (hypothesis).

Whatever the record — real codes in odd combinations, missing or malformed fields, any
statuses, sides, values and dates — the logic must never raise, never fire more than one
MRI tier, never say anything to a patient without spine-mass context, and only suggest
valid FHIR R4 resources.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from cds_service import uuids
from cds_service.logic import evaluate
from cds_service.logic.extract import build_facts
from cds_service.logic.facts import Course
from cds_service.logic.inputs import HookInput
from tests.fhir_builders import CPT
from tests.fhir_builders import ICD
from tests.fhir_builders import LOINC
from tests.fhir_builders import NOW
from tests.fhir_builders import SNOMED as SCT
from tests.fhir_validation import assert_valid_r4
from tests.logic.rules_support import assert_concise

MRI_TIERS = {"mri-12h", "mri-24h", "mri-48h", "mri-1w", "mri-2w"}
# LOINC MR spine and CT myelography orderables (clinical-evidence-and-codes.md §2.4).
SPINE_IMAGING = {
    "30854-4",
    "91561-1",
    "30855-1",
    "42698-1",
    "36531-2",
    "36256-6",
    "36400-0",
    "36067-7",
    "30667-0",
    "24938-3",
    "24937-5",
    "24935-9",
    "36532-0",
    "24982-1",
    "24981-3",
    "24980-5",
    "30679-5",
    "30678-7",
    "24967-2",
    "24968-0",
    "89284-4",
    "43456-3",
    "43457-1",
    "94088-2",
    "91717-9",
    "91715-3",
    "91716-1",
    "47985-7",
    "24934-2",
    "30596-1",
    "24965-6",
    "87922-1",
    "44113-9",
    "44114-7",
    "48442-8",
}

# Codes that give spine-mass context (CLINICAL-RULES.md §1: spine mass, cancer, metastasis,
# unknown primary, cord compression).
CONTEXT_CODES = [
    (ICD, "D33.4"),
    (ICD, "D32.1"),
    (ICD, "C72.0"),
    (ICD, "C41.2"),
    (ICD, "C79.51"),
    (ICD, "C80.1"),
    (ICD, "C9000"),
    (ICD, "C85.90"),
    (ICD, "G95.20"),
    (ICD, "G9529"),
    (ICD, "G83.4"),
    (SCT, "363475005"),
    (SCT, "189167009"),
    (SCT, "94602001"),
    (SCT, "94274006"),
    (SCT, "285619009"),
    (SCT, "71286001"),
    (SCT, "192970008"),
    (SCT, "118600007"),
    (SCT, "109989006"),
    (SCT, "128462008"),
]
# Codes that never give context on their own (symptoms, devices, generic histology, ...).
OTHER_CODES = [
    (SCT, "161891005"),
    (SCT, "279039007"),
    (SCT, "279038004"),
    (ICD, "M54.50"),
    (ICD, "M546"),
    (SCT, "128196005"),
    (ICD, "M54.16"),
    (SCT, "713514005"),
    (SCT, "26544005"),
    (SCT, "60389000"),
    (SCT, "23042008"),
    (ICD, "G82.20"),
    (ICD, "R53.1"),
    (SCT, "267064002"),
    (ICD, "R33.9"),
    (SCT, "441509002"),
    (ICD, "Z95.0"),
    (SCT, "240220009"),
    (ICD, "M53.2X4"),
    (SCT, "105503008"),
    (SCT, "189948006"),
    (SCT, "443643007"),
    (SCT, "404029005"),
    (ICD, "Z92.3"),
    (ICD, "I10"),
]
OBS_CODES = [
    (LOINC, "89247-1"),
    ("http://radelement.org", "RDES21"),
    (SCT, "713514005"),
    (SCT, "26544005"),
    (SCT, "279039007"),
    (SCT, "128196005"),
    (SCT, "267064002"),
    (LOINC, "8867-4"),
]
ORDER_CODES = [
    (LOINC, "30855-1"),
    (LOINC, "24967-2"),
    (LOINC, "36531-2"),
    (LOINC, "37905-7"),
    (LOINC, "24928-4"),
    (LOINC, "47985-7"),
    (LOINC, "24986-2"),
    (CPT, "72157"),
    (CPT, "72100"),
    (SCT, "308482002"),
    (SCT, "306256000"),
]
VALUES = ("valueInteger", "valueBoolean", "valueCodeableConcept", "valueQuantity", "valueString")
SYMPTOM_CODES = [
    (SCT, "161891005"),
    (SCT, "128196005"),
    (SCT, "713514005"),
    (SCT, "60389000"),
    (ICD, "R33.9"),
    (ICD, "R32"),
    (SCT, "71286001"),
    (ICD, "G95.20"),
    (ICD, "G83.4"),
]
SIDES = [None, ("7771000", "Left"), ("24028007", "Right"), ("51440002", "Right and left")]

maybe = st.one_of(st.none(), st.just("garbage"), st.integers(), st.just({}), st.just([]))
valid_dates = st.integers(min_value=-120, max_value=0).map(
    lambda d: (NOW + timedelta(days=d)).isoformat()
)
dates = st.one_of(
    st.integers(min_value=-120, max_value=3).map(lambda d: (NOW + timedelta(days=d)).isoformat()),
    st.integers(min_value=-60, max_value=0).map(
        lambda d: (NOW + timedelta(days=d)).date().isoformat()
    ),
    maybe,
)


def _coding(pair: tuple[str, str]) -> dict[str, Any]:
    return {"coding": [{"system": pair[0], "code": pair[1]}]}


@st.composite
def conditions(draw: st.DrawFn, codes: list[tuple[str, str]]) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Condition",
        "id": draw(st.from_regex(r"c[0-9]{1,4}", fullmatch=True)),
        "subject": {"reference": "Patient/p1"},
        "code": _coding(draw(st.sampled_from(codes))),
    }
    clinical = draw(
        st.sampled_from(
            [None, "active", "recurrence", "relapse", "inactive", "resolved", "remission"]
        )
    )
    if clinical:
        res["clinicalStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": clinical,
                }
            ]
        }
    ver = draw(
        st.sampled_from(
            [
                None,
                "confirmed",
                "provisional",
                "differential",
                "unconfirmed",
                "refuted",
                "entered-in-error",
            ]
        )
    )
    if ver:
        res["verificationStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": ver,
                }
            ]
        }
    if draw(st.booleans()):
        res["onsetDateTime"] = draw(dates)
    side = draw(st.sampled_from(SIDES))
    if side:
        res["bodySite"] = [{"coding": [{"system": SCT, "code": side[0], "display": side[1]}]}]
    if draw(st.integers(0, 9)) == 0:  # malformed shapes
        res["code"] = draw(maybe)
    return res


@st.composite
def observations(draw: st.DrawFn) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Observation",
        "id": draw(st.from_regex(r"o[0-9]{1,4}", fullmatch=True)),
        "status": draw(
            st.sampled_from(
                ["final", "amended", "preliminary", "registered", "cancelled", "entered-in-error"]
            )
        ),
        "code": _coding(draw(st.sampled_from(OBS_CODES))),
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": draw(dates),
    }
    value = draw(
        st.sampled_from(["int", "bool", "present", "absent", "qty", "none", "junk", "str"])
    )
    if value == "int":
        res["valueInteger"] = draw(st.integers(-1, 20))
    elif value == "bool":
        res["valueBoolean"] = draw(st.booleans())
    elif value in ("present", "absent"):
        res["valueCodeableConcept"] = _coding(
            (SCT, "52101004" if value == "present" else "2667000")
        )
    elif value == "qty":
        res["valueQuantity"] = {"value": draw(st.floats(allow_nan=True, allow_infinity=True))}
    elif value == "junk":
        res["valueInteger"] = draw(maybe)
    elif value == "str":
        res["valueString"] = draw(st.sampled_from(["4", "4/5", "2 / 5", "5/5", "weak", "", "9"]))
    if draw(st.integers(0, 5)) == 0:  # the deficit recorded in a component instead
        res["component"] = [
            {"code": res.pop("code"), **{k: res.pop(k) for k in VALUES if k in res}}
        ]
        res["code"] = {"text": "Muscle strength"}
    if draw(st.integers(0, 4)) == 0:
        res["interpretation"] = [
            _coding(("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "W"))
        ]
    side = draw(st.sampled_from(SIDES))
    if side:
        res["bodySite"] = {"coding": [{"system": SCT, "code": side[0]}]}
    return res


@st.composite
def orders(draw: st.DrawFn, rid: str, *, draft: bool = False) -> dict[str, Any]:
    """A ServiceRequest; drafts come from the EHR's own order entry, so their dates are valid
    (an ``update`` suggestion echoes the draft, it does not repair it)."""
    return {
        "resourceType": "ServiceRequest",
        "id": rid,
        "status": draw(st.sampled_from(["draft", "active", "on-hold", "completed", "revoked"])),
        "intent": draw(st.sampled_from(["order", "plan"])),
        "priority": draw(st.sampled_from([None, "routine", "urgent", "asap", "stat", "bogus"])),
        "code": _coding(draw(st.sampled_from(ORDER_CODES))),
        "subject": {"reference": "Patient/p1"},
        "authoredOn": draw(valid_dates if draft else dates),
    }


@st.composite
def hook_inputs(draw: st.DrawFn, with_context: bool) -> HookInput:
    codes = CONTEXT_CODES + OTHER_CODES if with_context else OTHER_CODES
    resources: list[dict[str, Any]] = [
        {
            "resourceType": "Patient",
            "id": "p1",
            "birthDate": draw(st.sampled_from(["1950-01-01", "1990-06-30", "bad", None])),
        }
    ]
    resources += draw(st.lists(conditions(codes), max_size=8))
    resources += draw(st.lists(observations(), max_size=8))
    resources += draw(st.lists(orders("r0"), max_size=2))
    resources += (
        [{"resourceType": "Device", "id": "d1", "type": _coding((SCT, "424921004"))}]
        if draw(st.booleans())
        else []
    )
    hook = draw(st.sampled_from(["patient-view", "order-select", "order-sign"]))
    drafts = (
        [draw(orders(f"dr{i}", draft=True)) for i in range(draw(st.integers(0, 3)))]
        if hook != "patient-view"
        else []
    )
    selections = (
        tuple(f"ServiceRequest/{d['id']}" for d in drafts if draw(st.booleans()))
        if hook == "order-select"
        else ()
    )
    return HookInput(
        hook=hook,
        patient_id="p1",
        now=NOW,
        resources=tuple(resources),
        draft_orders=tuple(drafts),
        selections=selections,
        profile=draw(st.sampled_from(["dutch", "nice"])),
    )


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(hook_inputs(with_context=True))
def test_any_record_gives_conformant_cards(inp: HookInput) -> None:
    cards = [c.to_json() for c in evaluate(inp, new_uuid=uuids.new_uuid).cards]
    topics = [c["source"]["topic"]["code"] for c in cards]
    assert len([t for t in topics if t in MRI_TIERS]) <= 1, topics
    imaging_creates = 0
    for card in cards:
        assert_concise(card)
        assert len(card["summary"]) < 140
        assert card["indicator"] in ("info", "warning", "critical")
        assert ("suggestions" in card) == ("selectionBehavior" in card)
        assert all(r.get("display") for r in card.get("overrideReasons", []))
        for suggestion in card.get("suggestions", []):
            for action in suggestion.get("actions", []):
                assert action["description"]
                if action["type"] == "delete":
                    assert "resource" not in action and action["resourceId"]
                    continue
                resource = action["resource"]
                assert_valid_r4(resource)
                assert resource["subject"]["reference"] == "Patient/p1"
                if action["type"] == "create":
                    assert resource["status"] == "draft"
                    codes = {c.get("code") for c in resource.get("code", {}).get("coding", [])}
                    imaging_creates += bool(codes & SPINE_IMAGING)
    # Never a second MRI (or CT myelography) order in one response.
    assert imaging_creates <= 1, topics


@PROPERTY_SETTINGS
@given(hook_inputs(with_context=False))
def test_no_card_without_spine_mass_context(inp: HookInput) -> None:
    assert evaluate(inp, new_uuid=uuids.new_uuid).cards == ()


def _topics(inp: HookInput) -> list[str]:
    return sorted(c.topic for c in evaluate(inp, new_uuid=uuids.new_uuid).cards)


def _with(inp: HookInput, *extra: dict[str, Any]) -> HookInput:
    return replace(inp, resources=inp.resources + extra)


@PROPERTY_SETTINGS
@given(hook_inputs(with_context=True), st.sampled_from(["weak", "4+", "3.5", "", "9/5", "MRC"]))
def test_adding_an_unreadable_grade_never_makes_a_course_stable(inp: HookInput, text: str) -> None:
    unreadable = {
        "resourceType": "Observation",
        "id": "o-unreadable",
        "status": "final",
        "code": _coding((SCT, "713514005")),
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": NOW.isoformat(),
        "valueString": text,
    }
    facts = build_facts(_with(inp, unreadable))
    assert facts.deficit_course is not Course.STABLE
    assert facts.deficit_course.counts_as_progressive


@PROPERTY_SETTINGS
@given(
    hook_inputs(with_context=True),
    st.sampled_from(SYMPTOM_CODES),
    st.integers(min_value=91, max_value=4000),
    st.booleans(),
)
def test_adding_a_symptom_condition_older_than_90_days_never_adds_a_card(
    inp: HookInput, code: tuple[str, str], days: int, recorded_only: bool
) -> None:
    old = {
        "resourceType": "Condition",
        "id": "c-old-symptom",
        "subject": {"reference": "Patient/p1"},
        "code": _coding(code),
        ("recordedDate" if recorded_only else "onsetDateTime"): (
            NOW - timedelta(days=days)
        ).isoformat(),
    }
    assert _topics(_with(inp, old)) == _topics(inp)


@PROPERTY_SETTINGS
@given(hook_inputs(with_context=True), st.sampled_from([(ICD, "R53.1"), (ICD, "M62.81")]))
def test_adding_generalised_weakness_never_adds_a_card(
    inp: HookInput, code: tuple[str, str]
) -> None:
    weak = {
        "resourceType": "Condition",
        "id": "c-weakness",
        "subject": {"reference": "Patient/p1"},
        "code": _coding(code),
        "onsetDateTime": NOW.isoformat(),
    }
    assert _topics(_with(inp, weak)) == _topics(inp)


@PROPERTY_SETTINGS
@given(hook_inputs(with_context=True), st.sampled_from(ORDER_CODES))
def test_an_on_hold_order_never_silences_a_card(inp: HookInput, code: tuple[str, str]) -> None:
    held = {
        "resourceType": "ServiceRequest",
        "id": "r-held",
        "status": "on-hold",
        "intent": "order",
        "priority": "stat",
        "code": _coding(code),
        "subject": {"reference": "Patient/p1"},
        "authoredOn": NOW.isoformat(),
    }
    assert set(_topics(inp)) <= set(_topics(_with(inp, held)))


@PROPERTY_SETTINGS
@given(hook_inputs(with_context=True), st.sampled_from([(ICD, "C44.91"), (ICD, "C4401")]))
def test_adding_non_melanoma_skin_cancer_never_adds_a_card(
    inp: HookInput, code: tuple[str, str]
) -> None:
    skin = {
        "resourceType": "Condition",
        "id": "c-skin",
        "subject": {"reference": "Patient/p1"},
        "code": _coding(code),
    }
    assert _topics(_with(inp, skin)) == _topics(inp)
