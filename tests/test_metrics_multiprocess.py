"""/metrics under the production server: totals are right whichever worker answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cds_service import bundles

ROOT = Path(__file__).parent.parent
CALLS = 24


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    env = {
        **os.environ,
        "CDS_AUTH_MODE": "off",
        "CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'cds.sqlite'}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "PYTHONPATH": str(ROOT),
    }
    cmd = [sys.executable, "-m", "gunicorn", "--config", "python:cds_service.gunicorn_conf"]
    cmd += ["--workers", "2", "--bind", f"127.0.0.1:{port}", "cds_service.wsgi:app"]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (workers_up(proc.pid) == 2 and healthy(base)):
            time.sleep(0.1)
        yield base, tmp_path / "metrics"
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def workers_up(pid: int) -> int:
    """Count gunicorn's worker processes (children of the master), from /proc."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return len(children.read_text().split()) if children.exists() else 0


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/health", timeout=1).status_code == 200
    except requests.RequestException:  # refused before bind, read timeout while workers boot
        return False


def calls_total(
    text: str, prefix: str = 'cds_service_calls_total{service="patient-view",status="200"} '
) -> float:
    return sum(float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix))


RECEIVED = 'cds_prefetch_received_total{key="conditions",source="prefetch"} '


@pytest.mark.slow
def test_two_workers_report_the_sum_of_their_calls(gunicorn: tuple[str, Path]) -> None:
    base, metrics_dir = gunicorn
    doc = json.loads((ROOT / "examples" / "myeloma-vertebral-lesion.json").read_text())
    body = bundles.read(doc).cds_request(
        "patient-view", hook_instance="a1b2c3d4-0000-4000-8000-000000000001"
    )

    payload = json.dumps(body).encode()
    host, port = base.removeprefix("http://").split(":")
    # Keep one worker busy on a half-sent request, so the other must answer the rest.
    with socket.create_connection((host, int(port)), timeout=10) as held:
        held.sendall(b"POST /cds-services/patient-view HTTP/1.1\r\n")
        time.sleep(0.3)  # it has been accepted by one worker, which now waits for headers
        for _ in range(CALLS - 1):
            response = requests.post(f"{base}/cds-services/patient-view", json=body, timeout=10)
            assert response.status_code == 200
        head = f"Host: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}"
        held.sendall(head.encode() + b"\r\nConnection: close\r\n\r\n" + payload)
        assert held.recv(64).startswith(b"HTTP/1.1 200")
    writers = {p.stem.rsplit("_", 1)[-1] for p in metrics_dir.glob("counter_*.db")}
    assert len(writers) >= 2  # each worker process wrote its own samples
    scrapes = [requests.get(f"{base}/metrics", timeout=5).text for _ in range(6)]
    assert {calls_total(text) for text in scrapes} == {float(CALLS)}
    assert all("cds_service_call_duration_seconds_count" in text for text in scrapes)
    # The prefetch counters are written at most a second late, by the idle worker too.
    deadline = time.monotonic() + 5
    while calls_total(text := requests.get(f"{base}/metrics", timeout=5).text, RECEIVED) < CALLS:
        assert time.monotonic() < deadline, "prefetch counters never written"
        time.sleep(0.2)
    assert calls_total(text, RECEIVED) == CALLS
