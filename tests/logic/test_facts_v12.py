"""Facts that CLINICAL-RULES.md 1.2 defines on realistic records (issue 14)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cds_service.logic import evaluate
from cds_service.logic.extract import build_facts
from cds_service.logic.facts import Certainty
from cds_service.logic.facts import Course
from cds_service.logic.facts import Facts
from cds_service.logic.facts import OrderKind
from tests.fhir_builders import ICD
from tests.fhir_builders import LOINC
from tests.fhir_builders import PATIENT
from tests.fhir_builders import RIGHT
from tests.fhir_builders import RXNORM
from tests.fhir_builders import SNOMED
from tests.fhir_builders import ago
from tests.fhir_builders import cc
from tests.fhir_builders import condition
from tests.fhir_builders import device
from tests.fhir_builders import diagnostic_report
from tests.fhir_builders import hook_input
from tests.fhir_builders import observation
from tests.fhir_builders import service_request
from tests.fhir_builders import site
from tests.logic.rules_support import assert_concise

WEAK_LEG = "713514005"
CANCER = condition("ca", ICD, "C72.0", onset=ago(90))
SPINAL = [{"text": "Thoracic vertebra T8"}]


def facts(*resources: Any, **kw: Any) -> Facts:
    return build_facts(hook_input(*resources, **kw))


def grade(rid: str, days: float, **value: Any) -> dict[str, Any]:
    return observation(rid, SNOMED, WEAK_LEG, when=ago(days), body_site=site(RIGHT), **value)


class TestMrcGrades:
    @pytest.mark.parametrize(
        ("first", "second", "course"),
        [
            ({"valueString": "4/5"}, {"valueString": "2 / 5"}, Course.PROGRESSIVE),
            (
                {"valueQuantity": {"value": 4}},
                {"valueQuantity": {"value": 2.0}},
                Course.PROGRESSIVE,
            ),
            ({"valueString": "4"}, {"valueString": "4 / 5"}, Course.STABLE),
            ({"valueInteger": 4}, {"valueQuantity": {"value": 3.5}}, Course.UNKNOWN),
            ({"valueInteger": 4}, {"valueString": "weak"}, Course.UNKNOWN),
            ({"valueInteger": 4}, {"valueInteger": 9}, Course.UNKNOWN),
            ({"valueInteger": 4}, {"valueQuantity": {"value": float("inf")}}, Course.UNKNOWN),
            ({"valueInteger": 4}, {"valueQuantity": {"value": float("nan")}}, Course.UNKNOWN),
        ],
    )
    def test_grades_in_any_value_type(self, first: Any, second: Any, course: Course) -> None:
        f = facts(grade("o1", 10, **first), grade("o2", 2, **second))
        assert f.motor_deficit and f.deficit_course is course

    def test_a_component_is_read_like_an_observation_of_its_parent(self) -> None:
        def panel(rid: str, days: float, value: int) -> dict[str, Any]:
            res = observation(rid, SNOMED, WEAK_LEG, when=ago(days))
            res["code"] = {"text": "MRC strength"}
            res["component"] = [{"code": cc(SNOMED, WEAK_LEG), "valueInteger": value}]
            return res

        f = facts(panel("p1", 10, 4), panel("p2", 2, 2))
        assert f.motor_deficit.refs == ("Observation/p1", "Observation/p2")
        assert f.deficit_course is Course.PROGRESSIVE

    def test_one_readable_stable_series_and_one_ungraded_is_unknown(self) -> None:
        left = observation(
            "l", SNOMED, WEAK_LEG, when=ago(1), valueCodeableConcept=cc(SNOMED, "52101004")
        )
        f = facts(grade("o1", 10, valueInteger=4), grade("o2", 2, valueInteger=4), left)
        assert f.deficit_course is Course.UNKNOWN


class TestCurrency:
    @pytest.mark.parametrize("days", [91, 900])
    def test_a_symptom_condition_older_than_90_days_is_history(self, days: int) -> None:
        f = facts(CANCER, condition("cc", ICD, "G95.20", onset=ago(days)))
        assert not f.cord_compression

    def test_without_onset_the_recorded_date_dates_a_symptom(self) -> None:
        old = condition("bp", SNOMED, "161891005")
        old["recordedDate"] = ago(200)
        recent = condition("bp2", SNOMED, "161891005")
        recent["recordedDate"] = ago(10)
        assert facts(CANCER, old).back_pain.refs == ()
        assert facts(CANCER, recent).back_pain.refs == ("Condition/bp2",)

    def test_an_abated_symptom_is_not_current_but_a_malignancy_in_remission_counts(self) -> None:
        pain = condition("bp", SNOMED, "161891005", onset=ago(5))
        pain["abatementDateTime"] = ago(1)
        breast = condition("br", ICD, "C50.911", clinical="remission", onset=ago(900))
        breast["abatementDateTime"] = ago(400)
        f = facts(breast, pain)
        assert not f.back_pain
        assert f.cancer.refs == ("Condition/br",) and f.confirmed_primary.refs == ("Condition/br",)

    def test_z85_history_is_cancer_and_a_confirmed_primary_c44_is_not_cancer(self) -> None:
        f = facts(
            condition("hx", ICD, "Z85.3", clinical="inactive"), condition("bcc", ICD, "C44.91")
        )
        assert f.cancer.refs == ("Condition/hx",) and f.confirmed_primary.refs == ("Condition/hx",)
        assert not facts(condition("bcc", ICD, "C4491")).context

    def test_generalised_weakness_is_no_deficit_and_r32_is_sphincter_dysfunction(self) -> None:
        f = facts(CANCER, condition("w", ICD, "R53.1", onset=ago(1)), condition("u", ICD, "R32"))
        assert not f.motor_deficit and f.sphincter_dysfunction.refs == ("Condition/u",)


class TestSpineMass:
    def test_bone_metastasis_at_a_spinal_site_is_a_vertebral_spine_mass(self) -> None:
        sited = facts(condition("bm", SNOMED, "94222008", body_site=SPINAL))
        assert sited.spine_mass.refs == ("Condition/bm",)
        assert sited.vertebral_malignancy.refs == ("Condition/bm",)
        bare = facts(condition("bm", ICD, "C79.51"))
        assert not bare.spine_mass and not bare.vertebral_malignancy and bare.metastatic_suspicion

    def test_compression_with_cancer_is_presumed_mscc_a_suspected_spine_mass(self) -> None:
        f = facts(condition("br", ICD, "C50.911"), condition("cc", ICD, "G95.29", onset=ago(1)))
        assert f.mscc.refs == ("Condition/cc",)
        assert f.spine_mass.refs == ("Condition/cc",) and f.spine_mass.suspected_only
        assert f.vertebral_malignancy.refs == ("Condition/cc",)
        assert not facts(condition("cc", ICD, "G95.29", onset=ago(1))).mscc, "needs cancer"

    def test_intradural_suspected(self) -> None:
        secondary = facts(condition("m", ICD, "C79.49", body_site=[{"text": "Spinal cord"}]))
        assert secondary.spine_mass and secondary.intradural_suspected.refs == ("Condition/m",)
        vertebral = facts(condition("v", SNOMED, "94602001"))
        assert vertebral.spine_mass and not vertebral.intradural_suspected
        cord = facts(condition("c", ICD, "C72.0", verification="provisional"))
        assert cord.intradural_suspected.evidence[0].certainty is Certainty.SUSPECTED


class TestMriDone:
    WHOLE = "30854-4"

    def test_under_metastatic_suspicion_only_a_whole_spine_mri_counts(self) -> None:
        weak = condition("w", SNOMED, WEAK_LEG, onset=ago(4))
        lumbar = diagnostic_report("mr", "30679-5", effectiveDateTime=ago(1))
        whole = diagnostic_report("mr", self.WHOLE, effectiveDateTime=ago(1))
        assert not facts(CANCER, weak, lumbar).mri_done
        assert facts(CANCER, weak, whole).mri_done
        assert facts(condition("s", SNOMED, "189167009"), weak, lumbar).mri_done, "no cancer"

    def test_every_current_symptom_onset_counts_and_unknown_means_14_days(self) -> None:
        mri = diagnostic_report("mr", self.WHOLE, effectiveDateTime=ago(20))
        pain = condition("bp", SNOMED, "161891005", onset=ago(30))
        assert facts(CANCER, pain, mri).mri_done
        new = condition("w", SNOMED, WEAK_LEG)  # no onset: unknown
        assert not facts(CANCER, pain, new, mri).mri_done

    def test_a_compression_recorded_within_72_hours_was_diagnosed_by_the_mri(self) -> None:
        mri = diagnostic_report("mr", self.WHOLE, effectiveDateTime=ago(3))
        found = condition("cc", SNOMED, "71286001")
        found["recordedDate"] = ago(1)  # no onset: its recording date, 48 h after the MRI
        assert facts(CANCER, found, mri).mri_done
        weeks_ago = diagnostic_report("mr", self.WHOLE, effectiveDateTime=ago(20))
        found_then = condition("cc", SNOMED, "71286001", onset=ago(19))
        assert facts(CANCER, found_then, weeks_ago).mri_done, "the diagnosing MRI stays valid"
        earlier = diagnostic_report("mr", self.WHOLE, effectiveDateTime=ago(5))
        new = condition("cc", SNOMED, "71286001", onset=ago(1))
        assert not facts(CANCER, new, earlier).mri_done, "96 h later: a new event"


class TestOrders:
    def test_a_record_mri_authored_before_the_symptom_onset_is_stale(self) -> None:
        old = service_request("sr", LOINC, "30855-1", priority="stat", authoredOn=ago(200))
        f = facts(CANCER, condition("u", ICD, "R33.9", onset=ago(2)), old)
        assert not f.pending(OrderKind.MRI_SPINE)
        assert [o.ref for o in f.blocked(OrderKind.MRI_SPINE)] == ["ServiceRequest/sr"]
        undated = service_request("sr", LOINC, "30855-1", priority="stat")
        assert facts(CANCER, condition("u", ICD, "R33.9", onset=ago(2)), undated).pending(
            OrderKind.MRI_SPINE
        ), "an order without authoredOn is never stale"

    @pytest.mark.parametrize(
        ("resource_type", "status", "dated", "active"),
        [
            ("MedicationAdministration", "completed", {"effectiveDateTime": ago(hours=12)}, True),
            (
                "MedicationAdministration",
                "in-progress",
                {"effectivePeriod": {"start": ago(3)}},
                True,
            ),
            ("MedicationAdministration", "completed", {"effectiveDateTime": ago(3)}, False),
            ("MedicationStatement", "active", {"dateAsserted": ago(hours=2)}, True),
            (
                "MedicationStatement",
                "active",
                {"effectivePeriod": {"start": ago(9), "end": ago(5)}},
                False,
            ),
            ("MedicationStatement", "completed", {"dateAsserted": ago(hours=2)}, False),
            ("MedicationStatement", "active", {}, False),
        ],
    )
    def test_dexamethasone_given_or_taken_within_24_hours_is_active(
        self, resource_type: str, status: str, dated: dict[str, Any], active: bool
    ) -> None:
        res = {
            "resourceType": resource_type,
            "id": "m",
            "status": status,
            "subject": {"reference": f"Patient/{PATIENT}"},
            "medicationCodeableConcept": cc(RXNORM, "197582"),
            **dated,
        }
        assert bool(facts(res).pending(OrderKind.DEXAMETHASONE)) is active


def test_selected_mri_order_with_a_pacemaker_gets_the_contraindication_card() -> None:
    draft = service_request("d", LOINC, "30854-4", status="draft", priority="stat")
    inp = hook_input(
        CANCER,
        device("pm", "424921004"),
        draft_orders=(draft,),
        selections=("ServiceRequest/d",),
        hook="order-select",
    )
    cards = [c.to_json() for c in evaluate(inp, new_uuid=lambda: "u").cards]
    (card,) = [c for c in cards if c["source"]["topic"]["code"] == "mri-contraindicated"]
    assert "suggestions" not in card
    assert "MR-conditional" in card["detail"] and "`ServiceRequest/d`" in card["detail"]
    assert "Permanent cardiac pacemaker" in card["detail"]


def test_a_long_record_keeps_every_detail_within_1200_characters() -> None:
    """Many resources and unobtainable records: the why list is cut, never the advice."""
    grades = [grade(f"o{i}", 20 - i * 0.5, valueInteger=4) for i in range(30)]
    inp = replace(
        hook_input(CANCER, condition("cc", SNOMED, "71286001", onset=ago(1)), *grades),
        unavailable=(
            "Observations (strength grades and their course, ECOG, SINS, symptoms recorded as "
            "observations)",
            "MedicationRequests (an active dexamethasone order)",
            "Devices (pacemaker or defibrillator: MRI contraindication)",
        ),
    )
    cards = [c.to_json() for c in evaluate(inp, new_uuid=lambda: "u").cards]
    assert cards
    for card in cards:
        assert_concise(card)
        assert "**Not checked**" in card["detail"]
    assert any("more in the record" in c["detail"] for c in cards)
