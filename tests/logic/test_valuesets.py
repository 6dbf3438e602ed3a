"""The terminology tables: codes match as the contract says, and bad data stops start-up."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cds_service.logic.systems import CPT
from cds_service.logic.systems import ICD10CM
from cds_service.logic.systems import LOINC
from cds_service.logic.systems import RXNORM
from cds_service.logic.systems import SNOMED
from cds_service.logic.valuesets import VALUESETS
from cds_service.logic.valuesets import VS
from cds_service.logic.valuesets import check_valuesets
from cds_service.logic.valuesets import match
from cds_service.logic.valuesets.catalog import SPECS
from cds_service.logic.valuesets.terms import TERMS


def test_shipped_tables_pass_the_startup_check() -> None:
    check_valuesets()
    assert set(VALUESETS) == set(VS)


@pytest.mark.parametrize("code", ["G95.20", "G9520", "g95.20", " G95.20 "])
def test_icd_codes_match_with_or_without_dot_and_in_any_case(code: str) -> None:
    assert VS.CORD_COMPRESSION in match(ICD10CM, code)


def test_icd_prefix_matches_codes_below_it_but_not_siblings() -> None:
    assert VS.METASTASIS in match(ICD10CM, "C79.51")
    assert VS.INSTABILITY in match(ICD10CM, "M53.2X6")
    assert VS.BACK_PAIN in match(ICD10CM, "M54.50")
    assert VS.BACK_PAIN not in match(ICD10CM, "M54.4")
    assert VS.PARAPARESIS in match(ICD10CM, "G82.21")
    assert VS.PARAPARESIS not in match(ICD10CM, "G82.5")


def test_malignancy_covers_c00_to_c96_only() -> None:
    assert VS.MALIGNANCY in match(ICD10CM, "C50.912")
    assert VS.MALIGNANCY in match(ICD10CM, "C96.9")
    assert match(ICD10CM, "D49.9") == frozenset()


def test_the_same_code_in_another_system_does_not_match() -> None:
    assert match(SNOMED, "G95.20") == frozenset()
    assert match(LOINC, "71286001") == frozenset()
    assert VS.CORD_COMPRESSION in match(SNOMED, "71286001")


def test_orderables_map_to_their_kind() -> None:
    assert VS.MRI_SPINE in match(LOINC, "30855-1")
    assert VS.IMAGING_WHOLE in match(LOINC, "30855-1")
    assert VS.IMAGING_LUMBAR in match(CPT, "72148")
    assert VS.XRAY_SPINE in match(LOINC, "24972-2")
    assert VS.DEXAMETHASONE in match(RXNORM, "197582")
    assert VS.CT_MYELOGRAPHY in match(LOINC, "47985-7")


def test_every_unverified_source_is_flagged_and_says_why() -> None:
    cpt = [t for t in TERMS.values() if t.system == CPT]
    assert cpt and all(not t.provenance.verified and t.provenance.note for t in cpt)
    injectable = TERMS["rx:1116927"].provenance
    assert not injectable.verified
    assert TERMS["rx:197582"].provenance.verified
    assert not TERMS["sct:240220009"].provenance.verified  # VERIFIED (weak) only


def test_groups_carry_provenance_per_source() -> None:
    groups = VALUESETS[VS.MRI_SPINE].groups
    sources = {p.source for p in groups}
    assert any(s.startswith("VSAC 2.16.840.1.113883.3.464.1003.198.12.1034") for s in sources)
    assert "AMA CPT" in sources
    assert not VALUESETS[VS.MRI_SPINE].verified


def test_an_empty_value_set_stops_startup() -> None:
    broken = dict(VALUESETS)
    broken[VS.SINS] = replace(broken[VS.SINS], codes=())
    with pytest.raises(ValueError, match="sins-score: empty"):
        check_valuesets(broken)


def test_a_malformed_code_stops_startup() -> None:
    broken = dict(VALUESETS)
    vs = broken[VS.ECOG]
    broken[VS.ECOG] = replace(vs, codes=(replace(vs.codes[0], code="89247"),))
    with pytest.raises(ValueError, match="malformed http://loinc.org code '89247'"):
        check_valuesets(broken)


def test_an_unknown_system_stops_startup() -> None:
    broken = dict(VALUESETS)
    vs = broken[VS.ECOG]
    broken[VS.ECOG] = replace(vs, codes=(replace(vs.codes[0], system="urn:local"),))
    with pytest.raises(ValueError, match="unknown system urn:local"):
        check_valuesets(broken)


def test_a_value_set_the_extractor_needs_but_missing_stops_startup() -> None:
    broken = {k: v for k, v in VALUESETS.items() if k is not VS.MRI_SPINE}
    with pytest.raises(ValueError, match="mri-spine: value set missing"):
        check_valuesets(broken)


def test_every_spec_member_refers_to_a_known_term_or_prefix() -> None:
    for _desc, members in SPECS.values():
        for ref in members:
            assert ref.endswith("*") or ref in TERMS, ref


def test_every_term_and_prefix_is_used_by_some_value_set() -> None:
    """No dead terminology: every listed code is there because a fact needs it."""
    from cds_service.logic.valuesets.terms import PREFIXES

    used = {ref for _desc, members in SPECS.values() for ref in members}
    assert set(TERMS) - used == set()
    assert {f"icd:{p}*" for p in PREFIXES} - used == set()
