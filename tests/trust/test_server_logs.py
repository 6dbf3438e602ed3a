"""gunicorn's own log lines under the shipped settings: JSON lines, never a logging error."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import requests
from trust_helpers import cds_env
from trust_helpers import gunicorn


def test_gunicorn_worker_lines_are_json_even_for_a_malformed_request(tmp_path: Path) -> None:
    env = cds_env(AUTH_MODE="off", DATABASE_URL=f"sqlite:///{tmp_path / 'cds.sqlite'}")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
    log = tmp_path / "gunicorn.log"
    with gunicorn(env, log, workers=1, shipped=True) as url:
        port = int(url.rsplit(":", 1)[1])
        for raw in (b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                conn.sendall(raw)
                assert conn.recv(64).startswith(b"HTTP/1.1 400")
        assert requests.get(f"{url}/health", timeout=5).status_code == 200
    text = log.read_text()
    assert "Logging error" not in text and "Traceback" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert "gunicorn.error" in {line["logger"] for line in lines}  # gunicorn's own, as JSON
    assert any("Booting worker" in line.get("event", "") for line in lines)
