"""Evaluate one patient of an export exactly as the ``patient-view`` service would.

The committee's question is "what would the service show", so nothing here is a second
implementation: the patient's resources become the CDS Hooks request the service would
receive (every prefetch key filled, :meth:`cds_service.bundles.Record.cds_request`), and
that request goes through the service's own prefetch resolution and input builder
(:func:`service_input`, the one seam to swap if the pipeline changes) and the same logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import orjson

from .. import pipeline
from .. import prefetch
from .. import uuids
from ..bundles import Record
from ..config import Settings
from ..fhir_client import Fetcher
from ..fhir_client import FetchSettings
from ..hooks.patient_view import SERVICE
from ..logic import evaluate
from ..logic.inputs import HookInput
from .audit import AuditFacts
from .audit import audit_facts


def service_input(
    patient_id: str, resources: list[dict[str, Any]], *, now: datetime, profile: str
) -> HookInput:
    """The :class:`HookInput` the ``patient-view`` service builds for this record.

    Goes through the service's prefetch resolution (wrong-patient filter) and
    :func:`cds_service.pipeline.to_input` (de-duplication), so a resource the service would
    drop is dropped here too. Every key is prefetched, so nothing is ever fetched.
    """
    body = Record(patient_id=patient_id, resources=tuple(resources)).cds_request(
        "patient-view", hook_instance="population"
    )
    settings, fetcher = _offline()
    resolved = prefetch.resolve(SERVICE, body, settings, fetcher)
    return pipeline.to_input(SERVICE, body, resolved, now=now, profile=profile)


@cache
def _offline() -> tuple[Settings, Fetcher]:
    """Default settings (no FHIR server allowed) and a fetcher that is never called.

    Built once per process; the profile, the only setting that changes cards, is passed.
    """
    settings = Settings.load({})
    return settings, Fetcher(FetchSettings.from_settings(settings))


@dataclass(frozen=True)
class PatientResult:
    """What one patient gave: the cards (topic, indicator, summary) and the audit facts."""

    patient_id: str
    cards: tuple[tuple[str, str, str], ...] = ()  # (topic, indicator, summary), service order
    audit: AuditFacts | None = None  # None: not an MSCC patient
    failed: str | None = None  # why the patient could not be evaluated

    def cards_line(self) -> bytes:
        """This patient's line of ``cards.ndjson`` (keys sorted: byte-stable across engines)."""
        doc = {
            "patientId": self.patient_id,
            "topics": [c[0] for c in self.cards],
            "indicators": [c[1] for c in self.cards],
            "summaries": [c[2] for c in self.cards],
        }
        return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS) + b"\n"


def evaluate_patient(
    patient_id: str, resources: list[dict[str, Any]], *, now: datetime, profile: str
) -> PatientResult:
    """Evaluate one patient; an unexpected error costs this patient only, never the run."""
    try:
        inp = service_input(patient_id, resources, now=now, profile=profile)
        evaluation = evaluate(inp, new_uuid=uuids.new_uuid)
    except Exception as exc:  # noqa: BLE001 - one bad record must not stop a population run
        return PatientResult(patient_id, failed=type(exc).__name__)
    cards = tuple((c.topic, str(c.indicator), c.summary) for c in evaluation.cards)
    return PatientResult(patient_id, cards, audit_facts(evaluation.facts))
