"""The one request pipeline every CDS service call goes through.

Order (as HAPI's ``CdsServiceRegistryImpl.callService``): validate the body, resolve
prefetch (fetching what is missing), reduce to a :class:`HookInput`, evaluate the rules,
render the cards. Views stay three lines; the order is reviewable here in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from . import fhir_client
from . import prefetch
from . import schemas
from . import uuids
from .config import flag
from .config import setting
from .errors import InvalidRequest
from .logic import Evaluation
from .logic import evaluate
from .logic.inputs import HookInput
from .logic.modes import ALL_ACTIVE
from .logic.modes import RuleModes
from .registry import ServiceDescriptor


@dataclass(frozen=True)
class CallResult:
    """The response body plus what the log line and the card store need."""

    body: dict[str, Any]
    evaluation: Evaluation
    resolved: prefetch.Resolved


def validate_request(
    service: ServiceDescriptor, body: Any, settings: Mapping[str, Any] | None = None
) -> None:
    """Raise :class:`InvalidRequest` listing every problem of ``body`` (see :mod:`.schemas`)."""
    loopback = flag(setting(settings or {}, "FHIR_ALLOW_LOOPBACK_HTTP"))
    issues = schemas.validate_request(service, body, allow_loopback_http=loopback)
    if issues:
        raise InvalidRequest(issues)


def to_input(
    service: ServiceDescriptor,
    body: Mapping[str, Any],
    resolved: prefetch.Resolved,
    *,
    now: datetime,
    profile: str,
) -> HookInput:
    """Reduce a validated request to what the logic reads."""
    context = body.get("context") or {}
    resources = _dedup([r for rs in resolved.resources.values() for r in rs] + resolved.extra)
    pid = context.get("patientId")
    draft = (
        tuple(
            r
            for r in fhir_client.resources_of(context.get("draftOrders"))
            if not prefetch.names_other_patient(r, pid)
        )
        if service.hook != "patient-view"
        else ()
    )
    selections = tuple(s for s in context.get("selections") or () if isinstance(s, str))
    return HookInput(
        hook=service.hook,
        patient_id=str(context.get("patientId", "")),
        now=now,
        resources=resources,
        draft_orders=draft,
        selections=selections if service.hook == "order-select" else (),
        profile=profile,
        unavailable=tuple(
            service.unavailable_means.get(key, key) for key in sorted(resolved.unavailable)
        ),
    )


def _dedup(resources: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
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


def call(
    service: ServiceDescriptor,
    body: Any,
    settings: Mapping[str, Any],
    *,
    now: datetime | None = None,
    modes: RuleModes = ALL_ACTIVE,
) -> CallResult:
    """Run one CDS service call end to end; raise a :class:`~.errors.CDSError` on failure."""
    validate_request(service, body, settings)
    resolved = prefetch.resolve(service, body, settings)
    inp = to_input(
        service,
        body,
        resolved,
        now=now or datetime.now(UTC),
        profile=str(setting(settings, "GUIDELINE_PROFILE")),
    )
    evaluation = evaluate(inp, new_uuid=uuids.new_uuid, modes=modes)
    return CallResult(
        body={"cards": [card.to_json() for card in evaluation.cards]},
        evaluation=evaluation,
        resolved=resolved,
    )
