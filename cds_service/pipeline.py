"""The one request pipeline every CDS service call goes through.

Order (as HAPI's ``CdsServiceRegistryImpl.callService``): validate the body, resolve
prefetch (fetching what is missing), reduce to a :class:`HookInput`, evaluate the rules,
render the cards. Views stay three lines; the order is reviewable here in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from . import hook_input
from . import prefetch
from . import schemas
from . import uuids
from .config import Settings
from .errors import InvalidRequest
from .errors import Issue
from .fhir_client import Fetcher
from .fhir_json import resources_of
from .jsonio import Path
from .logic import evaluate
from .logic.cards import Card
from .logic.extract.screen import may_have_context
from .logic.inputs import HookInput
from .logic.modes import ALL_ACTIVE
from .logic.modes import RuleModes
from .registry import ServiceDescriptor

log = logging.getLogger("cds_service.pipeline")


@dataclass(frozen=True)
class CallResult:
    """The response body plus what the log line and the card store need."""

    body: dict[str, Any]
    cards: tuple[Card, ...]
    silent: tuple[Card, ...]  # evaluated and recorded, not shown (rule modes)
    resolved: prefetch.Resolved
    patient_id: str  # context.patientId, as the logic read it


def validate_request(service: ServiceDescriptor, body: Any, settings: Settings) -> None:
    """Raise :class:`InvalidRequest` listing every problem of ``body`` (see :mod:`.schemas`)."""
    issues = schemas.validate_request(
        service, body, allow_loopback_http=settings.fhir_allow_loopback_http
    )
    if issues and (absent := _absent_order_context(service, body)):
        issues = [i for i in issues if i.expression not in absent]
    if issues:
        raise InvalidRequest(issues)


#: order-select context keys a client may leave out (the public CDS Hooks sandbox re-sends
#: the hook without them when a tab is clicked twice): answered as with no draft orders.
_ORDER_KEYS = ("selections", "draftOrders")


def _absent_order_context(service: ServiceDescriptor, body: Any) -> set[str]:
    """JSON paths of the order keys an ``order-select`` context lacks; logged when any."""
    context = body.get("context") if isinstance(body, Mapping) else None
    if service.hook != "order-select" or not isinstance(context, Mapping):
        return set()
    missing = [key for key in _ORDER_KEYS if key not in context]
    if missing:
        log.info(
            "order context incomplete: answered as with no draft orders",
            extra={"event": "context_incomplete", "service_id": service.id, "missing": missing},
        )
    return {f"$.context.{key}" for key in missing}


def to_input(
    service: ServiceDescriptor,
    body: Mapping[str, Any],
    resolved: prefetch.Resolved,
    *,
    now: datetime,
    profile: str,
) -> HookInput:
    """Reduce a validated request, its prefetch resolved by :func:`.prefetch.resolve`."""
    context = body.get("context") or {}
    drafts: list[dict[str, Any]] = []
    if service.hook != "patient-view":
        orders = context.get("draftOrders")
        aliases = prefetch.BundleAliases(orders)
        pid = context.get("patientId")
        given = resources_of(orders)
        other = prefetch.OtherPatient(pid, aliases)
        drafts = [r for r in given if not other(r)]
        resolved.foreign += len(given) - len(drafts)  # counted in the call's log line
    return hook_input.build(
        service.hook,
        str(context.get("patientId", "")),
        record=resolved.record(),
        drafts=drafts,
        selections=context.get("selections") or (),
        now=now,
        profile=profile,
        unavailable=tuple(
            service.unavailable_means.get(key, key) for key in sorted(resolved.unavailable)
        )
        + tuple(
            f"{count} unreadable resource{'s' if count > 1 else ''} skipped in prefetch '{key}'"
            for key, count in sorted(resolved.malformed.items())
        ),
        own_only=True,  # resolve() dropped other patients' resources, the drafts' just above
    )


def call(
    service: ServiceDescriptor,
    body: Any,
    settings: Settings,
    fetcher: Fetcher,
    *,
    now: datetime | None = None,
    unreadable: Sequence[Path] = (),
    modes: RuleModes = ALL_ACTIVE,
    fast_path: bool = True,
) -> CallResult:
    """Run one CDS service call end to end; raise a :class:`~.errors.CDSError` on failure.

    ``unreadable``: paths of the strings that were not valid Unicode, as
    :func:`.jsonio.parse_body` escaped and listed them.
    ``fast_path=False`` builds the facts of every call: the tests compare both answers.
    """
    if unreadable:
        _set_aside_unreadable(body, unreadable)
    validate_request(service, body, settings)
    resolved = prefetch.resolve(service, body, settings, fetcher)
    if service.hook == "patient-view" and fast_path and not may_have_context(resolved.record()):
        # Nearly every chart an EHR opens: no Condition that could give spine-mass context,
        # so no card (logic/extract/screen.py); answered without building the facts. The
        # order hooks, called only when orders are picked, always take the full path.
        patient = str((body.get("context") or {}).get("patientId", ""))
        return CallResult({"cards": []}, cards=(), silent=(), resolved=resolved, patient_id=patient)
    inp = to_input(
        service,
        body,
        resolved,
        now=now or datetime.now(UTC),
        profile=settings.guideline_profile,
    )
    evaluation = evaluate(inp, new_uuid=uuids.new_uuid, modes=modes)
    return CallResult(
        body={"cards": [card.to_json() for card in evaluation.cards]},
        cards=evaluation.cards,
        silent=evaluation.silent,
        resolved=resolved,
        patient_id=inp.patient_id,
    )


def _set_aside_unreadable(body: Any, paths: Sequence[Path]) -> None:
    """Mark each prefetched resource holding unreadable text; refuse any other such field.

    A resource is the EHR's data, so it is skipped and named (:func:`.prefetch.well_formed`);
    the envelope is the client's request, so it is a 400 naming the field.
    """
    envelope = []
    for path in paths:
        resource = _prefetched_resource(body, path)
        if resource is None:
            envelope.append(path)
        else:
            resource[prefetch.UNREADABLE] = True
    if envelope:
        raise InvalidRequest(
            [
                Issue("Text is not valid Unicode (a lone surrogate).", schemas.json_path(p))
                for p in envelope
            ]
        )


def _prefetched_resource(body: Any, path: Path) -> dict[str, Any] | None:
    """The resource of ``prefetch`` that ``path`` lies inside (not on its key), if any."""
    if len(path) < 3 or path[0] != "prefetch" or not isinstance(body, dict):
        return None
    value = body["prefetch"][path[1]]
    if not isinstance(value, dict):
        return None
    if value.get("resourceType") != "Bundle":
        return value
    if path[2] != "entry" or len(path) < 5:
        return None
    entry = value["entry"][path[3]]
    resource = entry.get("resource") if isinstance(entry, dict) else None
    return resource if isinstance(resource, dict) else None
