"""Conditions and Observations: currency filters of CLINICAL-RULES.md §1."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import timedelta
from typing import Any

from ..cards import Coding
from ..facts import Certainty
from ..facts import Side
from ..valuesets import VS
from ..valuesets import match
from .fhir import Malformed
from .fhir import as_list
from .fhir import body_site
from .fhir import choice_datetime
from .fhir import coded
from .fhir import codes_in
from .fhir import label
from .fhir import parse_datetime
from .records import Collected
from .records import Item
from .records import lenient_datetime
from .records import lenient_element

CURRENT_CLINICAL = {"active", "recurrence", "relapse"}
CONFIRMED = {"confirmed"}
SUSPECTED = {"provisional", "differential", "unconfirmed"}
CURRENT_OBSERVATION = {"final", "amended", "corrected", "preliminary"}
OBSERVATION_WINDOW = timedelta(days=30)
#: Symptom Conditions count while recent: problem lists keep old symptoms active for years.
SYMPTOM_WINDOW = timedelta(days=90)
_NUMERIC = {VS.SINS, VS.ECOG}
_MALIGNANT = frozenset({VS.MALIGNANCY, VS.CANCER_HISTORY})
#: The value sets of symptoms: dropped from a Condition that is abated or too old.
_SYMPTOM_SETS = frozenset(
    {VS.SYMPTOM, VS.BACK_PAIN, VS.RADICULAR_PAIN, VS.MOTOR_DEFICIT, VS.PARAPARESIS}
    | {VS.SPHINCTER, VS.CORD_COMPRESSION, VS.CAUDA_EQUINA}
    | {VS.SYMPTOM_CERVICAL, VS.SYMPTOM_THORACIC, VS.SYMPTOM_LUMBAR}
)
_ABATEMENT = frozenset(
    {
        "abatementDateTime",
        "abatementAge",
        "abatementPeriod",
        "abatementRange",
        "abatementString",
        "abatementBoolean",
    }
)
#: An ``abatement[x]`` equal to one of these says nothing.
_NO_ABATEMENT: tuple[Any, ...] = (None, False, "", [], {})
#: MRC grade written as text: "4", "4/5" or "4 / 5".
_MRC_TEXT = re.compile(r"\s*([0-5])\s*(?:/\s*5\s*)?")


def certainty_of(res: Any, sets: frozenset[VS] = frozenset()) -> Certainty | None:
    """Return the certainty of a current Condition, ``None`` when it does not count.

    A status element with no code reads as absent: the Condition still counts rather than
    silently vanishing. A malignancy in remission, and a personal history of malignancy
    (Z85.-, any clinical status), count and count as confirmed (§1 ``cancer``, 1.2).
    """
    clinical = codes_in(res.get("clinicalStatus"))
    history = VS.CANCER_HISTORY in sets
    remission = "remission" in clinical and not sets.isdisjoint(_MALIGNANT)
    current = not clinical.isdisjoint(CURRENT_CLINICAL)
    if clinical and not (current or remission or history):
        return None
    verification = codes_in(res.get("verificationStatus"))
    if not verification or not verification.isdisjoint(CONFIRMED):
        return Certainty.CONFIRMED
    if not verification.isdisjoint(SUSPECTED):
        return Certainty.CONFIRMED if remission or history else Certainty.SUSPECTED
    return None  # refuted, entered-in-error or an unknown code


def _current_sets(
    res: Any, sets: frozenset[VS], onset: datetime | None, recorded: datetime | None, acc: Collected
) -> frozenset[VS]:
    """Drop the symptom value sets of a Condition that is abated or older than 90 days.

    Its date is the onset, else ``recordedDate``; with neither it counts (unknown is not old).
    """
    if not sets & _SYMPTOM_SETS:
        return sets
    dated = onset or recorded
    if _abated(res) or (dated is not None and dated < acc.now - SYMPTOM_WINDOW):
        return sets - _SYMPTOM_SETS
    return sets


def _abated(res: Any) -> bool:
    """An ``abatement[x]`` with a value (an empty one, or ``false``, says nothing)."""
    return any(res[k] not in _NO_ABATEMENT for k in _ABATEMENT.intersection(res))


def read_condition(res: Any, ref: str, acc: Collected) -> None:
    cods, sets = coded(res.get("code"))
    if not sets:
        return
    certainty = certainty_of(res, sets)
    if certainty is None:
        return
    when = lenient_datetime(res, "onset", ref, acc, period_end=False)
    recorded = lenient_element(res, "recordedDate", ref, acc)
    sets = _current_sets(res, sets, when, recorded, acc)
    if not sets:
        return
    side, site = body_site(res.get("bodySite"))
    acc.conditions.append(
        Item(
            ref=ref,
            label=label(cods, sets),
            sets=sets,
            certainty=certainty,
            side=side,
            when=when,
            site=site,
            recorded=recorded,
        )
    )


def read_observation(res: Any, ref: str, acc: Collected) -> None:
    """An Observation, and each of its ``component``s coded as a motor deficit (§1: read like
    an Observation with the parent's status, date and body site)."""
    if res.get("status") not in CURRENT_OBSERVATION:
        return
    cods, sets = coded(res.get("code"))
    parts = _deficit_components(res["component"]) if "component" in res else []
    if not sets and not parts:
        return
    when = choice_datetime(res, "effective", period_end=True)
    if when is None:
        raise Malformed("no effective date, cannot be placed in time")
    if when < acc.now - OBSERVATION_WINDOW:
        return
    side, site = body_site(res.get("bodySite"))
    worse_parent = "interpretation" in res and _has_worse(res["interpretation"])
    if sets:
        acc.observations.append(_item(res, ref, cods, sets, when, side, site, worse_parent))
    for comp, (comp_cods, comp_sets) in parts:
        worse = worse_parent or ("interpretation" in comp and _has_worse(comp["interpretation"]))
        acc.observations.append(_item(comp, ref, comp_cods, comp_sets, when, side, site, worse))


def _deficit_components(components: Any) -> list[tuple[Any, tuple[list[Coding], frozenset[VS]]]]:
    """The components coded as a motor deficit, each with its :func:`.fhir.coded` code."""
    return [
        (comp, comp_coded)
        for comp in as_list(components)
        if isinstance(comp, dict) and VS.MOTOR_DEFICIT in (comp_coded := coded(comp.get("code")))[1]
    ]


def _item(
    res: Any,
    ref: str,
    cods: list[Coding],
    sets: frozenset[VS],
    when: datetime,
    side: Side | None,
    site: str,
    worse: bool,
) -> Item:
    """One Observation (or component) reduced to what the facts need."""
    first = next(c for c in cods if match(c[0], c[1])) if len(cods) > 1 else cods[0]
    if VS.MOTOR_DEFICIT in sets:
        level = deficit_level(res)
        present = level != 5
    else:
        level, present = None, not _recorded_absent(res)
    return Item(
        ref=ref,
        label=label(cods, sets),
        sets=sets,
        side=side,
        when=when,
        site=site,
        present=present,
        level=level,
        code=(first[0], first[1]),
        worse=worse,
        number=None if sets.isdisjoint(_NUMERIC) else score(res),
    )


def _has_worse(interpretation: Any) -> bool:
    return any(VS.WORSE in coded(cc)[1] for cc in as_list(interpretation))


def _recorded_absent(res: Any) -> bool:
    """An Observation stating the finding absent (valueBoolean false, 2667000) is no evidence."""
    if res.get("valueBoolean") is False:
        return True
    concept = res.get("valueCodeableConcept")
    return concept is not None and VS.FINDING_ABSENT in coded(concept)[1]


def deficit_level(res: Any) -> int | None:
    """Return the MRC grade of a deficit Observation: 0-4 present, 5 absent, None present
    without a readable grade.

    The grade is read from ``valueInteger``, ``valueQuantity.value`` (a whole number 0-5, any
    unit) or ``valueString`` ("4", "4/5", "4 / 5"). Any other value (7, 3.5, "weak") is a
    present deficit whose grade is unreadable: unknown data never reads as normal, and an
    unreadable grade can never make a course stable.
    """
    if "valueInteger" in res:
        return _grade(res["valueInteger"])
    if "valueQuantity" in res:
        quantity = res["valueQuantity"]
        return _grade(quantity.get("value") if isinstance(quantity, dict) else None)
    if "valueString" in res:
        text = res["valueString"]
        found = _MRC_TEXT.fullmatch(text) if isinstance(text, str) else None
        return int(found.group(1)) if found else None
    return 5 if _recorded_absent(res) else None


def _grade(value: Any) -> int | None:
    """A whole number 0-5 (``4.0`` too); anything else is unreadable (``None``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not 0 <= value <= 5 or value != round(value):  # NaN and infinities fail the range
        return None
    return int(value)


def score(res: Any) -> float | None:
    """Return a numeric score (valueInteger or valueQuantity.value), ``None`` when not stated.

    :raises Malformed: a value is stated but is not a number.
    """
    value: Any = res.get("valueInteger")
    if value is None and isinstance(res.get("valueQuantity"), dict):
        value = res["valueQuantity"].get("value")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed("score value is not a number")
    return float(value)


def read_birth_date(res: Any, is_patient: bool, acc: Collected) -> None:
    when = parse_datetime(res.get("birthDate"), "birthDate")
    if when is not None:
        acc.birth_dates.append((is_patient, when))
