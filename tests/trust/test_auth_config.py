"""Trust configuration: what stops the service from starting, and the development setup."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cds_service import create_app
from cds_service.cli import main
from cds_service.errors import ConfigurationError

JWKS = {"keys": []}


def required(settings: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**settings, "AUTH_MODE": "required", **extra}


def clients_file(tmp_path: Path, clients: Any) -> str:
    path = tmp_path / "clients.yaml"
    path.write_text(json.dumps(clients) if not isinstance(clients, str) else clients)
    return str(path)


def test_production_refuses_to_start_without_clients_file(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="CDS_CLIENTS_FILE"):
        create_app(required(settings, PUBLIC_BASE_URL="https://cds.example.org"))


def test_production_refuses_to_start_without_public_base_url(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    path = clients_file(tmp_path, [{"iss": "https://ehr.example.org", "jwks": JWKS}])
    with pytest.raises(ConfigurationError, match="CDS_PUBLIC_BASE_URL"):
        create_app(required(settings, CLIENTS_FILE=path))


@pytest.mark.parametrize(
    ("clients", "message"),
    [
        ([{"iss": "https://e.org", "jwks": JWKS, "algorithms": ["HS256"]}], "not allowed"),
        ([{"iss": "https://e.org", "jwks": JWKS, "algorithms": ["none"]}], "not allowed"),
        ([{"iss": "https://e.org", "jku": "http://e.org/jwks"}], "must be https"),
        ([{"iss": "https://e.org"}], "one of jku"),
        ([{"iss": "https://e.org", "jwks": JWKS, "jkw": "typo"}], "unknown keys"),
        ([{"iss": "https://sandbox.cds-hooks.org", "jwks": JWKS}], "development"),
        ([], "non-empty list"),
    ],
)
def test_bad_clients_file_stops_start_up(
    settings: dict[str, Any], tmp_path: Path, clients: Any, message: str
) -> None:
    config = required(
        settings, CLIENTS_FILE=clients_file(tmp_path, clients), PUBLIC_BASE_URL="https://c.org"
    )
    with pytest.raises(ConfigurationError, match=message):
        create_app(config)


def test_yaml_clients_file_with_sandbox_is_accepted_in_development(
    settings: dict[str, Any], tmp_path: Path
) -> None:
    # The public sandbox's key set (cds-hooks/sandbox build/.well-known/jwks.json @ 3b7e255).
    sandbox_jwks = Path(__file__).parent / "cds-hooks-sandbox-jwks.json"
    (tmp_path / "sandbox.json").write_text(sandbox_jwks.read_text())
    yaml_text = (
        "- iss: https://sandbox.cds-hooks.org\n"
        "  jku: https://sandbox.cds-hooks.org/.well-known/jwks.json\n"
        "  jwks_file: sandbox.json\n"
    )
    config = required(
        settings,
        ENV="development",
        CLIENTS_FILE=clients_file(tmp_path, yaml_text),
        PUBLIC_BASE_URL="http://127.0.0.1:8080",
    )
    app = create_app(config)
    assert app.test_client().get("/cds-services").status_code == 401


def test_auth_off_warns_loudly(settings: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cds_service.auth"):
        app = create_app(settings)
    assert "EVERY CALLER IS TRUSTED" in caplog.text
    assert app.test_client().get("/cds-services").status_code == 200


def test_development_mints_a_local_key_and_dev_token_works(
    settings: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trust_dir = tmp_path / "trust"
    app = create_app(required(settings, ENV="development", DEV_TRUST_DIR=str(trust_dir)))
    assert (trust_dir / "dev-key.pem").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("CDS_DEV_TRUST_DIR", str(trust_dir))
    monkeypatch.setenv("CDS_ENV", "development")
    runner = CliRunner()
    result = runner.invoke(main, ["dev-token", "--aud-path", "/cds-services"])
    assert result.exit_code == 0, result.output
    tok = result.output.strip()
    client = app.test_client()
    assert (
        client.get("/cds-services", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
    )
    # One use only; a second app (another worker) sharing the database sees the replay too.
    other = create_app(required(settings, ENV="development", DEV_TRUST_DIR=str(trust_dir)))
    again = other.test_client().get("/cds-services", headers={"Authorization": f"Bearer {tok}"})
    assert again.status_code == 401


@pytest.mark.parametrize("env", ["production", None])
def test_dev_token_refuses_outside_development(
    env: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A development key must never sign tokens on a production host (the default ENV)."""
    monkeypatch.setenv("CDS_DEV_TRUST_DIR", str(tmp_path / "trust"))
    if env is None:
        monkeypatch.delenv("CDS_ENV", raising=False)
    else:
        monkeypatch.setenv("CDS_ENV", env)
    result = CliRunner().invoke(main, ["dev-token"])
    assert result.exit_code == 1
    assert "development only" in result.output and "CDS_ENV=development" in result.output
    assert "eyJ" not in result.output  # no token printed
    assert not (tmp_path / "trust" / "dev-key.pem").exists()
