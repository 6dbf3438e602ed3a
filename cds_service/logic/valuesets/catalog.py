"""The value sets of CLINICAL-RULES.md §1, as data.

Each entry names its members by reference into :mod:`.terms` (``"sct:71286001"``) and, for
ICD-10-CM, by documented prefix (``"icd:C79.5*"`` matches C79.51). Which codes belong is
decided by CLINICAL-RULES.md; the provenance of each code is in :mod:`.terms`.
"""

from __future__ import annotations

from enum import StrEnum


class VS(StrEnum):
    """Every value set name; the extractor refers to value sets only through this enum."""

    SPINE_MASS = "spine-mass"
    SPINE_MASS_HISTOLOGY = "spine-mass-generic-histology"
    MALIGNANT_SPINE_MASS = "malignant-spine-mass"
    SPINAL_METASTASIS = "spinal-metastasis"
    METASTASIS = "metastasis-any-site"
    UNKNOWN_PRIMARY = "unknown-primary"
    SECONDARY_OR_UNKNOWN = "secondary-or-unknown-primary"
    VERTEBRAL_MALIGNANCY = "vertebral-malignancy"
    BENIGN_INTRADURAL = "benign-intradural"
    MALIGNANCY = "malignancy"
    LYMPHOMA = "lymphoma"
    MYELOMA = "myeloma"
    CORD_COMPRESSION = "cord-compression"
    CAUDA_EQUINA = "cauda-equina"
    INSTABILITY = "spinal-instability"
    SINS = "sins-score"
    PRIOR_RADIOTHERAPY = "prior-radiotherapy"
    CANCER_HISTORY = "personal-history-of-malignancy"
    NON_MELANOMA_SKIN = "non-melanoma-skin-cancer"
    BONE_METASTASIS = "bone-metastasis"
    INTRADURAL_SECONDARY = "secondary-nervous-system"
    INTRADURAL_MASS = "intradural-spine-mass"
    SYMPTOM = "symptom-condition"
    GENERALISED_WEAKNESS = "generalised-weakness"
    MRI_CONTRAST = "mri-with-contrast"
    BACK_PAIN = "back-pain"
    RADICULAR_PAIN = "radicular-pain"
    MOTOR_DEFICIT = "motor-deficit"
    PARAPARESIS = "paraparesis"
    SPHINCTER = "sphincter-dysfunction"
    SIDE_LEFT = "laterality-left"
    SIDE_RIGHT = "laterality-right"
    SIDE_BILATERAL = "laterality-bilateral"
    FINDING_PRESENT = "finding-present"
    FINDING_ABSENT = "finding-absent"
    WORSE = "interpretation-worse"
    ECOG = "ecog"
    WHEELCHAIR = "wheelchair-dependence"
    MRI_CONTRA_CONDITION = "mri-contraindication-condition"
    MRI_CONTRA_DEVICE = "mri-contraindication-device"
    MRI_CONTRA_PROCEDURE = "mri-contraindication-procedure"
    MRI_SPINE = "mri-spine"
    CT_MYELOGRAPHY = "ct-myelography"
    XRAY_SPINE = "xray-spine"
    DEXAMETHASONE = "dexamethasone"
    REFERRAL_NEUROSURGERY = "referral-neurosurgery"
    REFERRAL_RADIOTHERAPY = "referral-radiotherapy"
    SPINE_BIOPSY = "spine-biopsy"
    IMAGING_WHOLE = "imaging-region-whole"
    IMAGING_UNSPECIFIED = "imaging-region-unspecified"
    IMAGING_CERVICAL = "imaging-region-cervical"
    IMAGING_THORACIC = "imaging-region-thoracic"
    IMAGING_LUMBAR = "imaging-region-lumbar"
    SYMPTOM_CERVICAL = "symptom-region-cervical"
    SYMPTOM_THORACIC = "symptom-region-thoracic"
    SYMPTOM_LUMBAR = "symptom-region-lumbar"


