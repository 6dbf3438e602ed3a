"""Orderable codes: spine imaging (LOINC, CPT), dexamethasone (RxNorm), referrals (SNOMED).

From docs/clinical-evidence-and-codes.md §2.4-§2.6. The LOINC imaging codes are all members
of VSAC "X-Ray Study" (a generic imaging-study list despite its name).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..provenance import Provenance
from . import sources as s

# fmt: off
ORDER_TERMS: tuple[tuple[Provenance, str, Mapping[str, str]], ...] = (
    (s.VSAC_IMAGING, "loinc", {
        # MR, whole spine (C+T+L)
        "30854-4": "MR Cervical and thoracic and lumbar spine WO contrast",
        "91561-1": "MR Cervical and thoracic and lumbar spine W contrast IV",
        "30855-1": "MR Cervical and thoracic and lumbar spine WO and W contrast IV",
        "42698-1": "MR Cervical and thoracic and lumbar spine",
        # MR, spine with no region
        "36531-2": "MR Spine WO contrast",
        "36256-6": "MR Spine W contrast IV",
        "36400-0": "MR Spine WO and W contrast IV",
        "36067-7": "MR Spine",
        # MR by region
        "30667-0": "MR Cervical spine WO contrast",
        "24938-3": "MR Cervical spine W contrast IV",
        "24937-5": "MR Cervical spine WO and W contrast IV",
        "24935-9": "MR Cervical spine",
        "36532-0": "MR Thoracic spine WO contrast",
        "24982-1": "MR Thoracic spine W contrast IV",
        "24981-3": "MR Thoracic spine WO and W contrast IV",
        "24980-5": "MR Thoracic spine",
        "30679-5": "MR Lumbar spine WO contrast",
        "30678-7": "MR Lumbar spine W contrast IV",
        "24967-2": "MR Lumbar spine WO and W contrast IV",
        "24968-0": "MR Lumbar spine",
        "89284-4": "MR Cervical and thoracic spine W contrast IV",
        "43456-3": "MR Cervical and thoracic spine WO and W contrast IV",
        "43457-1": "MR Cervical and thoracic spine",
        "94088-2": "MR Thoracic and lumbar spine WO and W contrast",
        "91717-9": "MR Lumbar spine and sacrum WO contrast",
        "91715-3": "MR Lumbar spine and sacrum W contrast IV",
        "91716-1": "MR Lumbar spine and sacrum WO and W contrast IV",
        # CT myelography
        "24934-2": "CT Cervical spine W contrast IT",
        "30596-1": "CT Thoracic spine W contrast IT",
        "24965-6": "CT Lumbar spine W contrast IT",
        "47985-7": "CT Spine W contrast IT",
        "87922-1": "CT Cervical and thoracic spine W contrast IT",
        "44113-9": "CT Thoracic spine WO and W contrast IT",
        "44114-7": "CT Lumbar spine WO and W contrast IT",
        "48442-8": "CT Spine WO and W contrast IT",
        # Plain radiographs of the spine
        "28613-8": "XR Spine Views",
        "37879-4": "XR Spine 2 Views",
        "24928-4": "XR Spine AP and Lateral",
        "24946-6": "XR Cervical spine Views",
        "36669-0": "XR Cervical spine 2 Views",
        "43539-6": "XR Cervical spine 2 or 3 Views",
        "24983-9": "XR Thoracic spine Views",
        "37905-7": "XR Thoracic spine 2 Views",
        "24972-2": "XR Lumbar spine Views",
        "36670-8": "XR Lumbar spine 2 Views",
        "24970-6": "XR Lumbar spine AP and Lateral",
        "24984-7": "XR Thoracic and lumbar spine 2 Views",
        # Guided spine biopsy
        "24986-2": "CT Guidance for biopsy of Spine",
        "35891-1": "CT guidance for percutaneous biopsy of Bone",
        "43567-7": "CT Guidance for deep biopsy of Bone",
        "88316-5": "CT Guidance for biopsy of Spinal cord",
    }),
    (s.CPT_UNVERIFIED, "cpt", {
        "72141": "MRI spinal canal and contents, cervical; without contrast",
        "72142": "MRI spinal canal and contents, cervical; with contrast",
        "72156": "MRI spinal canal and contents, cervical; without then with contrast",
        "72146": "MRI spinal canal and contents, thoracic; without contrast",
        "72147": "MRI spinal canal and contents, thoracic; with contrast",
        "72157": "MRI spinal canal and contents, thoracic; without then with contrast",
        "72148": "MRI spinal canal and contents, lumbar; without contrast",
        "72149": "MRI spinal canal and contents, lumbar; with contrast",
        "72158": "MRI spinal canal and contents, lumbar; without then with contrast",
        # Plain radiographs of the spine: every code of 72020-72120 (CLINICAL-RULES.md 1.2 §2)
        "72020": "Radiologic examination, spine, single view",
        "72040": "Radiologic examination, spine, cervical; 2 or 3 views",
        "72050": "Radiologic examination, spine, cervical; 4 or 5 views",
        "72052": "Radiologic examination, spine, cervical; 6 or more views",
        "72070": "Radiologic examination, spine, thoracic; 2 views",
        "72072": "Radiologic examination, spine, thoracic; 3 views",
        "72074": "Radiologic examination, spine, thoracic; minimum of 4 views",
        "72080": "Radiologic examination, spine, thoracolumbar junction",
        "72081": "Radiologic examination, spine, entire thoracic and lumbar; 1 view",
        "72082": "Radiologic examination, spine, entire thoracic and lumbar; 2 or 3 views",
        "72083": "Radiologic examination, spine, entire thoracic and lumbar; 4 or 5 views",
        "72084": "Radiologic examination, spine, entire thoracic and lumbar; minimum of 6 views",
        "72100": "Radiologic examination, spine, lumbosacral; 2 or 3 views",
        "72110": "Radiologic examination, spine, lumbosacral; minimum of 4 views",
        "72114": "Radiologic examination, spine, lumbosacral; complete, including bending views",
        "72120": "Radiologic examination, spine, lumbosacral; bending views only",
    }),
    (s.US_CORE_SUBSTANCE, "rx", {"3264": "Dexamethasone"}),
    (s.VSAC_GLUCOCORTICOIDS, "rx", {
        "197577": "dexamethasone 0.5 MG Oral Tablet",
        "343033": "dexamethasone 0.75 MG Oral Tablet",
        "197579": "dexamethasone 1 MG Oral Tablet",
        "197580": "dexamethasone 1.5 MG Oral Tablet",
        "197581": "dexamethasone 2 MG Oral Tablet",
        "197582": "dexamethasone 4 MG Oral Tablet",
        "197583": "dexamethasone 6 MG Oral Tablet",
        "2261802": "dexamethasone 20 MG Oral Tablet",
        "309684": "dexamethasone 1 MG/ML Oral Solution",
        "309686": "dexamethasone 0.1 MG/ML Oral Solution",
        "846192": "dexamethasone 1.5 MG Oral Tablet Pack",
        "759697": "dexamethasone 1.5 MG Oral Tablet Pack",
        "759481": "dexamethasone 1.5 MG Oral Tablet Pack",
        "1869595": "dexamethasone 1.5 MG Oral Tablet Pack",
        "1943550": "dexamethasone 1.5 MG Oral Tablet Pack",
        "2121587": "dexamethasone 1.5 MG Oral Tablet Pack",
        "2387355": "dexamethasone 1.5 MG Oral Tablet Pack",
    }),
    (s.RXNORM_CORROBORATED, "rx", {
        "1116927": "dexamethasone phosphate 4 MG/ML Injectable Solution",
        "1116928": "dexamethasone phosphate 10 MG/ML Injectable Solution",
    }),
    (s.RXNORM_SINGLE, "rx", {
        "1812194": "1 ML dexamethasone phosphate 4 MG/ML Injection",
        "48933": "Dexamethasone sodium phosphate",
    }),
    (s.VSAC_REFERRAL, "sct", {
        "308482002": "Referral to neurosurgeon",
        "306256000": "Referral to radiotherapist",
    }),
)
# fmt: on
