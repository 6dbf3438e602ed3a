"""The fast path: a chart that cannot have spine-mass context is answered without facts.

Nearly every ``patient-view`` call is about a patient with nothing to do with a spine mass;
the service screens the record (:mod:`cds_service.logic.extract.screen`) and answers those
without building facts. The screen must never cost a card: for every fixture and example
the answer is exactly the full path's, shown and silent cards alike.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cds_service import pipeline
from cds_service.config import Settings
from cds_service.fhir_client import Fetcher
from cds_service.fhir_client import FetchSettings
from cds_service.hooks import SERVICES
from cds_service.logic.catalog import TOPIC_CODES
from cds_service.logic.extract.screen import may_have_context
from cds_service.logic.modes import COMPANION_TOPICS
from cds_service.logic.modes import Mode
from cds_service.logic.modes import RuleModes
from tests.support import FIXTURE_NOW
from tests.support import every_request
from tests.support import normalise

REQUESTS = every_request()
SERVICE = {s.hook: s for s in SERVICES}
SETTINGS = Settings()  # no FHIR server allowed: every request carries its record
FETCHER = Fetcher(FetchSettings.from_settings(SETTINGS))
ALL_SILENT = RuleModes({t: Mode.SILENT for t in TOPIC_CODES if t not in COMPANION_TOPICS})


def _answer(body: dict[str, Any], modes: RuleModes, *, fast_path: bool) -> tuple[Any, ...]:
    result = pipeline.call(
        SERVICE[body["hook"]],
        copy.deepcopy(body),
        SETTINGS,
        FETCHER,
        now=FIXTURE_NOW,
        modes=modes,
        fast_path=fast_path,
    )
    silent = [(c.topic, c.summary, c.detail) for c in result.silent]
    return normalise(result.body["cards"]), silent, result.resolved.foreign


@pytest.mark.parametrize("modes", [RuleModes(), ALL_SILENT], ids=["active", "silent"])
@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_fast_path_answers_exactly_as_the_full_path(name: str, modes: RuleModes) -> None:
    body = REQUESTS[name]
    assert _answer(body, modes, fast_path=True) == _answer(body, modes, fast_path=False)


def _screened_out() -> list[str]:
    return [
        name
        for name, body in REQUESTS.items()
        if body["hook"] == "patient-view"
        and not may_have_context(
            pipeline.prefetch.resolve(
                SERVICE["patient-view"], copy.deepcopy(body), SETTINGS, FETCHER
            ).record()
        )
    ]


def test_the_fast_path_is_taken_for_charts_without_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above means something only if some requests take the fast path, and
    those are answered without the logic running at all."""
    screened = _screened_out()
    assert any("--silent--" in n for n in screened) and any("examples/" in n for n in screened)
    assert len(screened) < len(REQUESTS) / 2  # the rest take the full path

    def no_logic(*_: Any, **__: Any) -> None:
        raise AssertionError("the fast path ran the logic")

    monkeypatch.setattr(pipeline, "evaluate", no_logic)
    for name in screened:
        body = copy.deepcopy(REQUESTS[name])
        result = pipeline.call(SERVICE["patient-view"], body, SETTINGS, FETCHER, now=FIXTURE_NOW)
        assert result.body == {"cards": []} and result.cards == () == result.silent
