"""The production launcher, ``python -m cds_service.server``: how it starts and stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from cds_service.server import BindError
from cds_service.server import parse_bind
from tests.support import ROOT
from tests.support import free_port
from tests.support import server_command
from tests.support import worker_pids


@pytest.mark.parametrize(
    ("bind", "address"),
    [
        ("127.0.0.1:8080", ("127.0.0.1", 8080)),
        ("0.0.0.0:0", ("0.0.0.0", 0)),
        (":8080", ("0.0.0.0", 8080)),  # an empty host: every interface, as gunicorn reads it
        ("[::1]:8443", ("::1", 8443)),
        ("cds.internal:80", ("cds.internal", 80)),
    ],
)
def test_a_bind_is_host_and_port(bind: str, address: tuple[str, int]) -> None:
    assert parse_bind(bind) == address


@pytest.mark.parametrize(
    "bind", ["8080", "localhost", "unix:/run/cds.sock", "::1:80", "h:99999", "h:x"]
)
def test_anything_else_is_refused(bind: str) -> None:
    with pytest.raises(BindError, match="HOST:PORT"):
        parse_bind(bind)


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDS_")}
    env |= {"PYTHONPATH": str(ROOT), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    env |= {"CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'cds.sqlite'}", "CDS_AUTH_MODE": "off"}
    return env | {f"CDS_{k}": v for k, v in settings.items()}


def _run(
    command: list[str], env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("argv", "env", "says"),
    [
        (["--bind", "8080"], {}, "--bind must be HOST:PORT (e.g. 0.0.0.0:8080), got '8080'"),
        (
            [],
            {"BIND": "unix:/run/cds.sock"},
            "CDS_BIND must be HOST:PORT (e.g. 0.0.0.0:8080), got 'unix:/run/cds.sock'",
        ),
        (["--workers", "0"], {}, "--workers must be at least 1, got 0"),
    ],
)
def test_a_bad_bind_or_worker_count_stops_it_with_one_line(
    argv: list[str], env: dict[str, str], says: str, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "cds_service.server", *argv]
    done = _run(command, _env(tmp_path, **env), tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"spine-mass-cds: {says}"]
    assert not (tmp_path / "metrics").exists()  # refused before anything started


@pytest.mark.slow
def test_an_app_that_cannot_load_stops_the_server_with_status_4(tmp_path: Path) -> None:
    """Production trust without a clients file: each worker exits 4; none is respawned."""
    env = _env(tmp_path, ENV="production", AUTH_MODE="required")
    done = _run(server_command("granian", "127.0.0.1:0", workers=2), env, tmp_path)
    assert done.returncode == 4
    refusals = [line for line in done.stderr.splitlines() if line.startswith("spine-mass-cds:")]
    assert refusals and all("CDS_CLIENTS_FILE" in line for line in refusals)
    assert "Respawning" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.slow
def test_sigterm_stops_it_cleanly_after_the_workers(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        server_command("granian", f"127.0.0.1:{port}", workers=2),
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(worker_pids(proc.pid)) < 2 or not _answers(port):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        workers = worker_pids(proc.pid)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, stderr
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)
    assert not list((tmp_path / "metrics").glob("gauge_livesum_*.db"))  # none counted alive


def _answers(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False
