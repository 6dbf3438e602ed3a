"""Settings as operators type them into the environment: read right, or refused at start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cds_service import bundles
from cds_service import create_app
from cds_service.cli import main
from cds_service.config import Settings
from cds_service.config import SettingsError
from cds_service.config import settings_of
from cds_service.fhir_client import FetchSettings
from cds_service.urls import is_allowed
from tests.support import FIXTURE_NOW
from tests.support import SERVERS
from tests.support import server_command

OFF = ["False", "false", "no", "off", "0", "FALSE"]
ON = ["True", "true", "yes", "on", "1"]
#: Values an operator could plausibly type that no setting may silently reinterpret.
BAD = [
    ("CDS_FHIR_DEADLINE_S", "abc", "a number > 0"),
    ("CDS_GUIDELINE_PROFILE", "NICE NG234", "one of dutch, nice"),
    ("CDS_AUTH_MODE", "bogus", "one of required, off"),
    ("CDS_METRICS_ENABLED", "maybe", "true or false"),
    ("CDS_MAX_BODY_BYTES", "-1", "a whole number >= 1"),
    ("CDS_WORKERS", "two", "a whole number >= 1"),
    ("CDS_FHIR_ALLOWED_SERVERS", "[1, 2]", "a JSON list of strings"),
    ("CDS_LOG_LEVEL", "LOUD", "one of DEBUG, INFO"),
]
SERVE = Path(sys.executable).parent / "spine-mass-cds"


@pytest.mark.parametrize(("word", "on"), [(w, False) for w in OFF] + [(w, True) for w in ON])
def test_on_off_words_in_the_environment_mean_what_they_say(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch, word: str, on: bool
) -> None:
    monkeypatch.setenv("CDS_PREVIEW_ENABLED", word)
    monkeypatch.setenv("CDS_FHIR_ALLOW_LOOPBACK_HTTP", word)
    monkeypatch.setenv("CDS_METRICS_ENABLED", word)
    monkeypatch.setenv("CDS_FHIR_ALLOWED_SERVERS", "http://127.0.0.1:8081/fhir, https://x.org")
    app = create_app({**settings, "ENV": "production"})
    with app.test_client().get("/preview/") as page:
        assert page.status_code == (200 if on else 404)
    with app.test_client().get("/metrics") as metrics:
        assert metrics.status_code == (200 if on else 404)
    assert is_allowed("http://127.0.0.1:8081/fhir/Patient/1", settings_of(app)) is on


@pytest.mark.parametrize("typed", ["NICE", "Nice", " nice "])
def test_the_guideline_profile_is_read_in_any_case(typed: str) -> None:
    """``CDS_GUIDELINE_PROFILE=NICE`` used to run the Dutch rules without a word."""
    assert Settings.load({"CDS_GUIDELINE_PROFILE": typed}).guideline_profile == "nice"


def test_numbers_and_lists_from_the_environment_are_typed() -> None:
    settings = Settings.load(
        {
            "CDS_FHIR_DEADLINE_S": "0.25",
            "CDS_FHIR_MAX_PAGES": "3",
            "CDS_CORS_ORIGINS": '["https://a.example/", "https://b.example"]',
            "CDS_JWT_ALGORITHMS": "ES384, RS384",
            "CDS_WORKERS": "",  # empty counts as unset
        }
    )
    assert FetchSettings.from_settings(settings) == FetchSettings(deadline_s=0.25, max_pages=3)
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.jwt_algorithms == ("ES384", "RS384")
    assert settings.workers is None


@pytest.mark.parametrize(("variable", "value", "allowed"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_value_names_its_variable_and_what_it_accepts(
    variable: str, value: str, allowed: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.load({variable: value})
    message = str(caught.value)
    assert message.startswith(f"{variable}=") and allowed in message and "\n" not in message


def test_the_app_refuses_a_bad_value_instead_of_answering_500(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CDS_FHIR_DEADLINE_S", "abc")
    with pytest.raises(SettingsError, match="CDS_FHIR_DEADLINE_S"):
        create_app(settings)


def _start(command: list[str], variable: str, value: str, tmp_path: Path) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    env |= {"CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'cds.sqlite'}", variable: value}
    return subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(("variable", "value", "allowed"), BAD[:4], ids=[b[0] for b in BAD[:4]])
@pytest.mark.parametrize("server", ["serve", *SERVERS])
def test_a_bad_value_stops_the_server_with_one_line(
    server: str, variable: str, value: str, allowed: str, tmp_path: Path
) -> None:
    """Both ways operators start the service; neither may start, nor print a traceback."""
    serve = [str(SERVE), "serve", "--port", "0"]
    command = serve if server == "serve" else server_command(server)
    done = _start(command, variable, value, tmp_path)
    assert done.returncode == (1 if server == "serve" else 2)  # click's usage error, or ours
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert variable in lines[0] and allowed in lines[0]


def test_nice_in_capitals_runs_the_nice_rules_in_the_service_and_the_cli(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spinal cord tumour with back pain: a 2-week MRI under the Dutch rules, 1 week under NICE."""
    monkeypatch.setenv("CDS_GUIDELINE_PROFILE", "NICE")
    example = Path(__file__).parent.parent / "examples" / "spinal-cord-tumour-back-pain.json"
    request = bundles.read(json.loads(example.read_text())).cds_request(
        "patient-view", hook_instance="profile-in-capitals"
    )
    app = create_app(settings)
    app.extensions["cds_clock"] = lambda: FIXTURE_NOW
    served = app.test_client().post("/cds-services/patient-view", json=request).get_json()
    offline = CliRunner().invoke(
        main, ["evaluate", str(example), "--now", FIXTURE_NOW.isoformat(), "--json"]
    )
    assert offline.exit_code == 0, offline.output
    for cards in (served["cards"], json.loads(offline.stdout)["cards"]):
        assert [c["source"]["topic"]["code"] for c in cards] == ["mri-1w"]