# fmt: off
_SPINAL_METASTASIS = (
    "sct:94602001", "sct:94250008", "sct:94274006", "sct:94389000",
    "sct:94600009", "sct:94601008", "sct:285619009", "sct:188462001",
)
_MALIGNANT_SPINE = (
    "sct:363475005", "sct:424549003", "sct:87131000119104", "sct:363476006",
    "sct:363477002", "sct:254983004", "sct:372028007",
    "icd:C72.0", "icd:C72.1", "icd:C70.1", "icd:C41.2",
)
_HISTOLOGY = ("sct:189948006", "sct:443643007", "sct:404029005")
_METASTASIS = (*_SPINAL_METASTASIS, "sct:128462008", "sct:94222008",
               "icd:C77*", "icd:C78*", "icd:C79*", "icd:C79.5*")
_LYMPHOMA = ("sct:118600007", "sct:118601006", "sct:448220006", "sct:448254007",
             "icd:C81*", "icd:C82*", "icd:C83*", "icd:C84*", "icd:C85*", "icd:C85.9*")
_MYELOMA = ("sct:109989006", "icd:C90*", "icd:C90.0*")
_PARAPARESIS = ("sct:23042008", "sct:312444006", "sct:60389000", "icd:G82.2*")
_CAUDA_EQUINA = ("sct:192970008", "sct:16846261000119106", "icd:G83.4")
_MRI_WHOLE = ("loinc:30854-4", "loinc:91561-1", "loinc:30855-1", "loinc:42698-1")
_MRI_SPINE_NOS = ("loinc:36531-2", "loinc:36256-6", "loinc:36400-0", "loinc:36067-7")
_MRI_CERVICAL = ("loinc:30667-0", "loinc:24938-3", "loinc:24937-5", "loinc:24935-9",
                 "cpt:72141", "cpt:72142", "cpt:72156")
_MRI_THORACIC = ("loinc:36532-0", "loinc:24982-1", "loinc:24981-3", "loinc:24980-5",
                 "cpt:72146", "cpt:72147", "cpt:72157")
_MRI_LUMBAR = ("loinc:30679-5", "loinc:30678-7", "loinc:24967-2", "loinc:24968-0",
               "loinc:91717-9", "loinc:91715-3", "loinc:91716-1",
               "cpt:72148", "cpt:72149", "cpt:72158")
_MRI_MULTI = ("loinc:89284-4", "loinc:43456-3", "loinc:43457-1", "loinc:94088-2")
_CT_MYELO_NOS = ("loinc:47985-7", "loinc:48442-8", "loinc:87922-1")
_XR_NOS = ("loinc:28613-8", "loinc:37879-4", "loinc:24928-4", "loinc:24984-7", "cpt:72020",
           "cpt:72080", "cpt:72081", "cpt:72082", "cpt:72083", "cpt:72084")
_XR_CERVICAL = ("loinc:24946-6", "loinc:36669-0", "loinc:43539-6", "cpt:72040", "cpt:72050",
                "cpt:72052")
_XR_THORACIC = ("loinc:24983-9", "loinc:37905-7", "cpt:72070", "cpt:72072", "cpt:72074")
_XR_LUMBAR = ("loinc:24972-2", "loinc:36670-8", "loinc:24970-6", "cpt:72100", "cpt:72110",
              "cpt:72114", "cpt:72120")
_INTRADURAL = (
    "sct:363475005", "sct:424549003", "sct:87131000119104", "sct:363476006", "sct:363477002",
    "sct:254983004", "sct:126964007", "sct:126963001", "sct:92406008", "sct:95108005",
    "sct:95109002", "sct:189167009", "sct:189016009", "sct:94600009", "sct:94601008",
    "sct:188462001", "icd:C72.0", "icd:C72.1", "icd:C70.1", "icd:D33.4", "icd:D32.1",
    "icd:D42.1", "icd:D43.4",
)
_BACK = ("sct:161891005", "sct:279039007", "sct:279038004", "sct:278862001", "sct:134407002",
         "icd:M54.5", "icd:M54.5*", "icd:M54.6", "icd:M54.9")
