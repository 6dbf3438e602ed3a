"""The preview page and its small API (the browser test drives it for real)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from cds_service import create_app

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
