"""/metrics under both production servers: totals are right whichever worker answers."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from cds_service import bundles
from tests.support import ROOT
from tests.support import SERVERS
from tests.support import ServerUrl
from tests.support import running
from tests.support import worker_pids

pytestmark = pytest.mark.slow
CALLS = 24
RECEIVED = 'cds_prefetch_received_total{key="conditions",source="prefetch"} '
BODY = bundles.read(
    json.loads((ROOT / "examples" / "myeloma-vertebral-lesion.json").read_text())
).cds_request("patient-view", hook_instance="a1b2c3d4-0000-4000-8000-000000000001")


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServerUrl, Path]]:
    env = {
        **os.environ,
        "CDS_AUTH_MODE": "off",
        "CDS_DATABASE_URL": f"sqlite:///{tmp_path / 'cds.sqlite'}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    with running(request.param, env, tmp_path / "server.log", workers=2, cwd=tmp_path) as url:
        yield url, tmp_path / "metrics"


def calls_total(
    text: str, prefix: str = 'cds_service_calls_total{service="patient-view",status="200"} '
) -> float:
    return sum(float(line[len(prefix) :]) for line in text.splitlines() if line.startswith(prefix))


def call(base: str, calls: int) -> None:
    def one(_: int) -> int:
        url = f"{base}/cds-services/patient-view"
        return requests.post(url, json=BODY, timeout=30).status_code

    with ThreadPoolExecutor(4) as pool:  # concurrent, so both workers take calls
        assert set(pool.map(one, range(calls))) == {200}


def writers(metrics_dir: Path) -> set[str]:
    """The processes that counted calls: each writes its own ``counter_<pid>.db``."""
    return {p.stem.rsplit("_", 1)[-1] for p in metrics_dir.glob("counter_*.db")}


def test_two_workers_report_the_sum_of_their_calls(server: tuple[ServerUrl, Path]) -> None:
    base, metrics_dir = server
    sent = 0
    while len(writers(metrics_dir)) < 2:
        assert sent < 10 * CALLS, "one worker took every call"
        call(base, CALLS)
        sent += CALLS
    scrapes = [requests.get(f"{base}/metrics", timeout=5).text for _ in range(6)]
    assert {calls_total(text) for text in scrapes} == {float(sent)}
    assert all("cds_service_call_duration_seconds_count" in text for text in scrapes)
    # The prefetch counters are written at most a second late, by the idle worker too.
    deadline = time.monotonic() + 5
    while calls_total(text := requests.get(f"{base}/metrics", timeout=5).text, RECEIVED) < sent:
        assert time.monotonic() < deadline, "prefetch counters never written"
        time.sleep(0.2)
    assert calls_total(text, RECEIVED) == sent


def live_workers(base: ServerUrl, done: Callable[[list[int], float], bool]) -> str:
    """Scrape until ``done(worker pids, cds_worker_processes)``; return that scrape."""
    deadline = time.monotonic() + 60
    while True:
        pids = worker_pids(base.pid)
        try:
            text = requests.get(f"{base}/metrics", timeout=5).text
        except requests.ConnectionError:  # a connection a killed worker had taken
            text = ""
        live = calls_total(text, "cds_worker_processes ")
        if done(pids, live):
            return text
        assert time.monotonic() < deadline, f"workers {pids}, cds_worker_processes {live}"
        time.sleep(0.2)


def test_a_killed_worker_is_replaced_and_no_longer_counted(
    server: tuple[ServerUrl, Path],
) -> None:
    base, metrics_dir = server
    live_workers(base, lambda pids, live: live == 2)  # both loaded
    call(base, CALLS)
    dead = worker_pids(base.pid)[0]
    os.kill(dead, signal.SIGKILL)
    # Respawned and loaded, and the dead one's live gauge dropped.
    text = live_workers(base, lambda pids, live: len(pids) == 2 and dead not in pids and live == 2)
    assert not list(metrics_dir.glob(f"gauge_livesum_{dead}.db"))
    assert calls_total(text) == CALLS  # the dead worker's calls stay counted
