"""Turn what the pass collected into :class:`Facts` (CLINICAL-RULES.md §1 table)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Sequence
from functools import cache

from ..facts import Certainty
from ..facts import Facts
from ..facts import Finding
from ..facts import Region
from ..inputs import HookInput
from ..valuesets import VS
from . import course
from .records import Collected
from .records import Item

SPINAL_WORDS = ("spine", "spinal", "vertebra", "cauda equina", "nerve root")
_SPINAL = re.compile("|".join(SPINAL_WORDS))
#: Evidence tags and the value sets that set them (``primary`` is computed).
TAGS: tuple[tuple[str, frozenset[VS]], ...] = (
    ("malignant", frozenset({VS.MALIGNANT_SPINE_MASS, VS.METASTASIS})),
    ("metastasis", frozenset({VS.METASTASIS})),
    ("unknown-primary", frozenset({VS.UNKNOWN_PRIMARY})),
    ("vertebral", frozenset({VS.VERTEBRAL_MALIGNANCY})),
    ("benign-intradural", frozenset({VS.BENIGN_INTRADURAL})),
    ("lymphoma", frozenset({VS.LYMPHOMA})),
    ("myeloma", frozenset({VS.MYELOMA})),
    ("cauda-equina", frozenset({VS.CAUDA_EQUINA})),
    ("paraparesis", frozenset({VS.PARAPARESIS})),
    ("radiotherapy", frozenset({VS.PRIOR_RADIOTHERAPY})),
)
REGION_SETS = (
    (VS.SYMPTOM_CERVICAL, Region.CERVICAL),
    (VS.SYMPTOM_THORACIC, Region.THORACIC),
    (VS.SYMPTOM_LUMBAR, Region.LUMBAR),
)
REGION_WORDS = (
    ("cervical", Region.CERVICAL),
    ("thoracic", Region.THORACIC),
    ("lumbar", Region.LUMBAR),
)


def is_primary(sets: frozenset[VS]) -> bool:
    return VS.MALIGNANCY in sets and VS.SECONDARY_OR_UNKNOWN not in sets


@cache
def tags_of(sets: frozenset[VS]) -> frozenset[str]:
    tags = {tag for tag, names in TAGS if sets & names}
    if is_primary(sets):
        tags.add("primary")
    return frozenset(tags)


_ABSENT = Finding()  # immutable, so every absent fact can share one
#: Value sets that make a Condition a spine mass when its own site is spinal.
_SITED = frozenset({VS.BONE_METASTASIS, VS.INTRADURAL_SECONDARY})
#: Value sets that make a spine mass intradural when its own site is spinal.
_SPINAL_INTRADURAL = frozenset({VS.INTRADURAL_SECONDARY, VS.SPINE_MASS_HISTOLOGY})


def finding(items: Sequence[Item]) -> Finding:
    """The finding the items support, each with the tags its value sets give it."""
    if not items:
        return _ABSENT
    return Finding(tuple(i.evidence(tags_of(i.sets)) for i in items))


def by_set(items: Iterable[Item]) -> dict[VS, list[Item]]:
    """Index items by value set, each list in record order: one pass instead of a scan
    per fact."""
    index: dict[VS, list[Item]] = {}
    for i in items:
        for vs in i.sets:
            index.setdefault(vs, []).append(i)
    return index


def having(items: Sequence[Item], *names: VS) -> list[Item]:
    """Return the items in any of the value sets ``names``, in record order."""
    return [i for i in items if not i.sets.isdisjoint(names)]


def confirmed(items: Sequence[Item]) -> list[Item]:
    return [i for i in items if i.certainty is Certainty.CONFIRMED]


def spinal(item: Item) -> bool:
    """Its ``bodySite`` names a spinal structure (the text rule of §1 ``spine_mass``)."""
    return _SPINAL.search(item.site) is not None


def spine_masses(conditions: Sequence[Item], in_sets: dict[VS, list[Item]]) -> list[Item]:
    """Spine-mass Conditions (§1): the spine-mass value set; generic histology with its own
    spinal site or beside another spine mass; a bone metastasis or a C79.49 secondary at a
    spinal site.

    :param in_sets: ``conditions`` indexed by :func:`by_set`.
    """

    def mass(c: Item) -> bool:
        return VS.SPINE_MASS in c.sets or (not c.sets.isdisjoint(_SITED) and spinal(c))

    others = bool(in_sets.get(VS.SPINE_MASS)) or any(
        mass(c) for name in _SITED for c in in_sets.get(name, [])
    )
    return [
        c
        for c in conditions
        if mass(c) or (VS.SPINE_MASS_HISTOLOGY in c.sets and (others or spinal(c)))
    ]


def intradural(spine: Sequence[Item], benign: Sequence[Item]) -> list[Item]:
    """Spine masses of the cord, meninges, cauda equina or nerve root (§1
    ``intradural_suspected``): their value set, a spinal C79.49, generic histology at a
    spinal site, or a benign intradural tumour."""
    return [
        c
        for c in spine
        if c in benign
        or VS.INTRADURAL_MASS in c.sets
        or (not c.sets.isdisjoint(_SPINAL_INTRADURAL) and spinal(c))
    ]


def presumed_mscc(cord: Finding) -> Finding:
    """Cord compression with cancer or metastatic suspicion: presumed metastatic (epidural)
    compression, a suspected malignant vertebral spine mass (§1 ``mscc``)."""
    tags = frozenset({"malignant", "vertebral", "mscc"})
    return Finding(
        tuple(e._replace(certainty=Certainty.SUSPECTED, tags=e.tags | tags) for e in cord.evidence)
    )


def regions(items: Iterable[Item]) -> frozenset[Region]:
    found: set[Region] = set()
    for i in items:
        for vs, region in REGION_SETS:
            if vs in i.sets:
                found.add(region)
        for word, region in REGION_WORDS:
            if word in i.site:
                found.add(region)
    return frozenset(found)


def assemble(acc: Collected, inp: HookInput) -> Facts:
    conds, obs = acc.conditions, acc.observations
    present = [o for o in obs if o.present]
    in_conds, in_present, in_obs = by_set(conds), by_set(present), by_set(obs)

    def symptom(name: VS) -> list[Item]:  # Conditions, then present Observations
        return in_conds.get(name, []) + in_present.get(name, [])

    spine = spine_masses(conds, in_conds)
    # Non-melanoma skin cancer (C44.-) does not seed the spine; a Z85.- history does count.
    cancer = [
        c for c in in_conds.get(VS.MALIGNANCY, []) if VS.NON_MELANOMA_SKIN not in c.sets
    ] + in_conds.get(VS.CANCER_HISTORY, [])
    lymphoma = in_conds.get(VS.LYMPHOMA, [])
    met_or_unknown = finding(having(conds, VS.METASTASIS, VS.UNKNOWN_PRIMARY))
    cord = in_conds.get(VS.CORD_COMPRESSION, [])
    back, radicular = symptom(VS.BACK_PAIN), symptom(VS.RADICULAR_PAIN)
    motor, sphincter = symptom(VS.MOTOR_DEFICIT), symptom(VS.SPHINCTER)
    motor_f, radicular_f, cord_f, cancer_f = (
        finding(motor),
        finding(radicular),
        finding(cord),
        finding(cancer),
    )
    paraparesis = motor_f.tagged("paraparesis")
    sins = in_obs.get(VS.SINS, [])
    symptoms = back + radicular + motor + sphincter + cord
    newest, unknown_onset = course.symptom_onsets(symptoms)
    mscc = presumed_mscc(cord_f) if cord and (cancer or met_or_unknown) else _ABSENT
    benign = confirmed(having(spine, VS.BENIGN_INTRADURAL))
    bone_spinal = [c for c in in_conds.get(VS.BONE_METASTASIS, []) if spinal(c)]
    ambulatory, ambulatory_evidence = course.ambulatory(
        in_obs.get(VS.ECOG, []), symptom(VS.WHEELCHAIR)
    )
    births = sorted(acc.birth_dates, key=lambda b: not b[0])
    return Facts(
        hook=inp.hook,
        patient_id=inp.patient_id,
        now=inp.now,
        profile=inp.profile,
        age=course.age_at(births[0][1] if births else None, inp.now),
        spine_mass=finding(spine) | mscc,
        cancer=cancer_f,
        confirmed_primary=finding(
            [i for i in confirmed(cancer) if is_primary(i.sets) or VS.CANCER_HISTORY in i.sets]
        ),
        metastatic_suspicion=cancer_f | met_or_unknown,
        metastasis_or_unknown_primary=met_or_unknown,
        vertebral_malignancy=finding(in_conds.get(VS.VERTEBRAL_MALIGNANCY, []) + bone_spinal)
        | mscc,
        cord_compression=cord_f,
        radiosensitive_histology=finding(confirmed(having(conds, VS.LYMPHOMA, VS.MYELOMA))),
        lymphoma_suspected=_ABSENT if confirmed(lymphoma) else finding(lymphoma),
        benign_intradural=finding(benign),
        intradural_suspected=finding(intradural(spine, benign)),
        mscc=mscc,
        instability=finding(
            in_conds.get(VS.INSTABILITY, []) + [s for s in sins if (s.number or 0) >= 7]
        ),
        sins_recorded=bool(sins),
        prior_radiotherapy=finding(
            in_conds.get(VS.PRIOR_RADIOTHERAPY, []) + having(acc.procedures, VS.PRIOR_RADIOTHERAPY)
        ),
        back_pain=finding(back),
        radicular_pain=radicular_f,
        motor_deficit=motor_f,
        paraparesis=paraparesis,
        sphincter_dysfunction=finding(sphincter),
        bilateral=course.bilateral(
            radicular_f.evidence + motor_f.evidence,
            paraparesis.evidence + cord_f.tagged("cauda-equina").evidence,
        ),
        deficit_onset=course.deficit_onset(
            in_conds.get(VS.MOTOR_DEFICIT, []), in_present.get(VS.MOTOR_DEFICIT, [])
        ),
        deficit_course=course.deficit_course(bool(motor), in_obs.get(VS.MOTOR_DEFICIT, [])),
        ambulatory=ambulatory,
        ambulatory_evidence=ambulatory_evidence,
        symptom_regions=regions(back + radicular + motor + sphincter),
        mri_contraindication=finding(
            in_conds.get(VS.MRI_CONTRA_CONDITION, [])
            + acc.devices
            + having(acc.procedures, VS.MRI_CONTRA_PROCEDURE)
        ),
        mri_done=course.mri_done(
            acc.imaging_done,
            symptoms,
            cord,
            whole_only=bool(cancer or met_or_unknown),
            now=inp.now,
        ),
        orders=course.mark_stale(acc.orders.values(), newest, unknown_onset, inp.now),
        skipped=tuple(acc.notes),
        unavailable=inp.unavailable,
    )
