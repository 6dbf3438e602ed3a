"""Dexamethasone, lymphoma caution, referrals, tissue, stability and ambulatory status."""

from __future__ import annotations

from dataclasses import replace

from cds_service.logic.facts import Ambulatory
from cds_service.logic.facts import Certainty
from cds_service.logic.facts import Course
from cds_service.logic.facts import OrderKind
from cds_service.logic.facts import Side
from tests.logic.rules_support import BACK_PAIN
from tests.logic.rules_support import CORD
from tests.logic.rules_support import RADICULAR
from tests.logic.rules_support import SCHWANNOMA
from tests.logic.rules_support import WEAKNESS
from tests.logic.rules_support import benign
from tests.logic.rules_support import card
from tests.logic.rules_support import created
from tests.logic.rules_support import found
from tests.logic.rules_support import make
from tests.logic.rules_support import metastatic
from tests.logic.rules_support import order
from tests.logic.rules_support import run
from tests.logic.rules_support import topics

LYMPHOMA = found("Condition/nhl", "Non-Hodgkin lymphoma (SNOMED CT 118601006)", tags=("lymphoma",))
MRI_DONE = found("DiagnosticReport/mri", "MR whole spine")
SINS_9 = found("Observation/sins", "SINS score 9 (radelement RDES21)", certainty=None)


class TestDexamethasone:
    def test_cord_compression_suggests_16_mg_per_day_by_mouth(self) -> None:
        c = card(run(metastatic(cord_compression=CORD)), "dexamethasone")
        med = created(c)
        assert med["resourceType"] == "MedicationRequest"
        coding = med["medicationCodeableConcept"]["coding"][0]
        assert (coding["code"], coding["display"]) == ("197582", "dexamethasone 4 MG Oral Tablet")
        (dose,) = med["dosageInstruction"]
        assert dose["doseAndRate"][0]["doseQuantity"]["value"] == 8
        assert dose["timing"]["repeat"] == {"frequency": 2, "period": 1, "periodUnit": "d"}
        assert dose["route"] == {"text": "oral"}
        assert dose["maxDosePerPeriod"]["numerator"]["value"] == 16
        assert "96" not in str(dose)
        assert "proton-pump" in c["detail"] and "glucose" in c["detail"]
        assert "isRecommended" not in c["suggestions"][0]

    def test_stable_deficit_with_cancer_still_triggers_even_after_mri(self) -> None:
        facts = metastatic(motor_deficit=WEAKNESS, deficit_course=Course.STABLE, mri_done=MRI_DONE)
        assert "dexamethasone" in topics(run(facts))

    def test_bilateral_radicular_pain_with_cancer_triggers(self) -> None:
        bilateral = found("Condition/rad", side=Side.BILATERAL)
        assert "dexamethasone" in topics(run(metastatic(bilateral=bilateral)))

    def test_pain_without_neurology_gives_no_steroid(self) -> None:
        facts = metastatic(back_pain=BACK_PAIN, radicular_pain=RADICULAR)
        assert "dexamethasone" not in topics(run(facts))

    def test_deficit_without_cancer_gives_no_steroid(self) -> None:
        """Benign intradural tumour: deficit alone is not metastatic compression."""
        assert "dexamethasone" not in topics(run(benign(motor_deficit=WEAKNESS)))

    def test_pending_dexamethasone_silences_the_card(self) -> None:
        dexa = order(OrderKind.DEXAMETHASONE, "dx", in_draft=False)
        assert "dexamethasone" not in topics(run(metastatic(cord_compression=CORD, orders=(dexa,))))


class TestLymphomaCaution:
    def test_suspected_lymphoma_marks_the_steroid_not_recommended(self) -> None:
        cards = run(metastatic(cord_compression=CORD, lymphoma_suspected=LYMPHOMA))
        assert card(cards, "dexamethasone")["suggestions"][0]["isRecommended"] is False
        caution = card(cards, "steroid-lymphoma-caution")
        assert "suggestions" not in caution and "tissue" in caution["detail"]

    def test_no_caution_without_the_steroid_card(self) -> None:
        cards = run(metastatic(back_pain=BACK_PAIN, lymphoma_suspected=LYMPHOMA))
        assert "steroid-lymphoma-caution" not in topics(cards)


