"""Helpers test modules share (pytest fixtures live in ``conftest.py``, never imported)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
#: Every request fixture is evaluated at this moment (fixture dates are relative to it).
FIXTURE_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def load_fixture(name: str) -> Any:
    """Load a JSON fixture by path relative to ``tests/fixtures``."""
    return json.loads((FIXTURES / name).read_text())


def normalise(cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Replace each uuid by a stable placeholder numbered in order of appearance.

    Keys are walked sorted, so the numbering does not depend on the wire's key order.
    """
    seen: dict[str, str] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (seen.setdefault(v, f"<uuid-{len(seen) + 1}>") if k == "uuid" else walk(v))
                for k, v in sorted(node.items())
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out: list[dict[str, Any]] = walk(cards)
    return out


#: The two production servers: granian through the shipped launcher, gunicorn (alternative).
SERVERS = ("granian", "gunicorn")


def server_command(server: str, bind: str = "127.0.0.1:0", workers: int = 1) -> list[str]:
    """The command line operators start ``server`` with, with its shipped settings."""
    if server == "granian":
        launcher = [sys.executable, "-m", "cds_service.server"]
        return [*launcher, "--bind", bind, "--workers", str(workers)]
    gunicorn = [sys.executable, "-m", "gunicorn", "--config", "python:cds_service.gunicorn_conf"]
    return [*gunicorn, "--workers", str(workers), "--bind", bind, "cds_service.wsgi:app"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class ServerUrl(str):
    """The URL of a running server, and the pid of its master process."""

    pid: int


def worker_pids(master: int) -> list[int]:
    """The master's worker processes (its children), from /proc."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@contextmanager
def running(
    server: str, env: dict[str, str], log: Path, workers: int = 2, cwd: Path = ROOT
) -> Iterator[ServerUrl]:
    """Run the real service under ``server`` on loopback until every worker answers.

    Leaving the block stops it as a container runtime does (``SIGTERM``) and waits.
    """
    port = free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            server_command(server, f"127.0.0.1:{port}", workers),
            cwd=cwd,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=out,
            stderr=out,
        )
    url = ServerUrl(f"http://127.0.0.1:{port}")
    url.pid = proc.pid
    try:
        deadline = time.monotonic() + 60
        while not (len(worker_pids(proc.pid)) == workers and _healthy(url)):
            if proc.poll() is not None:
                raise RuntimeError(f"{server} exited: {log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server} did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=5).status_code == 200
    except requests.RequestException:  # refused before bind, workers still booting
        return False


def every_request() -> dict[str, dict[str, Any]]:
    """Every fixture request with a prefetch, and every example under each hook its
    expectations name, by a readable name (``tests/fixtures/...json``, ``examples/x.json@hook``).
    """
    from cds_service import bundles

    out: dict[str, dict[str, Any]] = {}
    for path in sorted((FIXTURES / "requests").rglob("*.json")):
        body = json.loads(path.read_text())
        if isinstance(body, dict) and body.get("prefetch"):
            out[str(path.relative_to(ROOT))] = body
    expectations = json.loads((ROOT / "examples/expectations.json").read_text())["examples"]
    for name, runs in sorted(expectations.items()):
        record = bundles.read(json.loads((ROOT / f"examples/{name}.json").read_text()))
        for hook in sorted({run["hook"] for run in runs}):
            out[f"examples/{name}.json@{hook}"] = record.cds_request(hook, hook_instance=name)
    return out