_RADICULAR = ("icd:M54.1*", "sct:128196005", "sct:2415007", "sct:42452002", "sct:54404000",
              "sct:111236008", "sct:69071001", "sct:82473003")
_MOTOR = ("sct:26544005", "sct:713514005", *_PARAPARESIS, "icd:R26.2")
_SPHINCTER = ("sct:267064002", "sct:236648008", "sct:72042002", "sct:425671009",
              "icd:R33.9", "icd:R32", "icd:R15.9", "icd:N31.9", "icd:K59.2")
_CORD = ("sct:71286001", "icd:G95.20", "icd:G95.29", *_CAUDA_EQUINA)
_ORAL_DEXA = ("rx:197577", "rx:343033", "rx:197579", "rx:197580", "rx:197581", "rx:197582",
              "rx:197583", "rx:2261802", "rx:309684", "rx:309686", "rx:846192", "rx:759697",
              "rx:759481", "rx:1869595", "rx:1943550", "rx:2121587", "rx:2387355")

#: name -> (description, members). ``icd:X*`` is an ICD-10-CM prefix.
SPECS: dict[VS, tuple[str, tuple[str, ...]]] = {
    VS.SPINE_MASS: (
        "Neoplasm of spinal cord, meninges, cauda equina or nerve root; spinal meningioma; "
        "intradural lipoma; primary malignant vertebral neoplasm; spinal metastasis",
        (*_MALIGNANT_SPINE, *_SPINAL_METASTASIS, "sct:126964007", "sct:126963001",
         "sct:92406008", "sct:95108005", "sct:95109002", "sct:189167009", "sct:189016009",
         "icd:D33.4", "icd:D32.1", "icd:D42.1", "icd:D43.4"),
    ),
    VS.SPINE_MASS_HISTOLOGY: (
        "Generic histology: a spine mass only with a spinal bodySite or another spine mass",
        _HISTOLOGY,
    ),
    VS.MALIGNANT_SPINE_MASS: ("Malignant primary spine neoplasm or spinal metastasis",
                              (*_MALIGNANT_SPINE, *_SPINAL_METASTASIS)),
    VS.SPINAL_METASTASIS: ("Metastasis to vertebral column, spinal cord or meninges",
                           _SPINAL_METASTASIS),
    VS.METASTASIS: ("Metastasis or secondary malignant neoplasm, any site", _METASTASIS),
    VS.UNKNOWN_PRIMARY: ("Unknown primary malignancy", ("sct:285619009", "icd:C80.1")),
    VS.SECONDARY_OR_UNKNOWN: ("Not a primary: secondary, metastasis or unknown primary",
                              (*_METASTASIS, "icd:C80*", "icd:C80.1")),
    VS.VERTEBRAL_MALIGNANCY: (
        "Vertebral metastasis or malignant vertebral mass (stability assessment)",
        ("sct:94602001", "sct:94250008", "sct:94274006", "sct:94389000", "sct:285619009",
         "icd:C41.2", "sct:372028007"),
    ),
    VS.BENIGN_INTRADURAL: (
        "Schwannoma, meningioma, neurofibroma, ependymoma, intradural lipoma, benign cord/meninges",
        (*_HISTOLOGY, "sct:189167009", "sct:189016009", "icd:D33.4", "icd:D32.1",
         "sct:92406008"),
    ),
    VS.MALIGNANCY: (
        "Malignancy: ICD-10-CM C00-C96, malignant spine codes, metastasis, lymphoma, myeloma",
        (*(f"icd:C{n:02d}*" for n in range(0, 97)), *_MALIGNANT_SPINE, *_METASTASIS,
         *_LYMPHOMA, *_MYELOMA),
    ),
    VS.LYMPHOMA: ("Lymphoma", _LYMPHOMA),
    VS.MYELOMA: ("Multiple myeloma or plasmacytoma", _MYELOMA),
    VS.CORD_COMPRESSION: (
        "Spinal cord compression or cauda equina syndrome/compression", _CORD,
    ),
    VS.CANCER_HISTORY: (
        "Personal history of malignant neoplasm: cancer and a confirmed primary (1.2)",
        ("icd:Z85*",),
    ),
    VS.NON_MELANOMA_SKIN: (
        "Non-melanoma skin cancer: not cancer, it does not seed the spine (1.2)",
        ("icd:C44*",),
    ),
    VS.BONE_METASTASIS: (
        "Bone metastasis: a spine mass and vertebral metastasis only with a spinal bodySite",
        ("sct:94222008", "icd:C79.51"),
    ),
    VS.INTRADURAL_SECONDARY: (
        "Secondary of other parts of the nervous system: an intradural spine mass only with a "
        "spinal bodySite",
        ("icd:C79.49",),
    ),
    VS.INTRADURAL_MASS: (
        "Spine mass of the spinal cord, meninges, cauda equina or nerve root (intradural)",
        _INTRADURAL,
    ),
    VS.SYMPTOM: (
        "Symptom Conditions: current only for 90 days after onset or recording (1.2)",
        (*_BACK, *_RADICULAR, *_MOTOR, *_SPHINCTER, *_CORD),
    ),
    VS.GENERALISED_WEAKNESS: (
        "Generalised weakness: not a neurological sign, so not a motor deficit (1.2)",
        ("icd:R53.1", "icd:M62.81"),
    ),
    VS.MRI_CONTRAST: (
        "Spine MRI with intravenous gadolinium (W, or WO and W, contrast)",
        ("loinc:91561-1", "loinc:30855-1", "loinc:36256-6", "loinc:36400-0", "loinc:24938-3",
         "loinc:24937-5", "loinc:24982-1", "loinc:24981-3", "loinc:30678-7", "loinc:24967-2",
         "loinc:89284-4", "loinc:43456-3", "loinc:94088-2", "loinc:91715-3", "loinc:91716-1",
         "cpt:72142", "cpt:72156", "cpt:72147", "cpt:72157", "cpt:72149", "cpt:72158"),
    ),
    VS.CAUDA_EQUINA: ("Cauda equina syndrome or compression", _CAUDA_EQUINA),
    VS.INSTABILITY: ("Spinal instability", ("sct:240220009", "sct:202823006", "icd:M53.2X*")),
    VS.SINS: ("Spine instability neoplastic score (ACR/RSNA CDE)", ("rad:RDES21",)),
    VS.PRIOR_RADIOTHERAPY: ("External beam RT procedure or history of irradiation",
                            ("sct:33195004", "icd:Z92.3")),
    VS.BACK_PAIN: ("Back pain", _BACK),
    VS.RADICULAR_PAIN: ("Radiculopathy, radicular syndrome, nerve root compression", _RADICULAR),
    VS.MOTOR_DEFICIT: (
        "Limb weakness, paraparesis/paraplegia, walking disability (not generalised weakness)",
        _MOTOR,
    ),
    VS.PARAPARESIS: ("Paraparesis or paraplegia (bilateral by nature)", _PARAPARESIS),
    VS.SPHINCTER: (
        "Urinary retention or incontinence, faecal incontinence, neurogenic bladder or bowel",
        _SPHINCTER,
    ),
    VS.SIDE_LEFT: ("Laterality left", ("sct:7771000",)),
    VS.SIDE_RIGHT: ("Laterality right", ("sct:24028007",)),
    VS.SIDE_BILATERAL: ("Laterality right and left", ("sct:51440002",)),
    VS.FINDING_PRESENT: ("Observation value: finding present", ("sct:52101004",)),
    VS.FINDING_ABSENT: ("Observation value: finding absent", ("sct:2667000",)),
    VS.WORSE: ("Observation interpretation: worse", ("v3:W",)),
    VS.ECOG: ("ECOG performance status", ("loinc:89247-1",)),
    VS.WHEELCHAIR: ("Dependence on wheelchair", ("sct:105503008", "icd:Z99.3")),
    VS.MRI_CONTRA_CONDITION: ("Pacemaker or ICD in situ",
                              ("sct:441509002", "icd:Z95.0", "icd:Z95.810")),
    VS.MRI_CONTRA_DEVICE: ("Pacemaker or implantable defibrillator device",
                           ("sct:424921004", "sct:72506001")),
    VS.MRI_CONTRA_PROCEDURE: ("Cochlear implant procedure", ("sct:359612003",)),
    VS.MRI_SPINE: ("MRI of the spine", (*_MRI_WHOLE, *_MRI_SPINE_NOS, *_MRI_CERVICAL,
                                        *_MRI_THORACIC, *_MRI_LUMBAR, *_MRI_MULTI)),
    VS.CT_MYELOGRAPHY: (
        "CT of the spine with intrathecal contrast",
        (*_CT_MYELO_NOS, "loinc:24934-2", "loinc:30596-1", "loinc:24965-6",
         "loinc:44113-9", "loinc:44114-7"),
    ),
    VS.XRAY_SPINE: ("Plain radiograph of the spine",
                    (*_XR_NOS, *_XR_CERVICAL, *_XR_THORACIC, *_XR_LUMBAR)),
    VS.DEXAMETHASONE: ("Dexamethasone, oral and injectable",
                       ("rx:3264", *_ORAL_DEXA, "rx:1116927", "rx:1116928", "rx:1812194",
                        "rx:48933")),
    VS.REFERRAL_NEUROSURGERY: ("Referral to neurosurgeon", ("sct:308482002",)),
    VS.REFERRAL_RADIOTHERAPY: ("Referral to radiotherapist", ("sct:306256000",)),
    VS.SPINE_BIOPSY: ("CT-guided spine or bone biopsy",
                      ("loinc:24986-2", "loinc:35891-1", "loinc:43567-7", "loinc:88316-5")),
    VS.IMAGING_WHOLE: ("Imaging of the whole spine", _MRI_WHOLE),
    VS.IMAGING_UNSPECIFIED: ("Imaging of the spine, more than one region or none named",
                             (*_MRI_SPINE_NOS, *_MRI_MULTI, *_CT_MYELO_NOS, *_XR_NOS)),
    VS.IMAGING_CERVICAL: ("Imaging of the cervical spine",
                          (*_MRI_CERVICAL, "loinc:24934-2", *_XR_CERVICAL)),
    VS.IMAGING_THORACIC: ("Imaging of the thoracic spine",
                          (*_MRI_THORACIC, "loinc:30596-1", "loinc:44113-9", *_XR_THORACIC)),
    VS.IMAGING_LUMBAR: ("Imaging of the lumbar spine",
                        (*_MRI_LUMBAR, "loinc:24965-6", "loinc:44114-7", *_XR_LUMBAR)),
    VS.SYMPTOM_CERVICAL: ("Symptoms localised to the cervical spine",
                          ("icd:M54.12", "icd:M54.13", "sct:54404000")),
    VS.SYMPTOM_THORACIC: ("Symptoms localised to the thoracic spine",
                          ("sct:279038004", "icd:M54.6", "icd:M54.14", "sct:42452002")),
    VS.SYMPTOM_LUMBAR: (
        "Symptoms localised to the lumbar spine",
        ("sct:279039007", "icd:M54.5", "icd:M54.5*", "icd:M54.15", "icd:M54.16", "icd:M54.17",
         "sct:128196005", "sct:2415007"),
    ),
}
# fmt: on
