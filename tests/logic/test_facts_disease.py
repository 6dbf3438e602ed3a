"""Disease and context facts from Conditions (CLINICAL-RULES.md §1)."""

from __future__ import annotations

import pytest

from cds_service.logic.extract import build_facts
from cds_service.logic.facts import Certainty
from cds_service.logic.facts import Facts
from tests.fhir_builders import ICD
from tests.fhir_builders import RADELEMENT
from tests.fhir_builders import SNOMED
from tests.fhir_builders import ago
from tests.fhir_builders import condition
from tests.fhir_builders import hook_input
from tests.fhir_builders import observation
from tests.fhir_builders import patient
from tests.fhir_builders import procedure


def facts(*resources: object) -> Facts:
    return build_facts(hook_input(*resources))


@pytest.mark.parametrize(
    ("system", "code"), [(ICD, "G95.20"), (ICD, "G9520"), (ICD, "g95.29"), (SNOMED, "71286001")]
)
def test_cord_compression_from_icd_with_or_without_dot_or_snomed(system: str, code: str) -> None:
    f = facts(condition("cc", system, code))
    assert f.cord_compression.refs == ("Condition/cc",)
    assert f.context


def test_evidence_label_names_display_system_and_code() -> None:
    f = facts(condition("cc", SNOMED, "71286001"))
    assert f.cord_compression.evidence[0].label == "Spinal cord compression (SNOMED CT 71286001)"


def test_label_prefers_the_display_the_record_carries() -> None:
    f = facts(condition("cc", ICD, "G95.20", display="Cord compression NOS"))
    assert f.cord_compression.evidence[0].label == "Cord compression NOS (ICD-10-CM G95.20)"


@pytest.mark.parametrize("verification", ["refuted", "entered-in-error"])
def test_refuted_or_entered_in_error_never_count(verification: str) -> None:
    f = facts(condition("cc", SNOMED, "71286001", verification=verification))
    assert not f.cord_compression
    assert not f.context


@pytest.mark.parametrize("clinical", ["resolved", "inactive", "remission"])
def test_resolved_or_inactive_conditions_do_not_count(clinical: str) -> None:
    assert not facts(condition("cc", SNOMED, "71286001", clinical=clinical)).cord_compression


@pytest.mark.parametrize("clinical", ["active", "recurrence", "relapse", None])
def test_active_recurrent_or_unstated_clinical_status_counts(clinical: str | None) -> None:
    assert facts(condition("cc", SNOMED, "71286001", clinical=clinical)).cord_compression


@pytest.mark.parametrize(
    ("verification", "certainty"),
    [
        ("confirmed", Certainty.CONFIRMED),
        (None, Certainty.CONFIRMED),
        ("provisional", Certainty.SUSPECTED),
        ("differential", Certainty.SUSPECTED),
        ("unconfirmed", Certainty.SUSPECTED),
    ],
)
def test_verification_status_sets_certainty(verification: str | None, certainty: Certainty) -> None:
    f = facts(condition("cc", SNOMED, "71286001", verification=verification))
    assert f.cord_compression.evidence[0].certainty is certainty


def test_onset_becomes_evidence_when() -> None:
    f = facts(condition("cc", SNOMED, "71286001", onset="2026-11-20"))
    assert f.cord_compression.evidence[0].when is not None
    assert f.cord_compression.evidence[0].when.isoformat() == "2026-11-20T00:00:00+00:00"


def test_vertebral_metastasis_is_spine_mass_metastasis_and_vertebral() -> None:
    f = facts(condition("m", SNOMED, "94602001"))
    ev = f.spine_mass.evidence[0]
    assert {"malignant", "metastasis", "vertebral"} <= ev.tags
    assert f.vertebral_malignancy and f.metastatic_suspicion and f.cancer
    assert f.metastasis_or_unknown_primary
    assert not f.confirmed_primary


def test_unknown_primary_is_tagged_and_not_a_confirmed_primary() -> None:
    f = facts(condition("u", SNOMED, "285619009"))
    assert "unknown-primary" in f.spine_mass.evidence[0].tags
    assert f.metastasis_or_unknown_primary and not f.confirmed_primary
    icd = facts(condition("u", ICD, "C80.1"))
    assert icd.metastasis_or_unknown_primary and icd.metastatic_suspicion
    assert not icd.spine_mass and not icd.confirmed_primary


def test_suspected_cancer_is_cancer_but_not_a_confirmed_primary() -> None:
    f = facts(condition("ca", ICD, "C50.911", verification="provisional"))
    assert f.cancer.suspected_only
    assert "primary" in f.cancer.evidence[0].tags
    assert not f.confirmed_primary
    assert f.metastatic_suspicion


def test_confirmed_primary_cancer() -> None:
    f = facts(condition("ca", ICD, "C34.90"))
    assert f.confirmed_primary.refs == ("Condition/ca",)


def test_bone_metastasis_is_cancer_and_metastasis_but_not_primary() -> None:
    f = facts(condition("bm", ICD, "C79.51"))
    assert f.cancer and f.metastasis_or_unknown_primary
    assert "metastasis" in f.cancer.evidence[0].tags and "primary" not in f.cancer.evidence[0].tags
    assert not f.confirmed_primary
    assert not f.spine_mass  # bone, not spine


