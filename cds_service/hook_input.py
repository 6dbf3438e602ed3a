"""The one builder of the logic's input: the service, the CLI and the preview page use it.

Whatever a record came from (a CDS Hooks call's prefetch and fallback fetches, a patient
Bundle on disk, a recorded request), the rules must see the same thing, or the CLI's
"same logic as the service" would not hold: a resource sent twice counts once, and a
resource that names another patient is never read (a Condition of another patient must
never fire a card).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .logic.inputs import HookInput
from .prefetch import OtherPatient

Resource = dict[str, Any]


def build(
    hook: str,
    patient_id: str,
    *,
    record: Iterable[Resource],
    drafts: Iterable[Resource] = (),
    selections: Iterable[Any] = (),
    now: datetime,
    profile: str,
    unavailable: Iterable[str] = (),
    own_only: bool = False,
) -> HookInput:
    """Return the :class:`HookInput` for one call of ``hook`` about ``patient_id``.

    ``drafts`` (``context.draftOrders``) count for the order hooks only and ``selections``
    for ``order-select`` only, as CDS Hooks 2.0 defines those context fields.
    ``own_only``: ``record`` and ``drafts`` were already rid of other patients' resources
    (by :func:`.prefetch.resolve` and the pipeline, which also resolve ``urn:uuid``
    references); every other caller leaves that to this builder.
    """
    order_hook = hook != "patient-view"
    if not own_only:
        other = OtherPatient(patient_id)
        record = (r for r in record if not other(r))
        drafts = (r for r in drafts if not other(r))
    return HookInput(
        hook=hook,
        patient_id=patient_id,
        now=now,
        resources=_dedup(record),
        draft_orders=tuple(drafts) if order_hook else (),
        selections=tuple(s for s in selections if isinstance(s, str))
        if hook == "order-select"
        else (),
        profile=profile,
        unavailable=tuple(unavailable),
    )


def _dedup(resources: Iterable[Resource]) -> tuple[Resource, ...]:
    """Drop a resource sent twice (declared key and an undeclared one); keep id-less ones."""
    seen: set[tuple[Any, Any]] = set()
    out = []
    for res in resources:
        ident = (res.get("resourceType"), res.get("id"))
        if ident[1] is not None:
            if ident in seen:
                continue
            seen.add(ident)
        out.append(res)
    return tuple(out)
