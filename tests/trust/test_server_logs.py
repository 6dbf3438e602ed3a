"""Both servers' own log lines under the shipped settings: JSON lines, no patient data."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support import SERVERS
from tests.support import running
from tests.trust.trust_helpers import ROOT
from tests.trust.trust_helpers import cds_env

BODY = json.loads(
    (
        ROOT / "tests/fixtures/requests/patient-view/mri-12h--fires--cord-compression-snomed.json"
    ).read_text()
)
#: Each server's own logger, and the line it logs when a worker starts.
OWN = {"granian": ("_granian", "Spawning worker"), "gunicorn": ("gunicorn.error", "Booting worker")}
BROKEN = b'{"hook": "patient-view", "context": {"patientId": "Jane-Doe-19530412"'


def _patient_data(node: Any) -> set[str]:
    """The identifying strings of the request: ids, names, birth dates."""
    if isinstance(node, dict):
        found = {v for k, v in node.items() if k in {"patientId", "family", "birthDate"}}
        return {v for v in found if isinstance(v, str)} | {
            s for v in node.values() for s in _patient_data(v)
        }
    if isinstance(node, list):
        return {s for v in node for s in _patient_data(v)}
    return set()


@pytest.mark.slow
@pytest.mark.parametrize("server", SERVERS)
def test_server_lines_are_json_and_carry_no_patient_data(server: str, tmp_path: Path) -> None:
    env = cds_env(AUTH_MODE="off", DATABASE_URL=f"sqlite:///{tmp_path / 'cds.sqlite'}")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
    log = tmp_path / "server.log"
    with running(server, env, log, workers=1) as url:
        port = int(url.rsplit(":", 1)[1])
        head = (
            "POST /cds-services/patient-view HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
        )
        for raw in (
            b"GARBAGE\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            f"{head}\r\nContent-Length: {len(BROKEN)}\r\n\r\n".encode() + BROKEN,
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
                conn.sendall(raw)
                assert conn.recv(64).startswith(b"HTTP/1.1 400")
        answer = requests.post(f"{url}/cds-services/patient-view", json=BODY, timeout=10)
        assert answer.status_code == 200 and answer.json()["cards"]
    text = log.read_text()
    assert "Logging error" not in text and "Traceback" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    logger, started = OWN[server]
    assert logger in {line["logger"] for line in lines}  # the server's own, as JSON
    assert any(started in line.get("event", "") for line in lines)
    assert "call" in {line.get("event") for line in lines}  # the app's line per call
    secrets = _patient_data(BODY) | {"Jane-Doe-19530412"}
    assert len(secrets) > 1 and not [s for s in secrets if s in text]
