"""Derived facts: deficit onset and course, laterality, ambulatory status, MRI done, age."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from ..facts import Ambulatory
from ..facts import Course
from ..facts import Evidence
from ..facts import Finding
from ..facts import Order
from ..facts import OrderKind
from ..facts import Side
from ..valuesets import VS
from .records import Item

MRI_RECENT = timedelta(days=14)
DIAGNOSED = timedelta(hours=72)  # a compression this soon after an MRI was found by it
IMAGING_ORDERS = frozenset({OrderKind.MRI_SPINE, OrderKind.CT_MYELOGRAPHY})
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def deficit_onset(conditions: Sequence[Item], present_obs: Sequence[Item]) -> datetime | None:
    """Earliest onset of a deficit Condition, else earliest present deficit Observation."""
    onsets = [c.when for c in conditions if c.when is not None]
    if not onsets:
        onsets = [o.when for o in present_obs if o.when is not None]
    return min(onsets, default=None)


def deficit_course(deficit_present: bool, deficit_obs: Sequence[Item]) -> Course:
    """Compare serial deficit Observations per code and side (CLINICAL-RULES.md §1).

    A later grade below the best earlier grade is worse; so is a present finding after an
    absent one (absent = MRC 5). Stable needs every series of a present deficit to hold two
    or more readable grades (or absences), none worse: a present record without a readable
    grade makes its series, and so the course, unknown (which counts as progressive).
    Series are kept per side as well as per code: a left leg graded against a right leg
    says nothing about either (the spec's "of one code" is read within one limb).
    """
    if not deficit_present:
        return Course.NONE
    if any(o.worse for o in deficit_obs):
        return Course.PROGRESSIVE
    by_code: dict[tuple[tuple[str, str], Side | None], list[Item]] = {}
    for o in deficit_obs:
        by_code.setdefault((o.code, o.side), []).append(o)
    verdicts: list[bool] = []
    for series in by_code.values():
        series.sort(key=_when)
        best: int | None = None  # best (highest) MRC grade seen so far; absent = 5
        for o in series:
            if best is not None and _worse(o.level, best):
                return Course.PROGRESSIVE
            if o.level is not None:
                best = o.level if best is None else max(best, o.level)
        if all(o.level == 5 for o in series):
            continue  # only recorded absences: no deficit in this series
        verdicts.append(len(series) >= 2 and all(o.level is not None for o in series))
    return Course.STABLE if verdicts and all(verdicts) else Course.UNKNOWN


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


def symptom_onsets(symptoms: Sequence[Item]) -> tuple[datetime | None, bool]:
    """Return the newest onset across current symptoms and whether any onset is unknown.

    Each symptom Condition has its own onset (``None``: unknown; ``recordedDate`` is never
    an onset). For Observations the first present record of each code is the onset: a
    follow-up strength check of the weakness an MRI already imaged is not a new onset.
    """
    first: dict[tuple[str, str] | str, datetime] = {}
    unknown = False
    for item in symptoms:
        if item.when is None:
            unknown = True
            continue
        key = item.code if any(item.code) else item.ref
        first[key] = min(first.get(key, item.when), item.when)
    return max(first.values(), default=None), unknown


def _diagnosed_by(mri: Item, condition: Item) -> bool:
    """A compression recorded within 72 h after an MRI was diagnosed by that MRI."""
    dated = condition.when or condition.recorded
    return mri.when is not None and dated is not None and mri.when <= dated <= mri.when + DIAGNOSED


def mri_done(
    done: Sequence[Item],
    symptoms: Sequence[Item],
    compressions: Sequence[Item],
    *,
    whole_only: bool,
    now: datetime,
) -> Finding:
    """Completed spine MRIs that answer every current symptom (§1 ``mri_done``, 1.2).

    An MRI counts when it is dated after each current symptom's onset; when any onset is
    unknown (or none is known at all), only an MRI of the last 14 days counts. Under metastatic suspicion only a
    whole-spine MRI counts. A compression Condition dated within 72 h after the MRI was
    diagnosed by it and does not make that MRI stale.
    """
    hits = []
    for m in done:
        if m.when is None or (whole_only and VS.IMAGING_WHOLE not in m.sets):
            continue
        diagnosed = [c for c in compressions if _diagnosed_by(m, c)]
        newest, unknown = symptom_onsets([s for s in symptoms if s not in diagnosed])
        if newest is not None and m.when <= newest:
            continue
        no_onset = newest is None and not diagnosed  # nothing dated to compare the MRI with
        if (unknown or no_onset) and m.when < now - MRI_RECENT:
            continue  # only a recent MRI answers symptoms of unknown onset
        hits.append(m)
    return Finding(tuple(m.evidence() for m in hits))


def mark_stale(
    orders: Iterable[Order], newest: datetime | None, unknown: bool, now: datetime
) -> tuple[Order, ...]:
    """Mark record imaging orders too old for the current symptoms as stale (§1, 1.2).

    A record MRI (or CT myelography) order counts only when authored after the newest
    symptom onset, and within the last 14 days when an onset is unknown; one without
    ``authoredOn`` counts (its age cannot be judged).
    """
    out = []
    for o in orders:
        authored = o.authored
        if o.in_draft or o.kind not in IMAGING_ORDERS or authored is None:
            out.append(o)
            continue
        too_old = (newest is not None and authored <= newest) or (
            unknown and authored < now - MRI_RECENT
        )
        out.append(replace(o, stale=True) if too_old else o)
    return tuple(out)


def age_at(birth: datetime | None, now: datetime) -> int | None:
    if birth is None or birth > now:
        return None
    years = now.year - birth.year
    return years - 1 if (now.month, now.day) < (birth.month, birth.day) else years
