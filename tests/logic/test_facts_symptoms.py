"""Symptoms, laterality, deficit onset and course, ambulatory status, regions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cds_service.logic.extract import build_facts
from cds_service.logic.facts import Ambulatory
from cds_service.logic.facts import Course
from cds_service.logic.facts import Facts
from cds_service.logic.facts import Region
from cds_service.logic.facts import Side
from tests.fhir_builders import BOTH
from tests.fhir_builders import ICD
from tests.fhir_builders import LEFT
from tests.fhir_builders import LOINC
from tests.fhir_builders import NOW
from tests.fhir_builders import RIGHT
from tests.fhir_builders import SNOMED
from tests.fhir_builders import ago
from tests.fhir_builders import cc
from tests.fhir_builders import condition
from tests.fhir_builders import hook_input
from tests.fhir_builders import observation
from tests.fhir_builders import site

WEAK_LEG = "713514005"


def facts(*resources: Any) -> Facts:
    return build_facts(hook_input(*resources))


def test_observation_29_days_old_is_current_31_is_history() -> None:
    assert facts(observation("o", SNOMED, "279039007", when=ago(29))).back_pain
    assert not facts(observation("o", SNOMED, "279039007", when=ago(31))).back_pain


@pytest.mark.parametrize("status", ["final", "amended", "corrected", "preliminary"])
def test_current_observation_statuses(status: str) -> None:
    assert facts(observation("o", SNOMED, "267064002", status=status)).sphincter_dysfunction


@pytest.mark.parametrize("status", ["registered", "cancelled", "entered-in-error"])
def test_other_observation_statuses_do_not_count(status: str) -> None:
    assert not facts(observation("o", SNOMED, "267064002", status=status)).sphincter_dysfunction


@pytest.mark.parametrize(
    ("fact", "system", "code"),
    [
        ("back_pain", ICD, "M54.50"),
        ("back_pain", ICD, "M54.5"),
        ("back_pain", SNOMED, "161891005"),
        ("radicular_pain", ICD, "M54.16"),
        ("radicular_pain", SNOMED, "111236008"),
        ("motor_deficit", ICD, "R26.2"),
        ("motor_deficit", SNOMED, WEAK_LEG),
        ("sphincter_dysfunction", ICD, "N31.9"),
        ("sphincter_dysfunction", SNOMED, "72042002"),
    ],
)
def test_symptom_conditions(fact: str, system: str, code: str) -> None:
    f = facts(condition("s", system, code))
    assert getattr(f, fact).refs == ("Condition/s",)
    assert f.symptomatic


@pytest.mark.parametrize(
    "value",
    [{"valueBoolean": False}, {"valueCodeableConcept": cc(SNOMED, "2667000", "Absent")}],
)
def test_symptom_recorded_absent_is_not_evidence(value: dict[str, Any]) -> None:
    assert not facts(observation("o", SNOMED, "279039007", **value)).back_pain


@pytest.mark.parametrize(
    ("value", "present"),
    [
        ({}, True),
        ({"valueBoolean": True}, True),
        ({"valueBoolean": False}, False),
        ({"valueCodeableConcept": cc(SNOMED, "52101004", "Present")}, True),
        ({"valueCodeableConcept": cc(SNOMED, "2667000", "Absent")}, False),
        ({"valueInteger": 0}, True),
        ({"valueInteger": 4}, True),
        ({"valueInteger": 5}, False),
        ({"valueString": "weak"}, True),  # unknown value never reads as normal
    ],
)
def test_deficit_observation_values(value: dict[str, Any], present: bool) -> None:
    f = facts(observation("o", SNOMED, WEAK_LEG, **value))
    assert bool(f.motor_deficit) is present
    assert (f.deficit_course is Course.NONE) is not present


def test_deficit_observation_with_impossible_mrc_grade_is_present_with_unknown_course() -> None:
    f = facts(
        observation("o1", SNOMED, WEAK_LEG, when=ago(5), valueInteger=4),
        observation("o2", SNOMED, WEAK_LEG, when=ago(1), valueInteger=9),
    )
    assert f.motor_deficit.refs == ("Observation/o1", "Observation/o2")
    assert f.deficit_course is Course.UNKNOWN  # an unreadable grade never reads as stable


def test_left_and_right_across_resources_is_bilateral() -> None:
    f = facts(
        condition("rl", SNOMED, "128196005", body_site=[site(LEFT)]),
        observation("wr", SNOMED, WEAK_LEG, valueInteger=4, body_site=site(RIGHT)),
    )
    assert set(f.bilateral.refs) == {"Condition/rl", "Observation/wr"}


def test_bilateral_coded_side() -> None:
    f = facts(condition("r", SNOMED, "128196005", body_site=[site(BOTH)]))
    assert f.radicular_pain.evidence[0].side is Side.BILATERAL
    assert f.bilateral.refs == ("Condition/r",)


def test_left_and_right_in_one_body_site_is_bilateral() -> None:
    f = facts(condition("r", SNOMED, "128196005", body_site=[site(LEFT), site(RIGHT)]))
    assert f.radicular_pain.evidence[0].side is Side.BILATERAL


def test_no_side_coded_is_unilateral() -> None:
    f = facts(condition("r", SNOMED, "128196005"), condition("w", SNOMED, WEAK_LEG))
    assert not f.bilateral
    assert f.radicular_pain.evidence[0].side is None


def test_one_side_only_is_unilateral() -> None:
    f = facts(
        condition("r", SNOMED, "128196005", body_site=[site(LEFT)]),
        condition("w", SNOMED, WEAK_LEG, body_site=[site(LEFT)]),
    )
    assert not f.bilateral


@pytest.mark.parametrize(
    ("system", "code"), [(SNOMED, "60389000"), (SNOMED, "23042008"), (ICD, "G82.22")]
)
def test_paraparesis_is_bilateral_by_nature(system: str, code: str) -> None:
    f = facts(condition("p", system, code))
    assert f.paraparesis.refs == ("Condition/p",)
    assert f.motor_deficit and f.bilateral.refs == ("Condition/p",)


def test_cauda_equina_is_bilateral_by_nature() -> None:
    f = facts(condition("ce", SNOMED, "192970008"))
    assert "cauda-equina" in f.cord_compression.evidence[0].tags
    assert f.bilateral.refs == ("Condition/ce",)


def test_deficit_onset_from_condition() -> None:
    f = facts(
        condition("w", SNOMED, WEAK_LEG, onset=ago(6)),
        condition("w2", ICD, "R53.1", onset=ago(8)),  # generalised weakness: not a deficit
        observation("o", SNOMED, WEAK_LEG, when=ago(20), valueInteger=3),
    )
    assert f.deficit_onset == NOW - timedelta(days=6)


def test_deficit_onset_6_days_ago() -> None:
    f = facts(condition("w", SNOMED, WEAK_LEG, onset=ago(6)))
    assert f.deficit_onset is not None and NOW - f.deficit_onset < timedelta(days=7)


def test_deficit_onset_unknown_without_dates() -> None:
    assert facts(condition("w", SNOMED, WEAK_LEG)).deficit_onset is None
    assert facts().deficit_onset is None


def test_deficit_onset_from_earliest_present_observation_not_an_absent_one() -> None:
    f = facts(
        observation("a", SNOMED, WEAK_LEG, when=ago(10), valueInteger=5),
        observation("p", SNOMED, WEAK_LEG, when=ago(4), valueInteger=4),
        observation("q", SNOMED, WEAK_LEG, when=ago(2), valueBoolean=True),
    )
    assert f.deficit_onset == NOW - timedelta(days=4)


def test_single_deficit_observation_course_unknown() -> None:
    f = facts(observation("o", SNOMED, WEAK_LEG, valueInteger=3))
    assert f.deficit_course is Course.UNKNOWN
    assert f.deficit_course.counts_as_progressive


def test_deficit_condition_without_observations_course_unknown() -> None:
    assert facts(condition("w", SNOMED, WEAK_LEG)).deficit_course is Course.UNKNOWN


def test_stable_serial_strength() -> None:
    f = facts(
        observation("o1", SNOMED, WEAK_LEG, when=ago(10), valueInteger=3),
        observation("o2", SNOMED, WEAK_LEG, when=ago(5), valueInteger=3),
        observation("o3", SNOMED, WEAK_LEG, when=ago(1), valueInteger=4),
    )
    assert f.deficit_course is Course.STABLE


def test_worsening_serial_strength_is_progressive_whatever_the_record_order() -> None:
    f = facts(
        observation("late", SNOMED, WEAK_LEG, when=ago(1), valueInteger=2),
        observation("early", SNOMED, WEAK_LEG, when=ago(9), valueInteger=4),
    )
    assert f.deficit_course is Course.PROGRESSIVE


def test_absent_then_present_is_progressive() -> None:
    f = facts(
        observation("a", SNOMED, WEAK_LEG, when=ago(9), valueBoolean=False),
        observation("p", SNOMED, WEAK_LEG, when=ago(1), valueBoolean=True),
    )
    assert f.deficit_course is Course.PROGRESSIVE


def test_interpretation_worse_is_progressive() -> None:
    f = facts(observation("o", SNOMED, WEAK_LEG, valueInteger=4, interpretation="W"))
    assert f.deficit_course is Course.PROGRESSIVE


def test_no_deficit_means_no_course_even_with_absent_observations() -> None:
    f = facts(
        observation("a", SNOMED, WEAK_LEG, when=ago(9), valueInteger=5),
        observation("b", SNOMED, WEAK_LEG, when=ago(1), valueInteger=5),
    )
    assert f.deficit_course is Course.NONE


@pytest.mark.parametrize(
    ("score", "status"),
    [(0, Ambulatory.AMBULATORY), (3, Ambulatory.AMBULATORY), (4, Ambulatory.NOT_AMBULATORY)],
)
def test_ecog(score: int, status: Ambulatory) -> None:
    f = facts(observation("e", LOINC, "89247-1", valueInteger=score))
    assert f.ambulatory is status
    assert f.ambulatory_evidence.refs == ("Observation/e",)


def test_newest_ecog_wins() -> None:
    f = facts(
        observation("new", LOINC, "89247-1", when=ago(1), valueInteger=4),
        observation("old", LOINC, "89247-1", when=ago(10), valueInteger=1),
    )
    assert f.ambulatory is Ambulatory.NOT_AMBULATORY
    assert f.ambulatory_evidence.refs == ("Observation/new",)


@pytest.mark.parametrize(("system", "code"), [(SNOMED, "105503008"), (ICD, "Z99.3")])
def test_wheelchair_dependence_is_not_ambulatory(system: str, code: str) -> None:
    f = facts(condition("wc", system, code), observation("e", LOINC, "89247-1", valueInteger=1))
    assert f.ambulatory is Ambulatory.NOT_AMBULATORY
    assert f.ambulatory_evidence.refs == ("Condition/wc",)


def test_ambulatory_unknown_without_data() -> None:
    f = facts(observation("e", LOINC, "89247-1", when=ago(45), valueInteger=1))
    assert f.ambulatory is Ambulatory.UNKNOWN
    assert not f.ambulatory_evidence


def test_symptom_regions_from_codes_and_body_site_text() -> None:
    f = facts(
        condition("lbp", SNOMED, "279039007"),
        condition("rad", ICD, "M54.12"),
        condition("w", SNOMED, WEAK_LEG, body_site=[{"text": "Thoracic level T6"}]),
    )
    assert f.symptom_regions == frozenset({Region.LUMBAR, Region.CERVICAL, Region.THORACIC})


def test_no_region_when_symptoms_do_not_name_one() -> None:
    assert facts(condition("bp", SNOMED, "161891005")).symptom_regions == frozenset()
