"""Prometheus metrics at ``/metrics``, correct under several gunicorn worker processes.

Counters are fed from two places, so no view is edited for them: every request to a CDS
service endpoint is timed by ``before/after_request`` (that also counts 400s, 401s and 412s
that never reach the logic), and the event bus (:mod:`cds_service.events`) delivers cards,
FHIR fallback fetches, feedback and JWT refusals.

With several workers each process only sees its own calls. When
``PROMETHEUS_MULTIPROC_DIR`` is set (``cds_service/gunicorn_conf.py`` sets it up), every
worker writes its samples to that directory and ``/metrics`` aggregates all of them, so a
scrape gives the same totals whichever worker answers it.

``/metrics`` is unauthenticated, like ``/health``: restrict it at the reverse proxy.
"""

from __future__ import annotations

import functools
import os
import time
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import current_app
from flask import g
from flask import request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

from . import events
from .config import settings_of

# Process-wide metric objects: created once at import, shared by every app of the process.
CALLS = Counter(
    "cds_service_calls_total",
    "CDS service calls by service and HTTP status.",
    ["service", "status"],
)
LATENCY = Histogram(
    "cds_service_call_duration_seconds",
    "Time to answer a CDS service call, seconds.",
    ["service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CARDS = Counter(
    "cds_cards_total", "Cards returned, by service and card topic.", ["service", "topic"]
)
SILENT_CARDS = Counter(
    "cds_silent_cards_total",
    "Cards evaluated and recorded but not returned (silent rule mode), by service and topic.",
    ["service", "topic"],
)
FHIR_FETCHES = Counter(
    "cds_fhir_fetches_total",
    "FHIR fallback fetches by prefetch key and outcome.",
    ["key", "status"],
)
FHIR_LATENCY = Histogram(
    "cds_fhir_fetch_duration_seconds",
    "Latency of one FHIR fallback fetch, seconds.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0),
)
FHIR_KEY_LATENCY = Histogram(
    "cds_fhir_fetch_key_duration_seconds",
    "Latency of one FHIR fallback fetch per prefetch key (every page), seconds.",
    ["key"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0),
)
PREFETCH_RESOURCES = Histogram(
    "cds_prefetch_resources",
    "Resources received per prefetch key and call, by source (prefetch or fhir fallback).",
    ["key", "source"],
    buckets=(0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000),
)
PREFETCH_BYTES = Histogram(
    "cds_prefetch_bytes",
    "JSON bytes received per prefetch key and call, by source (prefetch or fhir fallback).",
    ["key", "source"],
    buckets=(1e3, 1e4, 5e4, 1e5, 2.5e5, 5e5, 1e6, 2.5e6, 5e6),
)
PREFETCH_KEYS_ABSENT = Counter(
    "cds_prefetch_keys_absent_total",
    "Prefetch keys the EHR did not send (missing) or sent as a failure (failed), per key.",
    ["key", "reason"],
)
FEEDBACK = Counter(
    "cds_feedback_total", "Card feedback by service and outcome.", ["service", "outcome"]
)
AUTH_REFUSED = Counter("cds_auth_refused_total", "Refused JWTs by reason.", ["reason"])
DATABASE_UNAVAILABLE = Counter(
    "cds_database_unavailable_total",
    "Replay checks answered from the per-process cache, and feedback refused with 503, "
    "because the database could not be reached.",
    ["operation"],
)

CALL_ENDPOINT = "cds.call_service"
bp = Blueprint("metrics", __name__)


def init_app(app: Flask) -> None:
    """Serve ``/metrics`` and subscribe the counters, when ``METRICS_ENABLED``."""
    if not settings_of(app).metrics_enabled:
        return
    app.register_blueprint(bp)
    app.before_request(_start_timer)
    app.after_request(_count_call)
    events.subscribe(app, "call", _on_call)
    events.subscribe(app, "fhir_fetch", _on_fhir_fetch)
    events.subscribe(app, "prefetch_key_absent", _on_prefetch_key_absent)
    events.subscribe(app, "feedback", _on_feedback)
    events.subscribe(app, "auth_refused", _on_auth_refused)
    events.subscribe(app, "database_unavailable", _on_database_unavailable)


def _start_timer() -> None:
    if request.endpoint == CALL_ENDPOINT:
        g.cds_metrics_start = time.perf_counter()


def _count_call(response: Response) -> Response:
    start = g.pop("cds_metrics_start", None)
    if start is not None:
        service = str((request.view_args or {}).get("service_id", ""))
        if current_app.extensions["cds_registry"].get(service) is None:
            service = "unknown"  # a label per made-up URL would grow without bound
        _child(CALLS, service, str(response.status_code)).inc()
        _child(LATENCY, service).observe(time.perf_counter() - start)
    return response


@functools.cache
def _child(metric: Any, *labels: str) -> Any:
    """Return (once) a metric's child for ``labels``: ``labels()`` costs a lock per call.

    Bounded: services are the registry's or "unknown", statuses and topics are finite.
    """
    return metric.labels(*labels)


def _on_call(*, service_id: str, result: Any = None, **_: Any) -> None:
    """Count the returned and the silent cards of a successful call by topic."""
    if result is None:
        return
    for card in result.evaluation.cards:
        _child(CARDS, service_id, card.topic).inc()
    for card in getattr(result.evaluation, "silent", ()):
        _child(SILENT_CARDS, service_id, card.topic).inc()
    resolved = getattr(result, "resolved", None)
    for (key, source), (resources, size) in getattr(resolved, "received", {}).items():
        _child(PREFETCH_RESOURCES, key, source).observe(resources)
        _child(PREFETCH_BYTES, key, source).observe(size)


def _on_prefetch_key_absent(*, key: str, reason: str, **_: Any) -> None:
    _child(PREFETCH_KEYS_ABSENT, key, reason).inc()


def _on_fhir_fetch(*, key: str, status: str, latency_ms: float, **_: Any) -> None:
    FHIR_FETCHES.labels(key, status).inc()
    FHIR_LATENCY.observe(latency_ms / 1000.0)
    if status != "refused":  # a refused key was never sent: no latency to speak of
        _child(FHIR_KEY_LATENCY, key).observe(latency_ms / 1000.0)


def _on_feedback(*, service_id: str, outcome: str, **_: Any) -> None:
    FEEDBACK.labels(service_id, outcome).inc()


def _on_auth_refused(*, reason: str, **_: Any) -> None:
    AUTH_REFUSED.labels(reason).inc()


def _on_database_unavailable(*, operation: str, **_: Any) -> None:
    _child(DATABASE_UNAVAILABLE, operation).inc()


@bp.get("/metrics")
def metrics() -> Response:
    """Expose every metric; aggregated over all worker processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)
