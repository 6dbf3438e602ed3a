"""Settings as operators type them into the environment."""

from __future__ import annotations

from typing import Any

import pytest

from cds_service import create_app
from cds_service.urls import is_allowed

OFF = ["False", "false", "no", "off", "0", "FALSE"]
ON = ["True", "true", "yes", "on", "1"]


@pytest.mark.parametrize(("word", "on"), [(w, False) for w in OFF] + [(w, True) for w in ON])
def test_on_off_words_in_the_environment_mean_what_they_say(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch, word: str, on: bool
) -> None:
    """``CDS_PREVIEW_ENABLED=False`` is not valid JSON and stays a string; it must mean off."""
    monkeypatch.setenv("CDS_PREVIEW_ENABLED", word)
    monkeypatch.setenv("CDS_FHIR_ALLOW_LOOPBACK_HTTP", word)
    monkeypatch.setenv("CDS_METRICS_ENABLED", word)
    monkeypatch.setenv("CDS_FHIR_ALLOWED_SERVERS", "http://127.0.0.1:8081/fhir, https://x.org")
    app = create_app({**settings, "ENV": "production"})
    with app.test_client().get("/preview/") as page:
        assert page.status_code == (200 if on else 404)
    with app.test_client().get("/metrics") as metrics:
        assert metrics.status_code == (200 if on else 404)
    assert is_allowed("http://127.0.0.1:8081/fhir/Patient/1", app.config) is on


def test_a_partial_settings_mapping_gets_the_documented_defaults() -> None:
    """The CLI passes only what it knows; timeouts then are the table's, not a second copy."""
    from cds_service.config import DEFAULTS
    from cds_service.fhir_client import FetchSettings

    fetch = FetchSettings.from_settings({})
    assert fetch.deadline_s == DEFAULTS["FHIR_DEADLINE_S"].default
    assert fetch.max_pages == DEFAULTS["FHIR_MAX_PAGES"].default
