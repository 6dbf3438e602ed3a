"""Invariants of rule modes over every fixture request: silent = what would have been shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cds_service import pipeline
from cds_service.hooks import SERVICES
from cds_service.logic.catalog import TOPIC_CODES
from cds_service.logic.modes import COMPANION_TOPICS
from cds_service.logic.modes import Mode
from cds_service.logic.modes import RuleModes
from tests.conftest import FIXTURE_NOW

REQUESTS = sorted((Path(__file__).parent.parent / "fixtures/requests").glob("*/*--*.json"))
SERVICE = {s.hook: s for s in SERVICES}


def modes(mode: Mode) -> RuleModes:
    return RuleModes({t: mode for t in TOPIC_CODES if t not in COMPANION_TOPICS})


@pytest.mark.parametrize("path", REQUESTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_all_silent_records_exactly_the_cards_all_active_shows(path: Path) -> None:
    body = json.loads(path.read_text())
    service = SERVICE[body["hook"]]

    def run(m: Mode | None) -> pipeline.CallResult:
        chosen = modes(m) if m else RuleModes()
        return pipeline.call(service, body, {}, now=FIXTURE_NOW, modes=chosen)

    shown = run(None).evaluation
    silent = run(Mode.SILENT).evaluation
    off = run(Mode.OFF).evaluation
    assert shown.silent == () and silent.cards == () and off.cards == off.silent == ()
    key = [(c.topic, c.summary, c.detail, c.indicator) for c in shown.cards]
    assert [(c.topic, c.summary, c.detail, c.indicator) for c in silent.silent] == key
