"""Prometheus metrics at ``/metrics``, correct under several worker processes.

Counters are fed by the event bus (:mod:`cds_service.events`), so no view is edited for
them: every CDS service call (400s, 401s and 412s that never reach the logic included,
timed by the call's log clock), cards, FHIR fallback fetches, feedback and JWT refusals.

With several workers each process only sees its own calls. When
``PROMETHEUS_MULTIPROC_DIR`` is set (:mod:`cds_service.serving` sets it up), every
worker writes its samples to that directory and ``/metrics`` aggregates all of them, so a
scrape gives the same totals whichever worker answers it.

The prefetch counters change by about thirty increments on every call, and in
multiprocess mode each increment writes the shared file: that cost as much as the rest of a
no-context call's own work (docs/performance.md). So they are summed in the worker and
written at most once a second (:class:`PrefetchTally`): a scrape may see them up to a second late,
never lose them on a graceful stop.

``/metrics`` is unauthenticated, like ``/health``: restrict it at the reverse proxy.
"""

from __future__ import annotations

import atexit
import functools
import os
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Response
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess

from . import events
from .config import settings_of
from .store.daemon import ProcessThread

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
# Per key and source (prefetch sent by the EHR, fhir fetched by the service): divided by
# the calls, the mean an EHR pays per chart opening for each key.
PREFETCH_CALLS = Counter(
    "cds_prefetch_received",
    "Calls in which a prefetch key was received, by key and source (prefetch or fhir).",
    ["key", "source"],
)
PREFETCH_RESOURCES = Counter(
    "cds_prefetch_resources",
    "Resources received for a prefetch key, by key and source (prefetch or fhir).",
    ["key", "source"],
)
PREFETCH_BYTES = Counter(
    "cds_prefetch_bytes",
    "JSON bytes received for a prefetch key, by key and source (prefetch or fhir).",
    ["key", "source"],
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
# "livesum": a worker counts while it lives; the server marks a dead worker's file
# (serving.worker_died), so a crashed and respawned worker is not counted twice.
WORKERS = Gauge(
    "cds_worker_processes",
    "Worker processes serving the API (should equal the configured workers).",
    multiprocess_mode="livesum",
)


class PrefetchTally:
    """What each prefetch key brought, summed in this process, written at most every second.

    Written by the call that finds ``interval_s`` has passed, by a daemon thread when the
    worker is idle, before this worker answers ``/metrics``, and at exit (the server's
    worker-exit duty, :func:`cds_service.serving.worker_stopping`, and ``atexit``). A forked child starts with nothing pending.
    """

    def __init__(self, interval_s: float = 1.0) -> None:
        self.interval_s = interval_s
        self._reset()

    def _reset(self) -> None:
        self._daemon = ProcessThread(self._run, "metrics-tally")
        self._lock = threading.Lock()
        # (key, source) -> [calls, resources, bytes]
        self._pending: dict[tuple[str, str], list[int]] = {}
        self._written_at = time.monotonic()

    def add(self, received: Mapping[tuple[str, str], tuple[int, int]]) -> None:
        """Add one call's ``(key, source) -> (resources, bytes)``; write if a second passed."""
        if self._daemon.forked():
            self._reset()
        with self._lock:
            pending = self._pending
            for key, (resources, size) in received.items():
                if (sums := pending.get(key)) is None:
                    pending[key] = [1, resources, size]
                else:
                    sums[0] += 1
                    sums[1] += resources
                    sums[2] += size
        self._daemon.ensure_started()
        if time.monotonic() - self._written_at >= self.interval_s:
            self.flush()

    def flush(self) -> None:
        """Write every pending sum to its counters now."""
        if self._daemon.forked():
            return
        with self._lock:
            pending, self._pending = self._pending, {}
            self._written_at = time.monotonic()
        for (key, source), (calls, resources, size) in pending.items():
            _child(PREFETCH_CALLS, key, source).inc(calls)
            _child(PREFETCH_RESOURCES, key, source).inc(resources)
            _child(PREFETCH_BYTES, key, source).inc(size)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval_s)
            if time.monotonic() - self._written_at >= self.interval_s:
                self.flush()


TALLY = PrefetchTally()
atexit.register(TALLY.flush)


def flush() -> None:
    """Write this process's pending counter sums (a server's worker exit, tests)."""
    TALLY.flush()


bp = Blueprint("metrics", __name__)


def init_app(app: Flask) -> None:
    """Serve ``/metrics`` and subscribe the counters, when ``METRICS_ENABLED``."""
    if not settings_of(app).metrics_enabled:
        return
    app.register_blueprint(bp)
    WORKERS.set(1)
    events.subscribe(app, "call", _on_call)
    events.subscribe(app, "fhir_fetch", _on_fhir_fetch)
    events.subscribe(app, "prefetch_key_absent", _on_prefetch_key_absent)
    events.subscribe(app, "feedback", _on_feedback)
    events.subscribe(app, "auth_refused", _on_auth_refused)
    events.subscribe(app, "database_unavailable", _on_database_unavailable)


@functools.cache
def _child(metric: Any, *labels: str) -> Any:
    """Return (once) a metric's child for ``labels``: ``labels()`` costs a lock per call.

    Bounded: services are the registry's or "unknown", statuses and topics are finite.
    """
    return metric.labels(*labels)


def _on_call(
    *, service_id: str, status: int, duration_ms: float, result: Any = None, **_: Any
) -> None:
    """Count every call by status with its latency, and a successful one's cards by topic."""
    _child(CALLS, service_id, str(status)).inc()
    _child(LATENCY, service_id).observe(duration_ms / 1000.0)
    if result is None:
        return
    for card in result.cards:
        _child(CARDS, service_id, card.topic).inc()
    for card in result.silent:
        _child(SILENT_CARDS, service_id, card.topic).inc()
    TALLY.add(result.resolved.received)


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
    TALLY.flush()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)
