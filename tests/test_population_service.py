"""A population run shows each patient exactly the cards the ``patient-view`` service returns.

Every patient-view clinical fixture (default and ``nice`` profile) becomes one patient of a
Bulk Data export; the same requests are then sent to the service over real HTTP on
127.0.0.1, at the same clock. Topics and summaries must match patient by patient, in order
(uuids differ by design), and a patient the service gives no card has no line.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from werkzeug.serving import make_server

from cds_service import create_app
from cds_service.cli import main
from tests.population_export import read_cards
from tests.population_export import request_resources
from tests.population_export import write_export
from tests.support import FIXTURE_NOW
from tests.support import FIXTURES
from tests.support import load_fixture

PROFILES = {"dutch": "requests/patient-view", "nice": "requests/nice/patient-view"}


@pytest.fixture
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The patient-view service on a real socket, at the fixture clock, for one profile."""
    app = create_app(
        {
            "TESTING": True,
            "AUTH_MODE": "off",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cds.sqlite'}",
            "GUIDELINE_PROFILE": request.param,
        }
    )
    app.extensions["cds_clock"] = lambda: FIXTURE_NOW
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/cds-services/patient-view"
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.parametrize("service", sorted(PROFILES), indirect=True)
def test_each_patient_gets_the_cards_the_service_returns(
    service: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    profile = request.node.callspec.params["service"]
    requests_by_patient: dict[str, Any] = {}
    for path in sorted((FIXTURES / PROFILES[profile]).glob("*.json")):
        body = load_fixture(str(path.relative_to(FIXTURES)))
        requests_by_patient[body["context"]["patientId"]] = body
    records = [r for body in requests_by_patient.values() for r in request_resources(body)]
    export = write_export(tmp_path / "export", records)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["population", str(export), "--out", str(out), "--workers", "2"]
        + ["--now", FIXTURE_NOW.isoformat(), "--profile", profile],
    )
    assert result.exit_code == 0, result.output
    population = read_cards(out)

    fired = 0
    with requests.Session() as http:
        for pid, body in requests_by_patient.items():
            response = http.post(service, json=body, timeout=30)
            assert response.status_code == 200, pid
            cards = response.json()["cards"]
            expected = (
                [c["source"]["topic"]["code"] for c in cards],
                [c["summary"] for c in cards],
                [c["indicator"] for c in cards],
            )
            line = population.get(pid, {"topics": [], "summaries": [], "indicators": []})
            assert (line["topics"], line["summaries"], line["indicators"]) == expected, pid
            fired += bool(cards)
    assert fired >= len(requests_by_patient) // 2, "the fixtures mostly fire: a real comparison"
