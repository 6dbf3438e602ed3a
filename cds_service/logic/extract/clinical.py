"""Conditions and Observations: currency filters of CLINICAL-RULES.md §1."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..facts import Certainty
from ..valuesets import VS
from ..valuesets import match
from .fhir import Malformed
from .fhir import as_list
from .fhir import choice_datetime
from .fhir import codes_in
from .fhir import codings
from .fhir import label
from .fhir import parse_datetime
from .fhir import sets_of
from .fhir import side_of
from .fhir import site_text
from .records import Collected
from .records import Item
from .records import lenient_datetime

CURRENT_CLINICAL = {"active", "recurrence", "relapse"}
CONFIRMED = {"confirmed"}
SUSPECTED = {"provisional", "differential", "unconfirmed"}
CURRENT_OBSERVATION = {"final", "amended", "corrected", "preliminary"}
OBSERVATION_WINDOW = timedelta(days=30)
_NUMERIC = {VS.SINS, VS.ECOG}


def certainty_of(res: Any) -> Certainty | None:
    """Return the certainty of a current Condition, ``None`` when it does not count.

    A status element with no code reads as absent: the Condition still counts rather than
    silently vanishing.
    """
    clinical = codes_in(res.get("clinicalStatus"))
    if clinical and not clinical & CURRENT_CLINICAL:
        return None
    verification = codes_in(res.get("verificationStatus"))
    if not verification or verification & CONFIRMED:
        return Certainty.CONFIRMED
    if verification & SUSPECTED:
        return Certainty.SUSPECTED
    return None  # refuted, entered-in-error or an unknown code


def read_condition(res: Any, ref: str, acc: Collected) -> None:
    cods = codings(res.get("code"))
    sets = sets_of(cods)
    if not sets:
        return
    certainty = certainty_of(res)
    if certainty is None:
        return
    when = lenient_datetime(res, "onset", ref, acc, period_end=False)
    body = res.get("bodySite")
    acc.conditions.append(
        Item(ref, label(cods, sets), sets, certainty, side_of(body), when, site_text(body))
    )


def read_observation(res: Any, ref: str, acc: Collected) -> None:
    cods = codings(res.get("code"))
    sets = sets_of(cods)
    if not sets or res.get("status") not in CURRENT_OBSERVATION:
        return
    when = choice_datetime(res, "effective", period_end=True)
    if when is None:
        raise Malformed("no effective date, cannot be placed in time")
    if when < acc.now - OBSERVATION_WINDOW:
        return
    first = next(c for c in cods if match(c[0], c[1])) if len(cods) > 1 else cods[0]
    if VS.MOTOR_DEFICIT in sets:
        level = deficit_level(res)
        present = level != 5
    else:
        level, present = None, not _recorded_absent(res)
    body = res.get("bodySite")
    # Positional, in Item's field order: keywords cost ~2x to bind (~0.3 µs an Observation).
    item = Item(
        ref,
        label(cods, sets),
        sets,
        None,  # certainty
        side_of(body),
        when,
        site_text(body),
        present,
        level,
        (first[0], first[1]),  # code
        "interpretation" in res and _has_worse(res["interpretation"]),  # worse
        score(res) if sets & _NUMERIC else None,  # number
    )
    acc.observations.append(item)


def _has_worse(interpretation: Any) -> bool:
    return any(VS.WORSE in match(s, c) for cc in as_list(interpretation) for s, c, _ in codings(cc))


def _recorded_absent(res: Any) -> bool:
    """An Observation stating the finding absent (valueBoolean false, 2667000) is no evidence."""
    if res.get("valueBoolean") is False:
        return True
    return any(
        VS.FINDING_ABSENT in match(s, c) for s, c, _ in codings(res.get("valueCodeableConcept"))
    )


def deficit_level(res: Any) -> int | None:
    """Return the MRC grade of a deficit Observation: 0-4 present, 5 absent, None present ungraded.

    Values the contract does not name (a string, another concept) read as present: unknown
    data never reads as normal.

    :raises Malformed: ``valueInteger`` is not an MRC grade 0-5.
    """
    if "valueInteger" in res:
        grade = res["valueInteger"]
        if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 5:
            raise Malformed("valueInteger is not an MRC grade 0-5")
        return int(grade)
    return 5 if _recorded_absent(res) else None


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
