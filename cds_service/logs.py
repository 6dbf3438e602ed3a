"""Structured logging: one JSON object per line, and the one line per service call.

Operators search logs by ``hookInstance`` (CDS Hooks' correlation id) and by event name,
so every record is JSON with ``ts``, ``level``, ``logger``, ``event`` and its ``extra``
fields. What is logged is chosen field by field: request bodies, tokens and patient
identifiers never reach a log line (CDS Hooks best practices; the tests check it).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import TextIO

import orjson
from flask import Flask
from flask import g

from . import events
from .config import setting

log = logging.getLogger("cds_service.calls")

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON line: fixed keys first, then the ``extra`` fields.

    Encoded by orjson (a line per call: the standard library's encoder cost several times
    more); a value orjson refuses (an integer past 64 bits) falls back to the standard one.
    """

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": getattr(record, "event", None) or message,
        }
        if line["event"] != message:
            line["message"] = message
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        try:
            return orjson.dumps(line, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except orjson.JSONEncodeError:
            return json.dumps(line, default=str, separators=(",", ":"))


def _start_clock() -> None:
    g.cds_started = time.perf_counter()


def elapsed_ms(notes: Any = g) -> float:
    """Return milliseconds since the request started (0 if the clock was not started).

    ``notes``: the request's ``g``, as the caller holds it.
    """
    started = notes.get("cds_started")
    return round((time.perf_counter() - started) * 1000, 2) if started else 0.0


class _JsonHandler(logging.StreamHandler[TextIO]):
    """The service's own handler: a second app in the process must not attach another."""


def init_app(app: Flask) -> None:
    """Attach the JSON handler to the ``cds_service`` loggers and start a clock per request."""
    # No process-wide logging switches here (``logging.logProcesses`` and the like): other
    # formatters in the process, gunicorn's among them, print those fields.
    logger = logging.getLogger("cds_service")
    logger.setLevel(str(setting(app.config, "LOG_LEVEL")).upper())
    if not any(isinstance(h, _JsonHandler) for h in logger.handlers):
        handler = _JsonHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    app.before_request(_start_clock)
    events.subscribe(app, "fhir_fetch", _note_fetch)


def _note_fetch(key: str, status: str, latency_ms: float) -> None:
    """Keep each fallback fetch's outcome for the call's log line (412s included)."""
    fetches: dict[str, Any] = g.setdefault("cds_fetches", {})
    fetches[key] = {"status": status, "ms": latency_ms}


def client_fields(notes: Any = g) -> dict[str, Any]:
    """Return the verified client's ``iss``/``tenant`` from the request globals ``notes``.

    Both the call and the feedback lines carry them: the first question about a line is
    which EHR sent it.
    """
    fields = {}
    for attr, key in (("cds_client_iss", "iss"), ("cds_client_tenant", "tenant")):
        if value := notes.get(attr):
            fields[key] = value
    return fields


def log_call(**fields: Any) -> None:
    """Emit the per-call line; ``fields`` are chosen by the caller, never a body or token."""
    log.info("call", extra={"event": "call", **fields})