class TestSurgicalReferral:
    def test_confirmed_compression_is_critical_with_stat_referral(self) -> None:
        c = card(run(metastatic(cord_compression=CORD, age=50)), "surgical-referral")
        assert c["indicator"] == "critical"
        sr = created(c)
        assert sr["code"]["coding"][0]["code"] == "308482002" and sr["priority"] == "stat"
        assert "confirmed spinal cord" in c["detail"] and "hemilaminectomy" not in c["detail"]

    def test_benign_intradural_tumour_at_65_mentions_hemilaminectomy(self) -> None:
        facts = benign(radicular_pain=RADICULAR, age=65)
        c = card(run(facts), "surgical-referral")
        assert "65 years" in c["detail"] and "hemilaminectomy" in c["detail"]
        assert "Refer for a surgical opinion" in c["detail"], (
            "not 'today': neither critical nor progressive"
        )
        unstable = card(run(replace(facts, instability=SINS_9)), "surgical-referral")
        assert "hemilaminectomy" not in unstable["detail"], "never for an unstable spine"

    def test_metastatic_compression_at_80_never_mentions_hemilaminectomy(self) -> None:
        c = card(run(metastatic(cord_compression=CORD, age=80)), "surgical-referral")
        assert "hemilaminectomy" not in c["detail"] and "**today**" in c["detail"]

    def test_instability_is_a_warning_referral(self) -> None:
        c = card(run(metastatic(instability=SINS_9)), "surgical-referral")
        assert c["indicator"] == "warning" and "`Observation/sins`" in c["detail"]
        assert created(c)["priority"] == "urgent"

    def test_suspected_compression_alone_is_no_indication_but_makes_it_critical(self) -> None:
        suspected = found("Condition/cc", certainty=Certainty.SUSPECTED)
        assert "surgical-referral" not in topics(run(metastatic(cord_compression=suspected)))
        c = card(
            run(metastatic(cord_compression=suspected, instability=SINS_9)), "surgical-referral"
        )
        assert c["indicator"] == "critical"

    def test_symptomatic_benign_intradural_tumour_is_referred(self) -> None:
        c = card(run(benign(back_pain=BACK_PAIN)), "surgical-referral")
        assert "symptomatic benign intradural" in c["detail"]

    def test_asymptomatic_benign_tumour_is_not_referred(self) -> None:
        assert "surgical-referral" not in topics(run(benign()))

    def test_progressive_deficit_after_radiotherapy_is_named(self) -> None:
        rt = found("Procedure/rt", "External beam radiation therapy", certainty=None)
        facts = metastatic(
            motor_deficit=WEAKNESS, deficit_course=Course.PROGRESSIVE, prior_radiotherapy=rt
        )
        c = card(run(facts), "surgical-referral")
        assert "progression after radiotherapy" in c["detail"]

    def test_stable_deficit_is_not_an_indication(self) -> None:
        facts = metastatic(motor_deficit=WEAKNESS, deficit_course=Course.STABLE)
        assert "surgical-referral" not in topics(run(facts))

    def test_pending_neurosurgery_referral_silences(self) -> None:
        ref = order(OrderKind.REFERRAL_NEUROSURGERY, "r", in_draft=False)
        assert "surgical-referral" not in topics(run(metastatic(instability=SINS_9, orders=(ref,))))


class TestRadiotherapyReferral:
    MYELOMA = found("Condition/mm", "Multiple myeloma (SNOMED CT 109989006)", tags=("myeloma",))

    def test_myeloma_in_the_spine_is_referred_to_radiotherapy(self) -> None:
        c = card(run(metastatic(radiosensitive_histology=self.MYELOMA)), "radiotherapy-referral")
        assert c["indicator"] == "info" and created(c)["code"]["coding"][0]["code"] == "306256000"

    def test_instability_blocks_radiotherapy_first(self) -> None:
        facts = metastatic(radiosensitive_histology=self.MYELOMA, instability=SINS_9)
        assert "radiotherapy-referral" not in topics(run(facts))

    def test_pending_radiotherapy_referral_silences(self) -> None:
        ref = order(OrderKind.REFERRAL_RADIOTHERAPY, "rt", in_draft=False)
        facts = metastatic(radiosensitive_histology=self.MYELOMA, orders=(ref,))
        assert "radiotherapy-referral" not in topics(run(facts))


class TestTissueDiagnosis:
    def test_metastasis_without_confirmed_primary_asks_for_biopsy(self) -> None:
        c = card(run(metastatic()), "tissue-diagnosis")
        assert created(c)["code"]["coding"][0]["code"] == "24986-2"

    def test_confirmed_primary_silences(self) -> None:
        primary = found("Condition/lung", "Lung cancer (ICD-10-CM C34.90)", tags=("primary",))
        assert "tissue-diagnosis" not in topics(run(metastatic(confirmed_primary=primary)))

    def test_suspected_malignant_spine_mass_asks_for_biopsy(self) -> None:
        mass = found("Condition/c72", certainty=Certainty.SUSPECTED, tags=("malignant",))
        facts = make(spine_mass=mass, cancer=mass, metastatic_suspicion=mass)
        assert "tissue-diagnosis" in topics(run(facts))

    def test_benign_mass_needs_no_biopsy_card(self) -> None:
        assert "tissue-diagnosis" not in topics(run(benign(spine_mass=SCHWANNOMA)))

    def test_pending_biopsy_silences(self) -> None:
        biopsy = order(OrderKind.SPINE_BIOPSY, "bx", in_draft=False)
        assert "tissue-diagnosis" not in topics(run(metastatic(orders=(biopsy,))))


class TestStabilityAssessment:
    def test_vertebral_metastasis_without_sins_asks_for_the_score(self) -> None:
        c = card(run(metastatic(sins_recorded=False)), "stability-assessment")
        assert "suggestions" not in c and "SINS 7 or more" in c["detail"]
        for component in ("location", "pain", "alignment", "collapse", "posterolateral"):
            assert component in c["detail"]

    def test_any_sins_observation_silences(self) -> None:
        assert "stability-assessment" not in topics(run(metastatic(sins_recorded=True)))


class TestAmbulatoryStatus:
    def test_unknown_status_is_asked_for(self) -> None:
        c = card(run(metastatic(motor_deficit=WEAKNESS)), "ambulatory-status")
        assert c["summary"].startswith("Ambulatory status not recorded") and "ECOG" in c["detail"]

    def test_documented_status_is_stated_with_its_source(self) -> None:
        ecog = found("Observation/ecog", "ECOG 4 (LOINC 89247-1)", certainty=None)
        facts = metastatic(
            cord_compression=CORD, ambulatory=Ambulatory.NOT_AMBULATORY, ambulatory_evidence=ecog
        )
        c = card(run(facts), "ambulatory-status")
        assert "not walking" in c["summary"] and "`Observation/ecog`" in c["detail"]

    def test_pain_only_does_not_ask(self) -> None:
        assert "ambulatory-status" not in topics(run(metastatic(back_pain=BACK_PAIN)))