def test_primary_malignant_vertebral_tumour_is_its_own_confirmed_primary() -> None:
    f = facts(condition("c", ICD, "C41.2"))
    assert f.spine_mass and f.vertebral_malignancy and f.confirmed_primary


@pytest.mark.parametrize("code", ["189948006", "443643007", "404029005"])
def test_generic_histology_alone_is_not_a_spine_mass(code: str) -> None:
    assert not facts(condition("h", SNOMED, code)).spine_mass


@pytest.mark.parametrize(
    "body_site",
    [
        {"coding": [{"display": "Structure of lumbar spine"}]},
        {"text": "Cauda Equina"},
        {"text": "L5 nerve root"},
        {"text": "thoracic vertebra T8"},
    ],
)
def test_generic_histology_with_spinal_body_site_is_a_benign_intradural_mass(
    body_site: dict,
) -> None:
    f = facts(condition("h", SNOMED, "189948006", body_site=[body_site]))
    assert f.spine_mass.refs == ("Condition/h",)
    assert f.benign_intradural.refs == ("Condition/h",)


def test_generic_histology_counts_with_another_spine_mass_condition() -> None:
    f = facts(condition("h", SNOMED, "443643007"), condition("d", ICD, "D33.4"))
    assert set(f.spine_mass.refs) == {"Condition/h", "Condition/d"}


def test_generic_histology_with_non_spinal_site_does_not_count() -> None:
    f = facts(condition("h", SNOMED, "404029005", body_site=[{"text": "Skin of forearm"}]))
    assert not f.spine_mass


def test_benign_intradural_needs_confirmation() -> None:
    f = facts(condition("m", SNOMED, "189167009", verification="provisional"))
    assert f.spine_mass and not f.benign_intradural
    assert "benign-intradural" in f.spine_mass.evidence[0].tags


def test_confirmed_lymphoma_is_radiosensitive_and_not_suspected() -> None:
    f = facts(
        condition("l", SNOMED, "118601006"),
        condition("l2", ICD, "C83.30", verification="provisional"),
    )
    assert f.radiosensitive_histology.refs == ("Condition/l",)
    assert "lymphoma" in f.radiosensitive_histology.evidence[0].tags
    assert not f.lymphoma_suspected


def test_suspected_lymphoma_only() -> None:
    f = facts(condition("l", SNOMED, "118600007", verification="differential"))
    assert f.lymphoma_suspected.refs == ("Condition/l",)
    assert not f.radiosensitive_histology
    assert f.cancer


@pytest.mark.parametrize(
    ("system", "code"), [(SNOMED, "109989006"), (ICD, "C90.00"), (ICD, "C90.2")]
)
def test_myeloma_or_plasmacytoma_is_radiosensitive(system: str, code: str) -> None:
    f = facts(condition("mm", system, code))
    assert "myeloma" in f.radiosensitive_histology.evidence[0].tags


@pytest.mark.parametrize(
    ("system", "code"), [(SNOMED, "240220009"), (SNOMED, "202823006"), (ICD, "M53.2X6")]
)
def test_instability_conditions(system: str, code: str) -> None:
    assert facts(condition("i", system, code)).instability


@pytest.mark.parametrize(
    ("value", "unstable"),
    [
        ({"valueInteger": 7}, True),
        ({"valueInteger": 6}, False),
        ({"valueQuantity": {"value": 9, "unit": "{score}"}}, True),
        ({"valueQuantity": {"value": 6.0}}, False),
        ({}, False),
    ],
)
def test_sins_score_of_seven_or_more_is_instability(value: dict, unstable: bool) -> None:
    f = facts(observation("s", RADELEMENT, "RDES21", **value))
    assert bool(f.instability) is unstable
    assert f.sins_recorded


def test_old_sins_is_not_recorded() -> None:
    assert not facts(
        observation("s", RADELEMENT, "RDES21", when=ago(40), valueInteger=9)
    ).sins_recorded


def test_prior_radiotherapy_from_completed_procedure_or_history() -> None:
    f = facts(
        procedure("rt", SNOMED, "33195004", performedDateTime="2026-06-01"),
        procedure("rt2", SNOMED, "33195004", status="in-progress"),
        condition("h", ICD, "Z92.3", onset="2025-01-01"),
    )
    assert set(f.prior_radiotherapy.refs) == {"Procedure/rt", "Condition/h"}
    assert all("radiotherapy" in e.tags for e in f.prior_radiotherapy.evidence)
    assert f.prior_radiotherapy.evidence[0].when is not None


@pytest.mark.parametrize(("birth", "age"), [("1950-11-24", 76), ("1950-11-25", 75), ("1950", 76)])
def test_age_in_whole_years(birth: str, age: int) -> None:
    assert facts(patient(birth)).age == age


def test_age_unknown_without_birth_date() -> None:
    assert facts({"resourceType": "Patient", "id": "pat-1"}).age is None
    assert facts().age is None
