#!/usr/bin/env python3
"""gunicorn (sync) against granian (WSGI) for the floor and the service, in one run (issue 18).

Starts the floor and the service under each server with 2 worker processes on 127.0.0.1,
as :func:`run.server` does for ``--server``:

* ``gunicorn``: the alternative config (``cds_service/gunicorn_conf.py``, ``-k sync -w 2``);
* ``granian``: the shipped launcher for the service (``python -m cds_service.server
  --workers 2``: WSGI, one blocking thread per worker, every per-worker duty of
  ``cds_service/serving.py``) and granian's command line with the same settings for the
  floor.

All are loaded with the 95/4/1 mix of ``bench/workload.py`` (``wrk_mix.lua``) in
alternating slices at c=8, the order rotating each round, and one markdown table gives
each one's rps, its ratio to the gunicorn floor and its gain over the same app on gunicorn.

Then the per-worker duties are probed on each server: card records queued in the workers
when the server is stopped gracefully (SIGTERM right after a burst of firing calls), and
the calls counted by ``/metrics`` (summed over the workers). Issue 18's rule: ship granian
only if the service's mix throughput rises by at least 20 % with every duty kept.

Usage: ``.venv/bin/python bench/servers.py [--duration 12] [--slices 3] [--server NAME ...]``
(about 2 minutes; ``--server`` repeated picks the servers, default both). Needs ``wrk``
and ``shared/bench`` as ``bench/run.py`` does.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from pathlib import Path

import make_bodies
import requests
import run
from run import FLOOR_DIR
from run import ROOT
from workload import load_average
from workload import machine
from workload import mix_script

HERE = Path(__file__).resolve().parent


def start(stack: ExitStack, server: str, app: str, env: dict[str, str]) -> tuple[str, int]:
    """Start the floor or the service under ``server``; return (base URL, master pid)."""
    target, cwd, probe = {
        "floor": ("floor_app:app", FLOOR_DIR, "/cds-services"),
        "service": ("cds_service.wsgi:app", ROOT, "/health"),
    }[app]
    return stack.enter_context(run.server([target], env, cwd, probe, kind=server))


def throughput(servers: list[str], duration: int, slices: int) -> None:
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    mix = mix_script(make_bodies.write_workload(out, datetime.now(UTC)))
    paths = {"floor": "/cds-services/x", "service": "/cds-services/patient-view"}
    names = [(app, srv) for app in paths for srv in servers]
    with ExitStack() as stack:
        loads = []
        for app, srv in names:
            base, master = start(stack, srv, app, run.service_env() if app == "service" else {})
            loads.append((base + paths[app], None, master))
        runs = run.alternate(loads, duration, slices=slices, rotate=True, **mix)
    by_name = dict(zip(names, runs, strict=True))
    first = servers[0]  # gunicorn when it runs: the reference of the gain
    floor_runs = by_name[("floor", first)]
    floor_rps = run.median_run(floor_runs)["rps"]
    print(
        f"\n| app | server | rps | ratio to {first} floor | slices | gain over {first} | "
        "p50 ms | p99 ms | CPU ms/req | errors |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"
    )
    for (app, srv), app_runs in by_name.items():
        m = run.against(app_runs, floor_runs)
        same_app = run.median_run(by_name[(app, first)])["rps"]
        print(
            f"| {app} | {srv} | {m['rps']:.0f} | {m['rps'] / floor_rps:.2f} | "
            f"{m['ratio_min']:.2f}-{m['ratio_max']:.2f} | {(m['rps'] / same_app - 1) * 100:+.0f} % | "
            f"{m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {m['cpu_ms']:.3f} | "
            f"{m['http_err'] + m['sock_err']:.0f} |"
        )


def card_rows_after_stop(server: str, calls: int) -> str:
    """Stop the service right after ``calls`` firing calls; count the card rows written.

    The writers' own thread writes rows that waited 1 s; the stop comes sooner (the row
    says how soon), so rows found in the table were written by the stop.
    """
    body = make_bodies.patient_view(datetime.now(UTC))
    env = run.service_env()
    db = env["CDS_DATABASE_URL"].removeprefix("sqlite:///")
    with ExitStack() as stack:
        base, _ = start(stack, server, "service", env)
        url = base + "/cds-services/patient-view"
        t0 = time.monotonic()
        cards = sum(
            len(requests.post(url, json=body, timeout=10).json()["cards"]) for _ in range(calls)
        )
        metrics = requests.get(base + "/metrics", timeout=10).text
        elapsed = time.monotonic() - t0
    # Leaving the stack sent SIGTERM to the server and waited for it to exit.
    counted = sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith("cds_service_calls_total{") and 'service="patient-view"' in line
    )
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*) FROM card_record").fetchone()[0]
    return f"| {server} | {calls} | {counted:.0f} | {cards} | {rows} | {elapsed:.2f} s |"


def duties(servers: list[str], calls: int) -> None:
    print(
        "\n| server | calls | calls counted by /metrics | cards answered | "
        "card rows written by the stop | first call to SIGTERM |\n|---|--:|--:|--:|--:|--:|"
    )
    for server in servers:
        print(card_rows_after_stop(server, calls))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=12, help="seconds per server")
    parser.add_argument("--slices", type=int, default=3, help="rounds")
    parser.add_argument("--calls", type=int, default=20, help="firing calls before the stop")
    parser.add_argument("--server", action="append", choices=run.SERVERS, help="default: both")
    args = parser.parse_args()
    servers = sorted(set(args.server or run.SERVERS), key=("gunicorn", "granian").index)
    load_start, started = load_average(), time.time()
    print(
        f"\n## gunicorn vs granian, mix 95/4/1, c=8, {args.slices} rotating rounds of "
        f"{-(-args.duration // args.slices)} s per server "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n\nMachine: {machine()}. "
        f"granian {version('granian')}, gunicorn {version('gunicorn')}."
    )
    throughput(servers, args.duration, args.slices)
    duties(servers, args.calls)
    print(
        f"\nLoad average (1, 5, 15 min): at start {load_start}, at end {load_average()}; "
        f"{time.time() - started:.0f} s in all."
    )


def version(package: str) -> str:
    from importlib.metadata import version as of

    return of(package)


if __name__ == "__main__":
    main()
