"""A tiny in-process event bus, so cross-cutting features never edit the views.

Producers call :func:`emit`; the card store, metrics and logging :func:`subscribe` in their
``init_app``. Events and their keyword data:

``call``          service_id, hook_instance, status, duration_ms, result (CallResult or None)
``fhir_fetch``    key, status ("ok" | "error" | "timeout" | "refused"), latency_ms
``auth_refused``  reason (a short code such as "expired", "bad-signature"; never the token)
``feedback``      service_id, outcome ("accepted" | "overridden"), stored (bool)
``database_unavailable``  operation ("replay_check" | "feedback"): done without the database

A failing subscriber is logged and ignored: analytics must never cost a clinician a card.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask import current_app

Subscriber = Callable[..., None]
log = logging.getLogger("cds_service.events")


def _subscribers(app: Flask) -> dict[str, list[Subscriber]]:
    subs: dict[str, list[Subscriber]] = app.extensions.setdefault("cds_events", {})
    return subs


def subscribe(app: Flask, name: str, fn: Subscriber) -> None:
    """Call ``fn(**data)`` on every ``name`` event of ``app``."""
    _subscribers(app).setdefault(name, []).append(fn)


def emit(name: str, **data: Any) -> None:
    """Deliver an event to the current app's subscribers."""
    for fn in _subscribers(current_app).get(name, ()):
        try:
            fn(**data)
        except Exception as exc:  # noqa: BLE001 - a subscriber must not break a call
            log.error(
                "event subscriber failed",
                extra={
                    "event": "subscriber_error",
                    "event_name": name,
                    "error_type": type(exc).__name__,
                },
            )
