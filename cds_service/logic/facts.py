"""Typed, immutable facts about one patient, as CLINICAL-RULES.md §1 defines them.

Rules never see FHIR JSON: they see a :class:`Facts` value. Each fact keeps the
``ResourceType/id`` it came from (:class:`Evidence`), so a card can say *why*. A fact
that could not be established is *unknown* (``None``, :attr:`Course.UNKNOWN`,
:attr:`Ambulatory.UNKNOWN`), never silently "normal".

The builder that fills these types from a :class:`~cds_service.logic.inputs.HookInput`
is :func:`cds_service.logic.extract.build_facts`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from enum import IntEnum
from enum import StrEnum
from typing import Any
from typing import NamedTuple


class Certainty(StrEnum):
    """Condition verification: provisional/differential/unconfirmed = suspected."""

    CONFIRMED = "confirmed"
    SUSPECTED = "suspected"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class Course(StrEnum):
    """Course of a motor deficit (§1 ``progressive``)."""

    NONE = "none"  # no present deficit: neither progressive nor stable
    PROGRESSIVE = "progressive"  # a later observation is worse, or interpretation W
    STABLE = "stable"  # >= 2 observations of one code, none worse than the one before
    UNKNOWN = "unknown"  # deficit present, course not established; counts as progressive

    @property
    def counts_as_progressive(self) -> bool:
        """Safety first: an unknown course is treated as progressive."""
        return self in (Course.PROGRESSIVE, Course.UNKNOWN)


class Ambulatory(StrEnum):
    AMBULATORY = "ambulatory"
    NOT_AMBULATORY = "not-ambulatory"
    UNKNOWN = "unknown"


class Priority(IntEnum):
    """FHIR request priority, ordered: routine < urgent < asap < stat."""

    ROUTINE = 0
    URGENT = 1
    ASAP = 2
    STAT = 3

    @property
    def code(self) -> str:
        return self.name.lower()


class Region(StrEnum):
    """Spinal region of symptoms or of an imaging order."""

    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    WHOLE = "whole"  # whole spine (C+T+L)
    UNSPECIFIED = "unspecified"  # "spine" with no region


class OrderKind(StrEnum):
    MRI_SPINE = "mri-spine"
    CT_MYELOGRAPHY = "ct-myelography"
    XRAY_SPINE = "xray-spine"
    DEXAMETHASONE = "dexamethasone"
    REFERRAL_NEUROSURGERY = "referral-neurosurgery"
    REFERRAL_RADIOTHERAPY = "referral-radiotherapy"
    SPINE_BIOPSY = "spine-biopsy"


class Evidence(NamedTuple):
    """One resource that supports a fact (a NamedTuple: one is built per relevant
    resource and call; compared and hashed by value).

    :param ref: ``ResourceType/id`` of the resource.
    :param label: what it says, for the card detail, e.g.
        ``"Spinal cord compression (SNOMED CT 71286001)"``.
    :param certainty: for Conditions, confirmed or suspected.
    :param side: laterality coded in ``bodySite``, if any.
    :param when: onset (Conditions), effective time (Observations) or the date rule of §1
        for orders and completed imaging.
    :param tags: sub-kinds used by rules, e.g. ``metastasis``, ``unknown-primary``,
        ``vertebral``, ``malignant``, ``benign-intradural``, ``paraparesis``, ``lymphoma``,
        ``myeloma``, ``radiotherapy``; each value set documents the tags it sets.
    """

    ref: str
    label: str
    certainty: Certainty | None = None
    side: Side | None = None
    when: datetime | None = None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Finding:
    """A fact that is present when it has evidence."""

    evidence: tuple[Evidence, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.evidence)

    @property
    def confirmed(self) -> bool:
        """Any supporting resource is confirmed."""
        return any(e.certainty is Certainty.CONFIRMED for e in self.evidence)

    @property
    def suspected_only(self) -> bool:
        """Present, and no supporting resource is confirmed."""
        return bool(self.evidence) and not self.confirmed

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.ref for e in self.evidence))

    def tagged(self, tag: str) -> Finding:
        """Return the sub-finding whose evidence carries ``tag``."""
        return Finding(tuple(e for e in self.evidence if tag in e.tags))

    def __or__(self, other: Finding) -> Finding:
        return Finding(tuple(dict.fromkeys(self.evidence + other.evidence)))


@dataclass(frozen=True)
class Order:
    """A pending order, from the record (status active/draft/on-hold) or ``draftOrders``.

    :param ref: ``ServiceRequest/id`` or ``MedicationRequest/id``.
    :param priority: ``None`` when the order states none (treated as routine).
    :param in_draft: it is one of this session's ``draftOrders``.
    :param selected: it is in ``context.selections`` (order-select).
    :param resource: the original resource, needed to build an ``update`` action.
    :param held: a record order on hold: it addresses nothing (§1, 1.2).
    :param stale: a record MRI order authored before the newest symptom onset (or more than
        14 days ago when an onset is unknown): too old to address the current symptoms.
    :param authored: ``authoredOn``, when stated and readable.
    """

    ref: str
    kind: OrderKind
    label: str
    priority: Priority | None = None
    region: Region | None = None
    in_draft: bool = False
    selected: bool = False
    resource: Mapping[str, Any] = field(default_factory=dict)
    held: bool = False
    stale: bool = False
    authored: datetime | None = None

    @property
    def addresses(self) -> bool:
        """It can address a card: pending, neither held nor stale."""
        return not (self.held or self.stale)

    @property
    def effective_priority(self) -> Priority:
        return self.priority if self.priority is not None else Priority.ROUTINE


@dataclass(frozen=True)
class Facts:
    """Everything the rules may read about one patient at one moment."""

    hook: str
    patient_id: str
    now: datetime
    profile: str = "dutch"
    age: int | None = None
    # context and disease
    spine_mass: Finding = Finding()  # tags: malignant, benign-intradural, vertebral, metastasis ...
    cancer: Finding = Finding()  # suspected or confirmed malignancy
    confirmed_primary: Finding = Finding()
    metastatic_suspicion: Finding = Finding()
    metastasis_or_unknown_primary: Finding = Finding()
    vertebral_malignancy: Finding = Finding()  # stability-assessment codes
    cord_compression: Finding = Finding()
    radiosensitive_histology: Finding = Finding()
    lymphoma_suspected: Finding = Finding()
    benign_intradural: Finding = Finding()
    intradural_suspected: Finding = Finding()  # a suspected or confirmed intradural lesion
    mscc: Finding = Finding()  # cord compression with cancer or metastatic suspicion
    instability: Finding = Finding()
    sins_recorded: bool = False
    prior_radiotherapy: Finding = Finding()
    # symptoms and signs (current only)
    back_pain: Finding = Finding()
    radicular_pain: Finding = Finding()
    motor_deficit: Finding = Finding()  # present deficits only
    paraparesis: Finding = Finding()  # paraparesis/paraplegia: bilateral by nature
    sphincter_dysfunction: Finding = Finding()
    bilateral: Finding = Finding()  # radicular pain or deficit on both sides
    deficit_onset: datetime | None = None  # None = unknown
    deficit_course: Course = Course.NONE
    ambulatory: Ambulatory = Ambulatory.UNKNOWN
    ambulatory_evidence: Finding = Finding()
    symptom_regions: frozenset[Region] = frozenset()
    # imaging and orders
    mri_contraindication: Finding = Finding()
    mri_done: Finding = Finding()
    orders: tuple[Order, ...] = ()
    # data-quality notes: resources skipped as malformed ("Observation/x: reason")
    skipped: tuple[str, ...] = ()
    # record parts that could not be obtained (their facts are unknown, not absent)
    unavailable: tuple[str, ...] = ()

    @property
    def context(self) -> bool:
        """Spine-mass context: nothing fires without it (alert fatigue is failure #1)."""
        return bool(self.spine_mass or self.metastatic_suspicion or self.cord_compression)

    @property
    def symptomatic(self) -> bool:
        return bool(
            self.back_pain
            or self.radicular_pain
            or self.motor_deficit
            or self.sphincter_dysfunction
        )

    @property
    def paediatric(self) -> bool:
        """Under 18 by ``Patient.birthDate``; an unknown age is treated as adult (§3)."""
        return self.age is not None and self.age < 18

    def pending(self, kind: OrderKind) -> tuple[Order, ...]:
        """Orders of one kind that address a card: record and draft alike, not held or stale."""
        return tuple(o for o in self.orders if o.kind is kind and o.addresses)

    def blocked(self, kind: OrderKind) -> tuple[Order, ...]:
        """Held or stale record orders of one kind: they address nothing, the card names them."""
        return tuple(o for o in self.orders if o.kind is kind and not o.addresses)
