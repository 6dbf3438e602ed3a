"""Narrowed prefetch: every fixture and example gives the same cards as the whole record.

Each record is served by a loopback FHIR search server (:mod:`tests.fhir_search_server`);
the service gets no prefetch and fetches through its templates, once narrowed (as
deployed) and once through the unnarrowed ones. The cards must be identical to each other
and to those of the same record sent as prefetch.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer

from cds_service import create_app
from cds_service.fhir_client import resources_of
from cds_service.hooks import SERVICES
from cds_service.hooks.prefetch_narrowing import MAX_TEMPLATE
from cds_service.hooks.prefetch_narrowing import NARROWINGS
from cds_service.hooks.prefetch_narrowing import expanded_length
from cds_service.hooks.prefetch_narrowing import tokens
from cds_service.hooks.prefetch_templates import FULL_RECORD_PREFETCH
from cds_service.logic.valuesets import VALUESETS
from cds_service.registry import Registry
from tests.fhir_search_server import SearchServer
from tests.fhir_search_server import fallback_settings
from tests.support import FIXTURE_NOW
from tests.support import every_request
from tests.support import normalise

ROOT = Path(__file__).parent.parent


REQUESTS = every_request()
TOKEN = re.compile(r"\{\{\s*([A-Za-z.]+)\s*\}\}")


def _app(tmp_path: Path, server: HTTPServer, *, full: bool) -> Flask:
    database = f"sqlite:///{tmp_path / ('full' if full else 'narrow')}.sqlite"
    app = create_app(fallback_settings(server, database))
    app.extensions["cds_clock"] = lambda: FIXTURE_NOW
    if full:
        app.extensions["cds_registry"] = Registry(
            tuple(dataclasses.replace(s, prefetch=FULL_RECORD_PREFETCH) for s in SERVICES)
        )
    return app


@pytest.fixture(scope="module")
def apps(
    tmp_path_factory: pytest.TempPathFactory, search_fhir: tuple[HTTPServer, SearchServer]
) -> dict[str, Flask]:
    tmp = tmp_path_factory.mktemp("narrowing")
    return {kind: _app(tmp, search_fhir[0], full=kind == "full") for kind in ("narrow", "full")}


def _cards(app: Flask, body: dict[str, Any], service: str) -> tuple[list[Any], Any]:
    response = app.test_client().post(f"/cds-services/{service}", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return normalise(response.get_json()["cards"]), response


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_narrowed_templates_give_the_cards_of_the_whole_record(
    name: str, apps: dict[str, Flask], search_fhir: tuple[HTTPServer, SearchServer]
) -> None:
    server, search = search_fhir
    body = json.loads(json.dumps(REQUESTS[name]))
    service = {"patient-view": "patient-view", "order-select": "order-select"}.get(
        body["hook"], "order-sign"
    )
    prefetched, _ = _cards(apps["full"], json.loads(json.dumps(body)), service)
    search.pool = [r for value in body.pop("prefetch").values() for r in resources_of(value)]
    body["fhirServer"] = server.url_for("/fhir")
    search.sent = {}
    narrow, _ = _cards(apps["narrow"], body, service)
    narrow_sent = sum(n for n, _ in search.sent.values())
    search.sent = {}
    full, _ = _cards(apps["full"], body, service)
    assert narrow == full == prefetched
    assert narrow_sent <= sum(n for n, _ in search.sent.values())


def test_the_equivalence_covers_cards_that_fire() -> None:
    """The records above must exercise the rules, not just silence."""
    fired = [name for name in REQUESTS if "--fires--" in name]
    assert len(fired) >= 40 and sum(name.startswith("examples/") for name in REQUESTS) >= 15


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.id)
def test_every_template_is_short_and_cds_hooks_2_only(service: Any) -> None:
    for key, template in service.prefetch.items():
        assert expanded_length(template) < MAX_TEMPLATE, key
        assert set(TOKEN.findall(template)) <= {"context.patientId"}, key


def test_the_narrowed_searches_hold_every_code_of_their_value_sets() -> None:
    """Derived from the data: a code added to a value set is in the template."""
    templates = {t.split("?")[0]: t for t in SERVICES[0].prefetch.values()}
    for rtype, rule in NARROWINGS.items():
        if rtype not in templates or not rule.code_param:
            continue
        for name in rule.value_sets:
            for term in VALUESETS[name].codes:
                assert re.search(rf"[=,|]{re.escape(term.code)}(,|&|$)", templates[rtype])
                if "." in term.code and term.system.endswith("icd-10-cm"):
                    bare = term.code.replace(".", "")
                    assert re.search(rf"[=,|]{re.escape(bare)}(,|&|$)", templates[rtype])
    assert "http://snomed.info/sct|424921004" in tokens(NARROWINGS["Device"].value_sets)


def test_every_search_of_the_record_is_narrowed_or_says_why_not() -> None:
    for template in SERVICES[0].prefetch.values():
        rtype, _, query = template.partition("?")
        assert not query or rtype in NARROWINGS, f"{rtype}: describe it in NARROWINGS"
