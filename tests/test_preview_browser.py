"""The preview page in a real headless chromium: choose a patient, see cards, accept one.

The app runs on a real socket (werkzeug ``make_server`` on 127.0.0.1) with the preview on
and the fixture clock, and Playwright drives Debian's ``/usr/bin/chromium`` (installed by
``scripts/ensure-test-tools.sh``). Most tests run with auth off; one runs the app as
``make run`` does (development, JWT check on) and rewrites the README's ``docs/preview.png``.
A screenshot of each test's last state is kept in ``test-artifacts/preview.png``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Page
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from cds_service.store import engine
from cds_service.store.schema import feedback
from tests.support import FIXTURE_NOW

ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "test-artifacts"
#: The README's picture of the page: rewritten by the test with auth on, so it stays current.
SCREENSHOT = ROOT / "docs" / "preview.png"
EXPECTED = json.loads((ROOT / "examples" / "expectations.json").read_text())["examples"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.browser


@pytest.fixture
def settings(
    settings: dict[str, Any], request: pytest.FixtureRequest, tmp_path: Path
) -> dict[str, Any]:
    """The shared test settings (auth off, fixture clock via ``app``) plus the preview.

    Parametrised with ``"auth"``: the app as ``make run`` starts it, development with the
    JWT check on and the local development key.
    """
    if getattr(request, "param", None) == "auth":
        trust = {"AUTH_MODE": "required", "DEV_TRUST_DIR": str(tmp_path / "trust")}
        return {**settings, "ENV": "development", **trust}
    return {**settings, "PREVIEW_ENABLED": True}


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # tokens are minted for, and checked against, this URL
    yield url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(base_url: str) -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        # Only our own server: the page must work offline.
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(base_url) else route.abort()
            ),
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base_url}/preview/")
        yield page
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "preview.png"), full_page=True)
        browser.close()


def choose(page: Page, example: str) -> None:
    page.select_option("#example", example)
    expect(page.locator("#bundle")).to_have_value(re.compile('"resourceType"'))
    page.click("#evaluate")
    expect(page.locator("#status")).to_contain_text("HTTP 200")


def test_page_loads_and_shows_the_real_request_and_response(page: Page) -> None:
    expect(page.locator("#example option")).to_have_count(16)  # 15 examples + "paste"
    choose(page, "back-pain-no-context")
    expect(page.locator("#cards")).to_contain_text("No cards for this patient.")
    request = json.loads(page.locator("#request-json").text_content() or "{}")
    assert request["hook"] == "patient-view"
    assert request["context"]["patientId"] == "ex-plain-back-pain"
    assert json.loads(page.locator("#response-json").text_content() or "{}") == {"cards": []}


def test_expected_cards_appear_and_accepting_records_feedback(page: Page) -> None:
    choose(page, "cord-compression-metastasis")
    cards = page.locator("#cards article.card")
    expected = sorted(EXPECTED["cord-compression-metastasis"][0]["topics"])
    expect(cards).to_have_count(len(expected))
    topics = sorted(cards.evaluate_all("nodes => nodes.map(n => n.dataset.topic)"))
    assert topics == expected
    mri = page.locator('article.card[data-topic="mri-12h"]')
    expect(mri).to_have_class("card critical")
    expect(mri.locator(".detail")).to_contain_text("Condition/cord-compression")
    mri.locator("button.suggestion").first.click()
    expect(page.locator("#feedback-status")).to_contain_text("Feedback recorded: accepted")


@pytest.fixture
def eight_days_later(app: Flask) -> None:
    """The service's clock a week and a day after the examples' reference moment."""
    app.extensions["cds_clock"] = lambda: FIXTURE_NOW + timedelta(days=8, hours=8)


@pytest.mark.parametrize("settings", ["auth"], indirect=True)
def test_with_auth_on_cards_appear_and_accept_and_dismiss_are_recorded(
    eight_days_later: None, page: Page, app: Flask
) -> None:
    """``make run`` as a newcomer uses it: no token pasted, every call carries a fresh one,
    and the example is shown as of the service's now with exactly its expected cards."""
    expect(page.locator("#as-of")).to_contain_text("moved 8 day(s) forward")
    choose(page, "cord-compression-metastasis")
    cards = page.locator("#cards article.card")
    expected = sorted(EXPECTED["cord-compression-metastasis"][0]["topics"])
    expect(cards).to_have_count(len(expected))
    assert sorted(cards.evaluate_all("nodes => nodes.map(n => n.dataset.topic)")) == expected
    page.locator("#status").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOT))  # the first screen: the form and the first cards
    mri = page.locator('article.card[data-topic="mri-12h"]')
    mri.locator("button.suggestion").first.click()
    expect(page.locator("#feedback-status")).to_contain_text("Feedback recorded: accepted")
    steroid = page.locator('article.card[data-topic="dexamethasone"]')
    steroid.locator("select.override-reason").select_option(index=1)
    steroid.locator("button.dismiss").click()
    expect(page.locator("#feedback-status")).to_contain_text("Feedback recorded: overridden")
    with engine(app).connect() as conn:
        rows = list(conn.execute(sa.select(feedback).order_by(feedback.c.id)))
    assert [(r.outcome, r.service_id) for r in rows] == [
        ("accepted", "patient-view"),
        ("overridden", "patient-view"),
    ]
    assert rows[0].card_uuid == mri.get_attribute("data-uuid")
    assert rows[1].card_uuid == steroid.get_attribute("data-uuid") and rows[1].override_code
    # A token that fails is explained: in development the 401 names the check that failed.
    page.fill("#token", "not-a-jwt")
    page.click("#evaluate")
    expect(page.locator("#status")).to_contain_text("HTTP 401")
    expect(page.locator("#status")).to_contain_text("malformed")
