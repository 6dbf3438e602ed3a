"""The service with parts switched off, served by ``bench/decompose.py`` (never shipped).

``BENCH_OFF`` names the parts, comma-separated:

- ``log``: the per-call JSON log line (its logger set to WARNING);
- ``metrics``: the Prometheus updates of a call (``/metrics`` stays);
- ``records``: the card records (nothing is queued or written);
- ``pipeline``: the clinical pipeline, whose first answer per service is replayed.

Each switch patches a module attribute that the service looks up at call time, so the
rest of the request (Flask, CORS, JSON in and out, the other features) runs as shipped.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from cds_service import logs
from cds_service import metrics
from cds_service import pipeline
from cds_service import store


class _Nothing:
    """A metric child that counts nothing."""

    def inc(self, *_: Any) -> None:
        pass

    def observe(self, *_: Any) -> None:
        pass


def _replay(call: Any) -> Any:
    answers: dict[str, Any] = {}

    def cached(service: Any, body: Any, settings: Any, fetcher: Any, *, now: Any = None) -> Any:
        if service.id not in answers:
            answers[service.id] = call(service, body, settings, fetcher, now=now)
        return answers[service.id]

    return cached


def _replace(module: Any, name: str, value: Any) -> None:
    """Patch ``module.name``; fail loudly if the service no longer has it (a silent no-op
    switch would make the decomposition lie)."""
    if not hasattr(module, name):
        raise SystemExit(f"bench/variants.py: {module.__name__}.{name} is gone; update the switch")
    setattr(module, name, value)


OFF = set(filter(None, os.environ.get("BENCH_OFF", "").split(",")))
unknown = OFF - {"log", "metrics", "records", "pipeline"}
if unknown:
    raise SystemExit(f"BENCH_OFF: unknown parts {sorted(unknown)}")
if "log" in OFF:
    logs.log.setLevel(logging.WARNING)
if "metrics" in OFF:
    _replace(metrics, "_child", lambda *_: _Nothing())
if "records" in OFF:
    _replace(store, "record_cards", lambda *_, **__: None)
if "pipeline" in OFF:
    _replace(pipeline, "call", _replay(pipeline.call))

from cds_service.wsgi import app  # noqa: E402 - after the patches, which it must see

__all__ = ["app"]
