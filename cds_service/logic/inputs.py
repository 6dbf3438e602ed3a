"""What the decision logic is given: plain FHIR R4 JSON and the hook's context.

The logic reads raw resource dicts, tolerantly, instead of pydantic models: validating
every prefetched resource with fhir.resources is slow (docs/performance.md)
and one malformed resource must not cost the patient the cards the others support.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

HOOKS = ("patient-view", "order-select", "order-sign")
PROFILES = ("dutch", "nice")

Resource = Mapping[str, Any]


@dataclass(frozen=True)
class HookInput:
    """One CDS Hooks call, reduced to what the rules need.

    :param hook: ``patient-view``, ``order-select`` or ``order-sign``.
    :param patient_id: ``context.patientId`` (bare id).
    :param resources: every FHIR resource of the record from prefetch or fallback, Bundles
        already unpacked, OperationOutcomes removed; a ``Patient`` among them gives the age.
    :param draft_orders: the resources of ``context.draftOrders`` (order hooks only).
    :param selections: ``context.selections`` as ``Type/id`` strings (order-select only).
    :param now: the evaluation time (timezone-aware); injected so tests are repeatable.
    :param profile: guideline profile, ``dutch`` or ``nice``.
    :param unavailable: parts of the record that could not be obtained, in words (e.g.
        "Devices (pacemaker or defibrillator: MRI contraindication)"); every card says so.
    """

    hook: str
    patient_id: str
    now: datetime
    resources: tuple[Resource, ...] = ()
    draft_orders: tuple[Resource, ...] = ()
    selections: tuple[str, ...] = ()
    profile: str = "dutch"
    unavailable: tuple[str, ...] = ()
