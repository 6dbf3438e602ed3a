"""MRI time tiers (Dutch and NICE profiles), whole spine vs region, protocol note."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cds_service.logic.facts import Course
from cds_service.logic.facts import Region
from cds_service.logic.facts import Side
from tests.logic.rules_support import BACK_PAIN
from tests.logic.rules_support import CORD
from tests.logic.rules_support import NOW
from tests.logic.rules_support import RADICULAR
from tests.logic.rules_support import WEAKNESS
from tests.logic.rules_support import benign
from tests.logic.rules_support import card
from tests.logic.rules_support import created
from tests.logic.rules_support import found
from tests.logic.rules_support import loinc
from tests.logic.rules_support import make
from tests.logic.rules_support import metastatic
from tests.logic.rules_support import run
from tests.logic.rules_support import topics

TIERS = {"mri-12h", "mri-24h", "mri-48h", "mri-1w", "mri-2w"}


def tier_of(cards: list[dict]) -> list[str]:
    return [t for t in topics(cards) if t in TIERS]


def test_cord_compression_needs_stat_mri_within_12_hours() -> None:
    cards = run(metastatic(cord_compression=CORD))
    c = card(cards, "mri-12h")
    assert c["indicator"] == "critical"
    sr = created(c)
    assert sr["priority"] == "stat"
    assert sr["occurrencePeriod"] == {
        "start": "2026-11-24T12:00:00Z",
        "end": "2026-11-25T00:00:00Z",
    }
    assert {"reference": "Condition/cc", "display": CORD.evidence[0].label} in sr["reasonReference"]
    assert "`Condition/cc`" in c["detail"]
    assert any(link["label"].startswith("NICE NG234") for link in c["links"])


@pytest.mark.parametrize(
    "signs",
    [
        {"bilateral": found("Condition/rad", side=Side.BILATERAL)},
        {"sphincter_dysfunction": found("Condition/ret", "Retention of urine")},
        {"paraparesis": found("Condition/pp"), "motor_deficit": found("Condition/pp")},
    ],
    ids=["bilateral", "sphincter", "paraparesis"],
)
def test_cord_level_signs_need_the_12_hour_tier(signs: dict) -> None:
    assert tier_of(run(metastatic(**signs))) == ["mri-12h"]


def test_recent_unilateral_deficit_needs_24_hours() -> None:
    facts = metastatic(motor_deficit=WEAKNESS, deficit_onset=NOW.replace(day=20))
    c = card(run(facts), "mri-24h")
    assert c["indicator"] == "critical" and created(c)["priority"] == "asap"
    assert created(c)["occurrencePeriod"]["end"] == "2026-11-25T12:00:00Z"


def test_deficit_of_unknown_onset_counts_as_recent() -> None:
    assert tier_of(run(metastatic(motor_deficit=WEAKNESS))) == ["mri-24h"]
    assert (
        "unknown (treated as recent)"
        in card(run(metastatic(motor_deficit=WEAKNESS)), "mri-24h")["detail"]
    )


@pytest.mark.parametrize("course", [Course.PROGRESSIVE, Course.UNKNOWN])
def test_old_deficit_not_stable_needs_48_hours(course: Course) -> None:
    facts = metastatic(
        motor_deficit=WEAKNESS, deficit_onset=NOW.replace(day=10), deficit_course=course
    )
    c = card(run(facts), "mri-48h")
    assert c["indicator"] == "warning" and created(c)["priority"] == "urgent"


def test_deficit_onset_exactly_seven_days_ago_is_old() -> None:
    facts = metastatic(motor_deficit=WEAKNESS, deficit_onset=NOW.replace(day=17))
    assert tier_of(run(facts)) == ["mri-48h"]


def test_old_stable_deficit_needs_one_week() -> None:
    facts = metastatic(
        motor_deficit=WEAKNESS, deficit_onset=NOW.replace(day=1), deficit_course=Course.STABLE
    )
    c = card(run(facts), "mri-1w")
    assert created(c)["priority"] == "routine"
    assert created(c)["occurrencePeriod"]["end"] == "2026-12-01T12:00:00Z"


def test_unilateral_radicular_pain_without_deficit_needs_one_week() -> None:
    assert tier_of(run(metastatic(radicular_pain=RADICULAR, back_pain=BACK_PAIN))) == ["mri-1w"]


def test_back_pain_only_needs_two_weeks_info() -> None:
    c = card(run(metastatic(back_pain=BACK_PAIN)), "mri-2w")
    assert c["indicator"] == "info"
    assert created(c)["occurrencePeriod"]["end"] == "2026-12-08T12:00:00Z"


def test_only_the_most_urgent_tier_fires() -> None:
    facts = metastatic(
        cord_compression=CORD, motor_deficit=WEAKNESS, radicular_pain=RADICULAR, back_pain=BACK_PAIN
    )
    assert tier_of(run(facts)) == ["mri-12h"]


def test_mri_done_silences_every_tier() -> None:
    done = found("DiagnosticReport/mri", "MR Cervical and thoracic and lumbar spine")
    assert tier_of(run(metastatic(cord_compression=CORD, mri_done=done))) == []


def test_back_pain_without_spine_mass_context_gives_no_card() -> None:
    """Alert fatigue: a plain back-pain patient gets nothing."""
    assert run(make(back_pain=BACK_PAIN, motor_deficit=WEAKNESS, radicular_pain=RADICULAR)) == []


def test_metastatic_suspicion_means_whole_spine_without_contrast() -> None:
    facts = metastatic(back_pain=BACK_PAIN, symptom_regions=frozenset({Region.LUMBAR}))
    sr = created(card(run(facts), "mri-2w"))
    assert loinc(sr) == "30854-4"
    note = sr["note"][0]["text"]
    assert "sagittal T1 and T2/STIR of the whole spine" in note
    assert "gadolinium" not in note, "the note must agree with a WO-contrast code"


def test_suspected_intradural_tumour_gets_contrast_and_a_note_saying_so() -> None:
    facts = metastatic(
        back_pain=BACK_PAIN,
        intradural_suspected=found("Condition/mass", "Malignant neoplasm of spinal cord"),
    )
    sr = created(card(run(facts), "mri-2w"))
    assert loinc(sr) == "30855-1" and "gadolinium" in sr["note"][0]["text"]


@pytest.mark.parametrize(
    ("regions", "code", "contrast_code"),
    [
        ({Region.LUMBAR}, "30679-5", "24967-2"),
        ({Region.CERVICAL}, "30667-0", "24937-5"),
        ({Region.THORACIC}, "36532-0", "24981-3"),
        ({Region.LUMBAR, Region.THORACIC}, "30854-4", "30855-1"),
        (set(), "30854-4", "30855-1"),
    ],
)
def test_without_metastatic_suspicion_the_symptom_region_is_imaged(
    regions: set, code: str, contrast_code: str
) -> None:
    facts = benign(radicular_pain=RADICULAR, symptom_regions=frozenset(regions))
    sr = created(card(run(facts), "mri-1w"))
    whole = code == "30854-4"
    assert loinc(sr) == code
    assert ("of the whole spine" in sr["note"][0]["text"]) == whole, "note agrees with the code"
    intradural = replace(facts, intradural_suspected=found("Condition/schw", "Schwannoma"))
    assert loinc(created(card(run(intradural), "mri-1w"))) == contrast_code


class TestNiceProfile:
    """NICE NG234: 24 h with neurology, 1 week for pain; 12 h, 48 h and 2 w never fire."""

    def test_cord_compression_maps_to_24_hours_citing_nice(self) -> None:
        cards = run(metastatic(cord_compression=CORD, profile="nice"))
        assert tier_of(cards) == ["mri-24h"]
        assert card(cards, "mri-24h")["source"]["url"].startswith("https://www.nice.org.uk/")

    def test_old_progressive_deficit_maps_to_24_hours(self) -> None:
        facts = metastatic(motor_deficit=WEAKNESS, deficit_onset=NOW.replace(day=1), profile="nice")
        assert tier_of(run(facts)) == ["mri-24h"]

    def test_stable_deficit_maps_to_24_hours(self) -> None:
        facts = metastatic(
            motor_deficit=WEAKNESS,
            deficit_onset=NOW.replace(day=1),
            deficit_course=Course.STABLE,
            profile="nice",
        )
        assert tier_of(run(facts)) == ["mri-24h"]

    def test_back_pain_alone_maps_to_one_week(self) -> None:
        c = card(run(metastatic(back_pain=BACK_PAIN, profile="nice")), "mri-1w")
        assert c["source"]["url"].startswith("https://www.nice.org.uk/")
        assert "nice" not in c["detail"].lower().replace("nice ng234", ""), "no profile name"

    def test_radicular_pain_maps_to_one_week(self) -> None:
        assert tier_of(run(metastatic(radicular_pain=RADICULAR, profile="nice"))) == ["mri-1w"]

    def test_dutch_profile_gives_different_tiers_for_the_same_facts(self) -> None:
        cards = run(metastatic(cord_compression=CORD))
        assert tier_of(cards) == ["mri-12h"]
        assert "richtlijnendatabase.nl" in card(cards, "mri-12h")["source"]["url"]
        assert tier_of(run(metastatic(back_pain=BACK_PAIN))) == ["mri-2w"]
