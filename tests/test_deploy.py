"""Deployment files: the compose file validates, the image is safe, the README table is current."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cds_service.cli import main
from cds_service.config import variables

ROOT = Path(__file__).parent.parent


def compose_cli() -> list[str] | None:
    """Return a compose command: Docker's plugin, else Debian's ``docker-compose``, else None."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_compose_file_runs_the_service_with_postgres_and_an_optional_hapi() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["db"]["image"] == "postgres:16"
    assert "healthcheck" in services["db"]
    assert services["cds"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["cds"]["environment"]["CDS_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert services["hapi"]["profiles"] == ["hapi"]
    cli = compose_cli()
    if cli:  # parse-only validation by compose itself; needs no engine
        result = subprocess.run(
            [*cli, "-f", str(ROOT / "docker-compose.yml"), "--profile", "hapi", "config", "-q"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr


def test_image_is_slim_non_root_health_checked_and_runs_the_launcher() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim$", dockerfile, re.M)
    users = re.findall(r"^USER (\S+)$", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in dockerfile and "/health" in dockerfile
    health = dockerfile[dockerfile.index("HEALTHCHECK") :].split("\nCMD", 1)[0]
    assert "CDS_BIND" in health  # probes the port the server listens on, not a fixed 8080
    assert dockerfile.rstrip().endswith('CMD ["python", "-m", "cds_service.server"]')


def test_readme_configuration_table_is_current_and_complete() -> None:
    readme = (ROOT / "README.md").read_text()
    start, end = "<!-- settings-table:start -->\n", "<!-- settings-table:end -->"
    current = readme[readme.index(start) + len(start) : readme.index(end)]
    generated = CliRunner().invoke(main, ["settings"]).output
    assert current == generated, "README table is stale: run `spine-mass-cds settings`"
    assert all(f"`{variable}`" in current for variable in variables())


def test_readme_points_at_files_that_exist_and_keeps_its_two_first_commands() -> None:
    """A reader copies paths from the README; each one (and each in-page link) must resolve."""
    readme = (ROOT / "README.md").read_text()
    paths = set(
        re.findall(r"(?<![\w/.-])((?:examples|docs|deploy|cds_service)/[\w./-]*\w)", readme)
    )
    assert "docs/rules.md" in paths and "examples/order-select-xray-request.json" in paths
    operator_files = {"deploy/clients.yaml"}  # written by whoever deploys; kept out of git
    assert [p for p in sorted(paths - operator_files) if not (ROOT / p).exists()] == []
    headings = {
        re.sub(r"[^\w -]", "", h).strip().lower().replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", readme, flags=re.M)
    }
    assert set(re.findall(r"\]\(#([\w-]+)\)", readme)) <= headings
    commands = re.findall(r"^(make \w+)", readme, flags=re.M)
    assert commands[:2] == ["make run", "make test"]


#: What each server's worker runs once it has loaded the app.
LOADED = {
    "granian": "from cds_service import server\nserver._load_app(server.TARGET)\n",
    "gunicorn": "from cds_service import gunicorn_conf, wsgi\ngunicorn_conf.post_worker_init(None)\n",
}


@pytest.mark.parametrize("server", sorted(LOADED))
def test_a_worker_freezes_its_start_up_heap(server: str) -> None:
    """Full collections would walk every start-up object: a pause of tens of ms each time."""
    script = f"import gc\n{LOADED[server]}print(gc.get_freeze_count(), len(gc.get_objects()))\n"
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(),
        "CDS_AUTH_MODE": "off",
        "CDS_DATABASE_URL": "sqlite://",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, still_tracked = int(out[-2]), int(out[-1])
    assert frozen > 50_000, "the application's objects are frozen"
    assert still_tracked < 1_000, "a full collection has almost nothing left to walk"


def test_readme_is_a_users_guide_of_at_most_300_lines() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 300, "measurements belong in docs/performance.md"
    headings = re.findall(r"^## (.+)$", readme, flags=re.M)
    for section in (
        "Quick start",
        "Configuration",
        "Authentication",
        "Deploying",
        "The command line",
        "The preview page",
        "Troubleshooting",
        "Adding a rule",
    ):
        assert section in headings, section
    assert "docs/rules.md" in readme and "docs/performance.md" in readme


def test_troubleshooting_explains_every_reason_a_token_is_refused() -> None:
    """The ``auth_refused`` log line names a reason; the README says what to fix for each."""
    source = "\n".join(p.read_text() for p in (ROOT / "cds_service" / "auth").glob("*.py"))
    reasons = set(re.findall(r'AuthFailure\(\s*"([a-z-]+)"', source))
    reasons |= set(re.findall(r'\(jwt\.\w+, "([a-z-]+)"\)', source))
    reasons |= set(re.findall(r'isinstance\(exc, t\)\), "([a-z-]+)"\)', source))  # the fallback
    assert len(reasons) >= 21
    readme = (ROOT / "README.md").read_text()
    troubleshooting = readme[readme.index("## Troubleshooting") :]
    assert [r for r in sorted(reasons) if f"`{r}`" not in troubleshooting] == []


def test_clients_example_loads_and_comments_every_field() -> None:
    """An operator copies the example to deploy/clients.yaml: it must start, and explain itself."""
    from cds_service.auth.clients import _KNOWN
    from cds_service.auth.clients import load_clients

    example = ROOT / "deploy" / "clients.yaml.example"
    clients = load_clients(example, allowed_algorithms=["ES384", "RS384"])
    assert len(clients) >= 2
    text = example.read_text()
    for key in _KNOWN:  # each field is shown with a comment on its line or the line before
        lines = text.splitlines()
        at = [i for i, line in enumerate(lines) if re.match(rf"^\s*#?\s*-?\s*{key}:", line)]
        assert at, f"{key} missing from the example"
        assert any("#" in lines[i].split(f"{key}:", 1)[1] or "#" in lines[i - 1] for i in at), key


def test_packaging_declares_the_licence_as_spdx_and_ships_its_text() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert "Version 2.0, January 2004" in (ROOT / "LICENSE").read_text()
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(r"^## \[0\.1\.0\] - 2026-12-02$", changelog, flags=re.M)
