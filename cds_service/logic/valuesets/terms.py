"""Every code the logic matches, once, with its display and provenance.

Only codes named by CLINICAL-RULES.md §1 or docs/clinical-evidence-and-codes.md §2 appear
here; value sets (``catalog.py``) refer to them as ``"sct:71286001"``, ``"icd:G95.20"``,
``"loinc:30855-1"``, ``"rx:3264"``, ``"cpt:72141"``, ``"rad:RDES21"``, ``"v3:W"``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..provenance import Provenance
from ..systems import CPT
from ..systems import ICD10CM
from ..systems import LOINC
from ..systems import RADELEMENT
from ..systems import RXNORM
from ..systems import SNOMED
from ..systems import V3_INTERPRETATION
from . import sources as s
from .model import IcdPrefix
from .model import Term
from .terms_orders import ORDER_TERMS

PREFIX_OF_SYSTEM: Mapping[str, str] = {
    "sct": SNOMED,
    "icd": ICD10CM,
    "loinc": LOINC,
    "rx": RXNORM,
    "cpt": CPT,
    "rad": RADELEMENT,
    "v3": V3_INTERPRETATION,
}

TermRows = tuple[tuple[Provenance, str, Mapping[str, str]], ...]

# fmt: off
CONDITION_TERMS: TermRows = (
    (s.IPS, "sct", {
        "71286001": "Spinal cord compression",
        "363475005": "Malignant tumor of spinal cord",
        "189948006": "Schwannoma",
        "404029005": "Neurofibroma",
        "443643007": "Ependymoma",
        "118600007": "Malignant lymphoma",
        "109989006": "Multiple myeloma",
        "94602001": "Metastatic malignant neoplasm to vertebral column",
        "94222008": "Metastatic malignant neoplasm to bone",
        "128462008": "Metastatic malignant neoplasm",
        "188462001": "Metastatic malignant neoplasm to brain and spinal cord",
        "161891005": "Backache",
        "279039007": "Low back pain",
        "279038004": "Thoracic back pain",
        "278862001": "Acute low back pain",
        "134407002": "Chronic back pain",
        "128196005": "Lumbar radiculopathy",
        "2415007": "Lumbosacral radiculopathy",
        "42452002": "Thoracic radiculopathy",
        "54404000": "Cervical radiculopathy",
        "26544005": "Muscle weakness",
        "713514005": "Muscle weakness of limb",
        "60389000": "Paraplegia",
        "312444006": "Spastic paraparesis",
        "267064002": "Retention of urine",
        "236648008": "Acute retention of urine",
        "72042002": "Incontinence of feces",
        "425671009": "Neurogenic bowel",
        "441509002": "Cardiac pacemaker in situ",
    }),
    (s.VSAC_CANCER, "sct", {
        "424549003": "Malignant tumor of spinal cord, extramedullary",
        "87131000119104": "Primary extramedullary malignant tumor of spinal cord",
        "95108005": "Neoplasm of uncertain behavior of spinal cord",
        "363476006": "Malignant neoplasm of spinal meninges",
        "363477002": "Malignant neoplasm of cauda equina",
        "254983004": "Malignant tumor of spinal nerve and sheath",
        "118601006": "Non-Hodgkin's lymphoma",
        "448220006": "Non-Hodgkin's lymphoma of bone",
        "448254007": "Non-Hodgkin's lymphoma of central nervous system",
        "372028007": "Primary malignant neoplasm of vertebral column",
        "94250008": "Metastatic malignant neoplasm to cervical vertebral column",
        "94274006": "Metastatic malignant neoplasm to thoracic vertebral column",
        "94389000": "Metastatic malignant neoplasm to lumbar vertebral column",
        "94600009": "Metastatic malignant neoplasm to spinal cord",
        "94601008": "Metastatic malignant neoplasm to spinal meninges",
        "285619009": "Metastasis to vertebral column of unknown primary",
    }),
    (s.VSAC_CNS, "sct", {
        "126964007": "Neoplasm of spinal meninges",
        "126963001": "Neoplasm of cauda equina",
        "92406008": "Benign neoplasm of spinal meninges",
        "95109002": "Neoplasm of uncertain behavior of spinal meninges",
        "189167009": "Spinal meningioma",
        "189016009": "Lipoma of spinal canal - intradural",
    }),
    (s.VSAC_NEURO, "sct", {
        "16846261000119106": "Compression of cauda equina",
        "192970008": "Cauda equina syndrome",
    }),
    (s.VSAC_FRAILTY_SYMPTOM, "sct", {
        "23042008": "Spinal paraparesis",
        "105503008": "Dependence on wheelchair",
    }),
    (s.CPM, "sct", {
        "82473003": "Radiculitis",
        "111236008": "Compression of spinal nerve root",
        "69071001": "Radicular syndrome of lower limbs",
        "202823006": "Thoracic spine instability",
    }),
    (s.WEAK_HEALTHASSURE, "sct", {"240220009": "Spinal instability"}),
    (s.IPS_PROCEDURES, "sct", {
        "33195004": "External beam radiation therapy procedure",
        "359612003": "Implantation of cochlear prosthetic device",
    }),
    (s.IPS_DEVICES, "sct", {
        "424921004": "Permanent cardiac pacemaker, device",
        "72506001": "Implantable defibrillator",
    }),
    (s.MCODE_LATERALITY, "sct", {
        "7771000": "Left",
        "24028007": "Right",
        "51440002": "Right and left",
    }),
    (s.RULES_ONLY, "sct", {"52101004": "Present", "2667000": "Absent"}),
    (s.RULES_ONLY, "v3", {"W": "Worse"}),
    (s.RADELEMENT_SINS, "rad", {"RDES21": "Spine instability neoplastic score (SINS)"}),
    (s.MCODE_PERFORMANCE, "loinc", {"89247-1": "ECOG Performance Status score"}),
    (s.ICD26_IN_RANGE, "icd", {
        "M54.12": "Radiculopathy, cervical region",
        "M54.13": "Radiculopathy, cervicothoracic region",
        "M54.14": "Radiculopathy, thoracic region",
        "M54.15": "Radiculopathy, thoracolumbar region",
        "M54.16": "Radiculopathy, lumbar region",
        "M54.17": "Radiculopathy, lumbosacral region",
    }),
    (s.ICD26, "icd", {
        "D33.4": "Benign neoplasm of spinal cord",
        "D32.1": "Benign neoplasm of spinal meninges",
        "D42.1": "Neoplasm of uncertain behavior of spinal meninges",
        "D43.4": "Neoplasm of uncertain behavior of spinal cord",
        "C72.0": "Malignant neoplasm of spinal cord",
        "C72.1": "Malignant neoplasm of cauda equina",
        "C70.1": "Malignant neoplasm of spinal meninges",
        "C41.2": "Malignant neoplasm of vertebral column",
        "C80.1": "Malignant (primary) neoplasm, unspecified",
        "G95.20": "Unspecified cord compression",
        "G95.29": "Other cord compression",
        "G83.4": "Cauda equina syndrome",
        "M54.5": "Low back pain",
        "M54.6": "Pain in thoracic spine",
        "M54.9": "Dorsalgia, unspecified",
        "R53.1": "Weakness",
        "M62.81": "Muscle weakness (generalized)",
        "R26.2": "Difficulty in walking, not elsewhere classified",
        "R33.9": "Retention of urine, unspecified",
        "R32": "Unspecified urinary incontinence",
        "C79.51": "Secondary malignant neoplasm of bone",
        "C79.49": "Secondary malignant neoplasm of other parts of nervous system",
        "R15.9": "Full incontinence of feces",
        "N31.9": "Neuromuscular dysfunction of bladder, unspecified",
        "K59.2": "Neurogenic bowel, not elsewhere classified",
        "Z92.3": "Personal history of irradiation",
        "Z99.3": "Dependence on wheelchair",
        "Z95.0": "Presence of cardiac pacemaker",
        "Z95.810": "Presence of automatic (implantable) cardiac defibrillator",
    }),
)

PREFIX_ROWS: tuple[tuple[Provenance, Mapping[str, str]], ...] = (
    (s.ICD26, {
        "M54.5": "Low back pain",
        "M54.1": "Radiculopathy",
        "G82.2": "Paraplegia",
        "M53.2X": "Spinal instabilities",
        "C79.5": "Secondary malignant neoplasm of bone and bone marrow",
        "C90.0": "Multiple myeloma",
        "C85.9": "Non-Hodgkin lymphoma, unspecified",
    }),
    (s.ICD26_CATEGORY_UNVERIFIED, {
        "Z85": "Personal history of malignant neoplasm",
        "C44": "Other and unspecified malignant neoplasm of skin (non-melanoma)",
    }),
    (s.ICD26_RANGE, {
        **{f"C{n:02d}": "Malignant neoplasm (C00-C96)" for n in range(0, 97)},
        "C77": "Secondary and unspecified malignant neoplasm of lymph nodes",
        "C78": "Secondary malignant neoplasm of respiratory and digestive organs",
        "C79": "Secondary malignant neoplasm of other and unspecified sites",
        "C80": "Malignant neoplasm without specification of site",
        "C81": "Hodgkin lymphoma",
        "C82": "Follicular lymphoma",
        "C83": "Non-follicular lymphoma",
        "C84": "Mature T/NK-cell lymphomas",
        "C85": "Other specified and unspecified types of non-Hodgkin lymphoma",
        "C90": "Multiple myeloma and malignant plasma cell neoplasms",
    }),
)

# fmt: on


def _build_terms() -> dict[str, Term]:
    """Return every term keyed by its ``"sys:code"`` reference; a code listed twice is an error."""
    out: dict[str, Term] = {}
    for prov, sys, rows in CONDITION_TERMS + ORDER_TERMS:
        for code, display in rows.items():
            ref = f"{sys}:{code}"
            if ref in out:
                raise ValueError(f"term {ref} listed twice")
            out[ref] = Term(PREFIX_OF_SYSTEM[sys], code, display, prov)
    return out


def _build_prefixes() -> dict[str, IcdPrefix]:
    """Return ICD prefixes keyed by their dotted form; the specific source wins over the range."""
    out: dict[str, IcdPrefix] = {}
    for prov, rows in reversed(PREFIX_ROWS):
        for prefix, display in rows.items():
            out[prefix] = IcdPrefix(prefix, display, prov)
    return out


TERMS: Mapping[str, Term] = _build_terms()
PREFIXES: Mapping[str, IcdPrefix] = _build_prefixes()
