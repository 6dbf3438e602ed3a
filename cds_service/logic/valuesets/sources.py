"""The sources the codes were read from (docs/clinical-evidence-and-codes.md §0 and §6)."""

from __future__ import annotations

from ..provenance import Provenance

_VSAC_BASE = (
    "https://github.com/cqframework/ecqm-content-qicore-2024/blob/"
    "9ebd48ffebf2ed2489f3904cc8393ebf8979bfc9/input/vocabulary/valueset/external/"
)
_IPS_BASE = (
    "https://github.com/HL7/fhir-ips/blob/5f8b4e615e0271b32b9b5e515d47abbde46832fd/"
    "input/fsh/valuesets/"
)
_MCODE_BASE = (
    "https://github.com/HL7/fhir-mCODE-ig/blob/543477b5585f2dcc717820a2bea141ea85f03012/input/fsh/"
)


def vsac(oid: str, title: str) -> Provenance:
    """Return the provenance of a VSAC expansion shipped with the CMS eCQMs."""
    return Provenance(f"VSAC {oid} ({title})", f"{_VSAC_BASE}valueset-{oid}.json", True)


IPS = Provenance(
    "IPS SNOMED Free Set 2022-07-31 (problems)",
    _IPS_BASE + "ProblemsSnomedCtIpsFreeSet.fsh",
    True,
)
IPS_PROCEDURES = Provenance(
    "IPS SNOMED Free Set 2022-07-31 (procedures)",
    _IPS_BASE + "ProceduresSnomedCtIpsFreeSet.fsh",
    True,
)
IPS_DEVICES = Provenance(
    "IPS SNOMED Free Set 2022-07-31 (medical devices)",
    _IPS_BASE + "MedicalDevicesSnomedCtIpsFreeSet.fsh",
    True,
)
ICD26 = Provenance(
    "CMS ICD-10-CM 2026 (ICD26)",
    "https://pypi.org/project/simple-icd-10-cm/1.5.0/",
    True,
)
ICD26_RANGE = Provenance(
    "CMS ICD-10-CM 2026 (ICD26), category range named by CLINICAL-RULES.md",
    "https://pypi.org/project/simple-icd-10-cm/1.5.0/",
    False,
    note="range from CLINICAL-RULES.md §1; the evidence file verifies only single codes in it",
)
ICD26_IN_RANGE = Provenance(
    "CMS ICD-10-CM 2026 (ICD26), code inside a range the evidence file verifies",
    "https://pypi.org/project/simple-icd-10-cm/1.5.0/",
    False,
    note="the evidence file verifies M54.10-M54.18 as a range, not this code and display",
)
CPM = Provenance(
    "VSAC 2.16.840.1.113762.1.4.1021.95 (Conditions associated with chronic pain, cds4cpm)",
    "https://github.com/cqframework/cds4cpm/blob/e73c2d2953aaad08f09428a6e70d5a07c5c7db31/"
    "input/vocabulary/valueset/valueset-2.16.840.1.113762.1.4.1021.95.json",
    True,
)
MCODE_LATERALITY = Provenance("HL7 mCODE LateralityQualifierVS", _MCODE_BASE + "VS_Other.fsh", True)
MCODE_PERFORMANCE = Provenance(
    "HL7 mCODE PerformanceStatus", _MCODE_BASE + "SD_PerformanceStatus.fsh", True
)
VSAC_CANCER = vsac("2.16.840.1.113883.3.526.3.1010", "Cancer")
VSAC_CNS = vsac("2.16.840.1.113883.3.3157.4025", "Cerebral Vascular Lesion")
VSAC_NEURO = vsac("2.16.840.1.113883.3.464.1003.114.12.1012", "Neurologic impairment")
VSAC_FRAILTY_SYMPTOM = vsac("2.16.840.1.113883.3.464.1003.113.12.1075", "Frailty Symptom")
VSAC_URINARY_RETENTION = vsac("2.16.840.1.113762.1.4.1164.52", "Urinary retention")
VSAC_IMAGING = vsac("2.16.840.1.113883.3.464.1003.198.12.1034", "X-Ray Study")
VSAC_GLUCOCORTICOIDS = vsac(
    "2.16.840.1.113883.3.464.1003.196.12.1266", "Glucocorticoids (oral only)"
)
VSAC_REFERRAL = vsac("2.16.840.1.113883.3.464.1003.101.12.1046", "Referral")
US_CORE_SUBSTANCE = Provenance(
    "VSAC US Core allergy substance",
    _VSAC_BASE + "ValueSet-us-core-allergy-substance.json",
    True,
)
WEAK_HEALTHASSURE = Provenance(
    "healthassure.in SNOMED page (SNOMED INT 2026-05)",
    "https://www.healthassure.in/codes/snomed_ct-240220009-spinal-instability",
    False,
    note="VERIFIED (weak): third-party page only; confirm in the SNOMED browser",
)
RXNORM_CORROBORATED = Provenance(
    "RxNorm, corroborated in >= 2 public repositories",
    "https://mor.nlm.nih.gov/RxNav/",
    False,
    note="UNVERIFIED (corroborated): confirm in RxNav before release",
)
RXNORM_SINGLE = Provenance(
    "RxNorm, single secondary source",
    "https://mor.nlm.nih.gov/RxNav/",
    False,
    note="UNVERIFIED (single secondary source): confirm in RxNav before release",
)
CPT_UNVERIFIED = Provenance(
    "AMA CPT",
    "https://www.ama-assn.org/practice-management/cpt",
    False,
    note="UNVERIFIED: CPT is licensed; no open value set lists these codes",
)
RADELEMENT_SINS = Provenance(
    "ACR/RSNA Common Data Element RDES21 (SINS)",
    "https://github.com/hoodcm/oifm-definitions/blob/main/findingmodels/text/"
    "spine_instability_neuroplastic_score__sins_.md",
    False,
    note="named by CLINICAL-RULES.md §1; not in a verified terminology table",
)
ICD26_CATEGORY_UNVERIFIED = Provenance(
    "ICD-10-CM category named by CLINICAL-RULES.md v1.2 §1",
    "https://pypi.org/project/simple-icd-10-cm/1.5.0/",
    False,
    note="UNVERIFIED: the evidence file asks to check the category and its children against "
    "the ICD-10-CM 2026 tabular before marking it verified",
)
RULES_ONLY = Provenance(
    "CLINICAL-RULES.md v1.2 §1",
    "docs/rules.md",
    False,
    note="code named by the clinical contract but absent from the evidence code tables",
)
