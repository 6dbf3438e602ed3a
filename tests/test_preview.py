"""The preview page and its small API (the browser test drives it for real)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service import create_app
from cds_service.logic.extract.fhir import parse_timestamp

EXAMPLES = Path(__file__).parent.parent / "examples"


def preview_client(settings: dict[str, Any], **extra: Any) -> FlaskClient:
    return create_app({**settings, **extra}).test_client()


def status(client: FlaskClient, url: str) -> int:
    with client.get(url) as response:  # closes the static file
        return response.status_code


def test_preview_is_on_in_development_and_off_in_production(settings: dict[str, Any]) -> None:
    assert status(preview_client(settings, ENV="development"), "/preview/") == 200
    assert status(preview_client(settings, ENV="production"), "/preview/") == 404
    on = preview_client(settings, ENV="production", PREVIEW_ENABLED=True)
    assert status(on, "/preview/") == 200
    off = preview_client(settings, ENV="development", PREVIEW_ENABLED=False)
    assert status(off, "/preview/") == 404


def test_page_and_assets_are_served_locally(settings: dict[str, Any]) -> None:
    client = preview_client(settings, PREVIEW_ENABLED=True)
    with client.get("/preview/") as response:
        page = response.get_data(as_text=True)
    assert "http://" not in page and "https://" not in page  # nothing from a CDN
    for asset in ("static/preview.js", "static/preview.css"):
        assert asset in page
        with client.get(f"/preview/{asset}") as response:
            assert response.status_code == 200
            assert "https://" not in response.get_data(as_text=True)


def test_examples_are_listed_and_served_without_path_traversal(settings: dict[str, Any]) -> None:
    client = preview_client(settings, PREVIEW_ENABLED=True)
    listed = {
        e["name"]: e["hook"] for e in client.get("/preview/api/examples").get_json()["examples"]
    }
    assert len(listed) == 15 and "expectations" not in listed
    assert listed["order-select-xray-request"] == "order-select"
    body = client.get("/preview/api/examples/myeloma-vertebral-lesion").get_json()
    assert body["resourceType"] == "Bundle"
    assert client.get("/preview/api/examples/..%2Fpyproject").status_code == 404


def test_built_request_is_accepted_by_the_real_endpoint(settings: dict[str, Any]) -> None:
    client = preview_client(settings, PREVIEW_ENABLED=True)
    bundle = json.loads((EXAMPLES / "draft-routine-mri-weakness.json").read_text())
    built = client.post("/preview/api/request", json={"input": bundle, "hook": "order-select"})
    request = built.get_json()
    assert request["context"]["selections"] == ["ServiceRequest/mri-thoracic"]
    assert "fhirServer" not in request  # the preview never makes the service call out
    response = client.post("/cds-services/order-select", json=request)
    assert response.status_code == 200 and "cards" in response.get_json()


def test_not_a_record_is_an_operation_outcome(settings: dict[str, Any]) -> None:
    client = preview_client(settings, PREVIEW_ENABLED=True)
    response = client.post("/preview/api/request", json={"input": {"resourceType": "Patient"}})
    assert response.status_code == 400
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_markdown_is_rendered_without_raw_html(settings: dict[str, Any]) -> None:
    client = preview_client(settings, PREVIEW_ENABLED=True)
    cards = [{"uuid": "u1", "detail": "**Why**: <script>alert(1)</script> [guide](javascript:x)"}]
    html = client.post("/preview/api/render", json={"cards": cards}).get_json()["detail"]["u1"]
    assert "<strong>Why</strong>" in html
    assert "<script>" not in html and 'href="javascript' not in html


def test_preview_api_answers_a_pathological_body_with_a_400(settings: dict[str, Any]) -> None:
    client = preview_client(settings, PREVIEW_ENABLED=True)
    deep = "[" * 50_000 + "]" * 50_000
    for path in ("/preview/api/request", "/preview/api/render"):
        response = client.post(path, data=deep, content_type="application/json")
        assert response.status_code == 400
        assert response.get_json()["resourceType"] == "OperationOutcome"


@pytest.mark.slow
def test_installed_wheel_offers_the_examples(tmp_path: Path) -> None:
    """A wheel install has no repository beside it: the preview's examples ship in the package."""
    root = Path(__file__).parent.parent
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", tmp_path / "dist", root], check=True)
    (wheel,) = (tmp_path / "dist").glob("spine_mass_cds-*.whl")
    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", site, wheel], check=True)
    script = (
        "import cds_service, json\n"
        "app = cds_service.create_app({'ENV': 'development', 'AUTH_MODE': 'off',"
        " 'DATABASE_URL': 'sqlite://'})\n"
        "listed = app.test_client().get('/preview/api/examples').get_json()['examples']\n"
        "print(json.dumps([cds_service.__file__, len(listed)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,  # not the repository: nothing but the installed package to find
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module, count = json.loads(out.splitlines()[-1])
    assert Path(module).is_relative_to(site)
    assert count == 15


def dev_auth_client(settings: dict[str, Any], tmp_path: Path, **extra: Any) -> FlaskClient:
    """The app as ``make run`` starts it: development, auth required, the local dev key."""
    trust = {"AUTH_MODE": "required", "DEV_TRUST_DIR": str(tmp_path / "trust")}
    return preview_client(settings, ENV="development", **trust, **extra)


def minted(client: FlaskClient, path: str) -> str:
    response = client.post("/preview/api/token", json={"path": path})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token: str = response.get_json()["token"]
    return token


def test_development_page_gets_a_fresh_token_per_call(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    client = dev_auth_client(settings, tmp_path)
    body = json.loads((EXAMPLES / "order-select-xray-request.json").read_text())
    url = "/cds-services/order-select"
    first, second = minted(client, url), minted(client, url)
    assert first != second  # one-use tokens: one per call
    ok = client.post(url, json=body, headers={"Authorization": f"Bearer {first}"})
    assert ok.status_code == 200 and ok.get_json()["cards"]
    replay = client.post(url, json=body, headers={"Authorization": f"Bearer {first}"})
    assert replay.status_code == 401
    # In development the 401 says why (the reason code only, as the log line does).
    assert "replayed-jti" in replay.get_json()["issue"][0]["diagnostics"]
    feedback = minted(client, url + "/feedback")  # aud is the feedback URL itself
    item = {
        "card": ok.get_json()["cards"][0]["uuid"],
        "outcome": "overridden",
        "outcomeTimestamp": "2026-11-24T12:00:00Z",
    }
    wrong_aud = client.post(
        url + "/feedback", json={"feedback": [item]}, headers={"Authorization": f"Bearer {second}"}
    )
    assert wrong_aud.status_code == 401
    assert "aud" in wrong_aud.get_json()["issue"][0]["diagnostics"]
    stored = client.post(
        url + "/feedback",
        json={"feedback": [item]},
        headers={"Authorization": f"Bearer {feedback}"},
    )
    assert stored.status_code == 200
    missing = client.get("/cds-services")
    assert "missing-token" in missing.get_json()["issue"][0]["diagnostics"]


def test_token_endpoint_refuses_outside_development_and_odd_paths(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    production = preview_client(settings, ENV="production", PREVIEW_ENABLED=True)
    refused = production.post("/preview/api/token", json={"path": "/cds-services"})
    assert refused.status_code == 404
    assert refused.get_json()["resourceType"] == "OperationOutcome"
    assert "token" not in refused.get_json()
    dev = dev_auth_client(settings, tmp_path)
    for path in ("/metrics", "/cds-services/../admin", "https://evil.example/cds-services", 3):
        assert dev.post("/preview/api/token", json={"path": path}).status_code == 400
    auth_off = preview_client(settings, ENV="development")  # the shared settings: auth off
    assert auth_off.post("/preview/api/token", json={"path": "/cds-services"}).get_json() == {
        "token": None
    }


EXPECTED = json.loads((EXAMPLES / "expectations.json").read_text())


def topics_shown(client: FlaskClient, doc: Any, hook: str) -> list[str]:
    """Build the request as the page does, call the real service, return the card topics."""
    request = client.post("/preview/api/request", json={"input": doc, "hook": hook}).get_json()
    cards = client.post(f"/cds-services/{hook}", json=request).get_json()["cards"]
    return sorted(card["source"]["topic"]["code"] for card in cards)


@pytest.mark.parametrize("later", [timedelta(0), timedelta(days=8, hours=8), timedelta(days=97.6)])
def test_examples_are_shown_as_of_now_with_the_expected_cards(
    settings: dict[str, Any], later: timedelta
) -> None:
    """The service evaluates at its own clock; the examples move with it, cards do not change."""
    app = create_app({**settings, "PREVIEW_ENABLED": True})
    reference = parse_timestamp(EXPECTED["now"])
    app.extensions["cds_clock"] = lambda: reference + later
    client = app.test_client()
    listing = client.get("/preview/api/examples").get_json()
    shift = round(later / timedelta(days=1))
    assert listing["asOf"] == {"reference": EXPECTED["now"], "shiftDays": shift}
    unshifted_differ = 0
    for name, runs in EXPECTED["examples"].items():
        doc = client.get(f"/preview/api/examples/{name}").get_json()
        raw = json.loads((EXAMPLES / f"{name}.json").read_text())
        for run in (r for r in runs if r["profile"] == "dutch"):
            assert topics_shown(client, doc, run["hook"]) == sorted(run["topics"]), (name, run)
            unshifted_differ += topics_shown(client, raw, run["hook"]) != sorted(run["topics"])
    assert bool(unshifted_differ) == (shift > 0)  # the shift is what keeps the cards right
