"""Invariants of rule modes over every fixture request: silent = what would have been shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cds_service import pipeline
from cds_service.config import Settings
from cds_service.fhir_client import Fetcher
from cds_service.fhir_client import FetchSettings
from cds_service.hooks import SERVICES
from cds_service.logic.cards import Card
from cds_service.logic.catalog import TOPIC_CODES
from cds_service.logic.modes import COMPANION_TOPICS
from cds_service.logic.modes import Mode
from cds_service.logic.modes import RuleModes
from tests.support import FIXTURE_NOW

REQUESTS = sorted((Path(__file__).parent.parent / "fixtures/requests").glob("*/*--*.json"))
SERVICE = {s.hook: s for s in SERVICES}
#: No FHIR server is allowed: every fixture carries its whole record in prefetch.
SETTINGS = Settings()
FETCHER = Fetcher(FetchSettings.from_settings(SETTINGS))


def modes(mode: Mode) -> RuleModes:
    return RuleModes({t: mode for t in TOPIC_CODES if t not in COMPANION_TOPICS})


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_all_silent_records_exactly_the_cards_all_active_shows(path: Path) -> None:
    body = json.loads(path.read_text())
    service = SERVICE[body["hook"]]

    def run(m: Mode | None) -> pipeline.CallResult:
        chosen = modes(m) if m else RuleModes()
        return pipeline.call(service, body, SETTINGS, FETCHER, now=FIXTURE_NOW, modes=chosen)

    shown = run(None)
    silent = run(Mode.SILENT)
    off = run(Mode.OFF)
    # A device warning about a selected MRI order explains no other card: it has no mode of
    # its own to take, so it is always shown (a safety warning before a scan).
    standalone = [(c.topic, c.summary) for c in shown.cards if c.topic in COMPANION_TOPICS]
    standalone = [k for k in standalone if k in [(c.topic, c.summary) for c in silent.cards]]

    def sees(cards: tuple[Card, ...]) -> list[tuple[str, str, str, str]]:
        return [
            (c.topic, c.summary, c.detail, str(c.indicator))
            for c in cards
            if (c.topic, c.summary) not in standalone
        ]

    assert shown.silent == () and sees(silent.cards) == [] and off.silent == ()
    assert sees(off.cards) == []
    assert sees(silent.silent) == sees(shown.cards)
