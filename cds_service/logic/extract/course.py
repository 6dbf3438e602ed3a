"""Derived facts: deficit onset and course, laterality, ambulatory status, MRI done, age."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from ..facts import Ambulatory
from ..facts import Course
from ..facts import Evidence
from ..facts import Finding
from ..facts import Side
from .records import Item

MRI_RECENT = timedelta(days=14)
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def deficit_onset(conditions: Sequence[Item], present_obs: Sequence[Item]) -> datetime | None:
    """Earliest onset of a deficit Condition, else earliest present deficit Observation."""
    onsets = [c.when for c in conditions if c.when is not None]
    if not onsets:
        onsets = [o.when for o in present_obs if o.when is not None]
    return min(onsets, default=None)


def deficit_course(deficit_present: bool, deficit_obs: Sequence[Item]) -> Course:
    """Compare serial deficit Observations per code (CLINICAL-RULES.md §1 ``progressive``).

    A later grade below the best earlier grade is worse; so is a present finding after an
    absent one (absent = MRC 5). Ungraded "present" after a graded one is not comparable.
    """
    if not deficit_present:
        return Course.NONE
    if any(o.worse for o in deficit_obs):
        return Course.PROGRESSIVE
    by_code: dict[tuple[str, str], list[Item]] = {}
    for o in deficit_obs:
        by_code.setdefault(o.code, []).append(o)
    stable = False
    for series in by_code.values():
        series.sort(key=_when)
        best: int | None = None  # best (highest) MRC grade seen so far; absent = 5
        for o in series:
            if best is not None and _worse(o.level, best):
                return Course.PROGRESSIVE
            if o.level is not None:
                best = o.level if best is None else max(best, o.level)
        stable = stable or len(series) >= 2
    return Course.STABLE if stable else Course.UNKNOWN


def _worse(level: int | None, best: int) -> bool:
    if level is None:  # present, ungraded: worse only than a recorded absence
        return best == 5
    return level < best


def _when(item: Item) -> datetime:
    return item.when or _EPOCH


def bilateral(lateral: Sequence[Evidence], by_nature: Sequence[Evidence]) -> Finding:
    """Radicular pain or deficit on both sides: coded bilateral, left and right across
    resources, or a finding bilateral by nature (paraparesis, paraplegia, cauda equina)."""
    both = [e for e in lateral if e.side is Side.BILATERAL]
    left = [e for e in lateral if e.side is Side.LEFT]
    right = [e for e in lateral if e.side is Side.RIGHT]
    if left and right:
        both += left + right
    return Finding(tuple(dict.fromkeys([*both, *by_nature])))


def ambulatory(ecog: Sequence[Item], wheelchair: Sequence[Item]) -> tuple[Ambulatory, Finding]:
    """Wheelchair dependence means not ambulatory; else the newest ECOG (0-3 yes, 4 no)."""
    if wheelchair:
        return Ambulatory.NOT_AMBULATORY, Finding(tuple(w.evidence() for w in wheelchair))
    scored = [o for o in ecog if o.number is not None and 0 <= o.number <= 4]
    if not scored:
        return Ambulatory.UNKNOWN, Finding()
    newest = max(scored, key=_when)
    status = Ambulatory.NOT_AMBULATORY if newest.number == 4 else Ambulatory.AMBULATORY
    return status, Finding((newest.evidence(),))


def newest_symptom_onset(symptoms: Sequence[Item]) -> datetime | None:
    """Return the newest onset across symptoms, each symptom's onset being its first record.

    A symptom recorded again (a follow-up strength check of the weakness the MRI already
    imaged) is not a new onset and must not make that MRI "not done"; a new symptom, or a
    known one first recorded after the MRI, is, and asks for new imaging.
    """
    first: dict[tuple[str, str] | str, datetime] = {}
    for item in symptoms:
        if item.when is not None:
            key = item.code if any(item.code) else item.ref
            first[key] = min(first.get(key, item.when), item.when)
    return max(first.values(), default=None)


def mri_done(done: Sequence[Item], onset: datetime | None, now: datetime) -> Finding:
    """Completed spine MRI after the newest symptom onset, or within 14 days if none known."""
    if onset is not None:
        hits = [m for m in done if m.when is not None and m.when > onset]
    else:
        hits = [m for m in done if m.when is not None and m.when >= now - MRI_RECENT]
    return Finding(tuple(m.evidence() for m in hits))


def age_at(birth: datetime | None, now: datetime) -> int | None:
    if birth is None or birth > now:
        return None
    years = now.year - birth.year
    return years - 1 if (now.month, now.day) < (birth.month, birth.day) else years
