#!/usr/bin/env python3
"""Peers' trivial greeting services against the floor, in one run (issue 18 point 5).

Starts on 127.0.0.1, side by side:

* the floor (``shared/bench/floor_app.py``, ``POST /cds-services/x``) under the server
  ``bench/run.py`` runs it with (``--server granian|gunicorn``, 2 workers);
* HealthChain's patient greeting (``shared/bench/peer_healthchain_app.py``) on uvicorn, one
  worker, in a venv of its own made from ``shared/bench/requirements-peer-hc.txt`` (reused
  from ``--hc-venv`` when it exists);
* the Node reference service's patient greeting (cds-hooks/sandbox-cds-services), one
  process, from ``--node-dir``: a checkout with ``node_modules`` installed. Its exported
  Express app (``index.js``) is bound to 127.0.0.1, as the shared anchors did. Not part
  of this repository; the run says so and skips it when the folder is missing.

Each POSTs ``shared/bench/request.json``; all are loaded in alternating slices at c=8, the
order rotating each round, and one markdown table gives each peer's rps and ratio to the
floor. gunicorn sync workers close every connection; granian, Node and uvicorn keep it alive.

Usage: ``.venv/bin/python bench/peers.py [--duration 12] [--slices 3] [--hc-venv DIR]
[--node-dir DIR]`` (about 1.5 minutes, plus the venv on the first run). Needs ``wrk``,
``node`` for the Node peer, and ``shared/bench`` as ``bench/run.py`` does.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from pathlib import Path

import run
from run import FLOOR_DIR
from workload import load_average
from workload import machine

TMP = Path(tempfile.gettempdir())


def hc_venv(venv: Path) -> Path:
    """HealthChain's venv (made on first use); return its uvicorn."""
    uvicorn = venv / "bin" / "uvicorn"
    if not uvicorn.exists():
        subprocess.run(["python3", "-m", "venv", str(venv)], check=True)  # noqa: S603 S607
        pip = [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, "-r", str(FLOOR_DIR / "requirements-peer-hc.txt")], check=True)  # noqa: S603
    return uvicorn


def node_command(folder: Path) -> Callable[[int], list[str]]:
    def command(port: int) -> list[str]:
        listen = f"require({str(folder / 'index.js')!r}).listen({port}, '127.0.0.1')"
        return ["node", "-e", listen]

    return command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=12, help="seconds per server")
    parser.add_argument("--slices", type=int, default=3, help="rounds")
    parser.add_argument("--hc-venv", type=Path, default=TMP / "bench-peer-hc-venv")
    parser.add_argument("--node-dir", type=Path, default=TMP / "sandbox-cds-services")
    run.add_server_option(parser)
    args = parser.parse_args()
    run.use_server(args.server, args.floor_server)
    load_start, started = load_average(), datetime.now(UTC)
    body = FLOOR_DIR / "request.json"
    notes = []
    with ExitStack() as stack:
        floor, floor_master = stack.enter_context(run.floor())
        loads = {f"floor (Flask, {run.SERVER} -w 2)": (floor + "/cds-services/x", floor_master)}
        uvicorn = [str(hc_venv(args.hc_venv)), "--host", "127.0.0.1", "--workers", "1"]
        base, master = stack.enter_context(
            run.server(
                [],
                {},
                FLOOR_DIR,
                "/cds/cds-discovery",
                command=lambda port: [*uvicorn, "--port", str(port), "peer_healthchain_app:app"],
            )
        )
        loads["HealthChain (FastAPI, uvicorn, 1 worker)"] = (
            base + "/cds/cds-services/patient-greeting",
            master,
        )
        if (args.node_dir / "node_modules").is_dir():
            base, master = stack.enter_context(
                run.server(
                    [], {}, args.node_dir, "/cds-services", command=node_command(args.node_dir)
                )
            )
            loads["Node reference (Express, 1 process)"] = (
                base + "/cds-services/patient-greeting",
                master,
            )
        else:
            notes.append(f"Node peer skipped: no {args.node_dir}/node_modules (see --node-dir).")
        runs = run.alternate(
            [(url, body, master) for url, master in loads.values()],
            args.duration,
            slices=args.slices,
            rotate=True,
        )
    by_name = dict(zip(loads, runs, strict=True))
    floor_runs = runs[0]
    floor_rps = run.median_run(floor_runs)["rps"]
    print(
        f"\n## Peers' patient greeting against the floor, c=8, {args.slices} rotating rounds "
        f"of {-(-args.duration // args.slices)} s per server "
        f"({started:%Y-%m-%d %H:%M}-{datetime.now(UTC):%H:%M} UTC)\n"
    )
    print(f"Machine: {machine()}. Load average (1, 5, 15 min): at start {load_start}, ", end="")
    print(f"at end {load_average()}.\n")
    print("| server | rps | ratio to floor | slices | p50 ms | p99 ms | CPU ms/req | errors |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for name, server_runs in by_name.items():
        m = run.against(server_runs, floor_runs)
        print(
            f"| {name} | {m['rps']:.0f} | {m['rps'] / floor_rps:.2f} | "
            f"{m['ratio_min']:.2f}-{m['ratio_max']:.2f} | {m['p50_ms']:.2f} | "
            f"{m['p99_ms']:.2f} | {m['cpu_ms']:.3f} | {m['http_err'] + m['sock_err']:.0f} |"
        )
    for note in notes:
        print(f"\n- {note}")


if __name__ == "__main__":
    main()
