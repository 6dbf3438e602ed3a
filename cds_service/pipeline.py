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

from . import hook_input
from . import prefetch
from . import schemas
from . import uuids
from .config import Settings
from .errors import InvalidRequest
from .fhir_client import Fetcher
from .fhir_json import resources_of
from .logic import Evaluation
from .logic import evaluate
from .logic.inputs import HookInput
from .registry import ServiceDescriptor


@dataclass(frozen=True)
class CallResult:
    """The response body plus what the log line and the card store need."""

    body: dict[str, Any]
    evaluation: Evaluation
    resolved: prefetch.Resolved


def validate_request(service: ServiceDescriptor, body: Any, settings: Settings) -> None:
    """Raise :class:`InvalidRequest` listing every problem of ``body`` (see :mod:`.schemas`)."""
    issues = schemas.validate_request(
        service, body, allow_loopback_http=settings.fhir_allow_loopback_http
    )
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
    return hook_input.build(
        service.hook,
        str(context.get("patientId", "")),
        record=[r for rs in resolved.resources.values() for r in rs] + resolved.extra,
        drafts=resources_of(context.get("draftOrders")),
        selections=context.get("selections") or (),
        now=now,
        profile=profile,
        unavailable=(
            service.unavailable_means.get(key, key) for key in sorted(resolved.unavailable)
        ),
    )


def call(
    service: ServiceDescriptor,
    body: Any,
    settings: Settings,
    fetcher: Fetcher,
    *,
    now: datetime | None = None,
) -> CallResult:
    """Run one CDS service call end to end; raise a :class:`~.errors.CDSError` on failure."""
    validate_request(service, body, settings)
    resolved = prefetch.resolve(service, body, settings, fetcher)
    inp = to_input(
        service,
        body,
        resolved,
        now=now or datetime.now(UTC),
        profile=settings.guideline_profile,
    )
    evaluation = evaluate(inp, new_uuid=uuids.new_uuid)
    return CallResult(
        body={"cards": [card.to_json() for card in evaluation.cards]},
        evaluation=evaluation,
        resolved=resolved,
    )
