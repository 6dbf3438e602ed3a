"""The preview page in a real headless chromium: choose a patient, see cards, accept one.

The app runs on a real socket (werkzeug ``make_server`` on 127.0.0.1) with auth off, the
preview on and the fixture clock, and Playwright drives Debian's ``/usr/bin/chromium``
(installed by ``.ci/run``). A screenshot is kept in ``test-artifacts/preview.png``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "test-artifacts"
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
def settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The shared test settings (auth off, fixture clock via ``app``) plus the preview."""
    return {**settings, "PREVIEW_ENABLED": True}


@pytest.fixture
def base_url(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
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
