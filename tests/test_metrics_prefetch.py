"""Per-key prefetch metrics: resources and bytes per key, keys missing or failed, latency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from prometheus_client import REGISTRY
from pytest_httpserver import HTTPServer

from cds_service import create_app
from cds_service.fhir_client import resources_of
from tests.fhir_search_server import SearchServer
from tests.fhir_search_server import fallback_settings
from tests.support import FIXTURE_NOW

RECORD = Path(__file__).parent / "fixtures/requests/patient-view"
RECORD_FILE = RECORD / "mri-12h--fires--cord-compression-snomed.json"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_each_key_reports_what_it_received_and_how_it_was_obtained(
    search_fhir: tuple[HTTPServer, SearchServer], tmp_path: Path
) -> None:
    server, search = search_fhir
    body: dict[str, Any] = json.loads(RECORD_FILE.read_text())
    search.pool = [r for v in body["prefetch"].values() for r in resources_of(v)]
    conditions = len(resources_of(body["prefetch"]["conditions"]))
    del body["prefetch"]["observations"]  # missing: fetched
    body["prefetch"]["devices"] = {"resourceType": "OperationOutcome", "issue": []}  # failed
    body["fhirServer"] = server.url_for("/fhir")
    app = create_app(fallback_settings(server, f"sqlite:///{tmp_path / 'db.sqlite'}"))
    app.extensions["cds_clock"] = lambda: FIXTURE_NOW
    names = {
        "cond_n": ("cds_prefetch_received_total", {"key": "conditions", "source": "prefetch"}),
        "cond_sum": ("cds_prefetch_resources_total", {"key": "conditions", "source": "prefetch"}),
        "cond_bytes": ("cds_prefetch_bytes_total", {"key": "conditions", "source": "prefetch"}),
        "obs_fetched": ("cds_prefetch_received_total", {"key": "observations", "source": "fhir"}),
        "obs_bytes": ("cds_prefetch_bytes_total", {"key": "observations", "source": "fhir"}),
        "missing": ("cds_prefetch_keys_absent_total", {"key": "observations", "reason": "missing"}),
        "failed": ("cds_prefetch_keys_absent_total", {"key": "devices", "reason": "failed"}),
        "latency": ("cds_fhir_fetch_key_duration_seconds_count", {"key": "devices"}),
    }
    client = app.test_client()
    client.get("/metrics")  # a scrape writes what earlier calls left pending
    before = {k: sample(n, **labels) for k, (n, labels) in names.items()}
    response = client.post("/cds-services/patient-view", json=body)
    assert response.status_code == 200
    client.get("/metrics")
    delta = {k: sample(n, **labels) - before[k] for k, (n, labels) in names.items()}
    assert (delta["cond_n"], delta["cond_sum"]) == (1, conditions)
    assert delta["cond_bytes"] >= len(
        json.dumps(body["prefetch"]["conditions"], separators=(",", ":"))
    )
    assert delta["obs_fetched"] == 1 and delta["obs_bytes"] > 0
    assert (delta["missing"], delta["failed"], delta["latency"]) == (1, 1, 1)


def test_a_key_that_ends_the_call_in_412_is_counted_too(tmp_path: Path) -> None:
    """No fhirServer and no conditions: the call is a 412, and the missing key still counts."""
    body: dict[str, Any] = json.loads(RECORD_FILE.read_text())
    del body["prefetch"]["conditions"]
    body.pop("fhirServer", None)
    app = create_app(
        {"TESTING": True, "AUTH_MODE": "off", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    )
    labels = {"key": "conditions", "reason": "missing"}
    before = sample("cds_prefetch_keys_absent_total", **labels)
    response = app.test_client().post("/cds-services/patient-view", json=body)
    assert response.status_code == 412
    assert sample("cds_prefetch_keys_absent_total", **labels) - before == 1
