#!/usr/bin/env python3
"""Instructions per in-process ``patient-view`` call, counted by valgrind (callgrind).

Throughput ratios on a shared 2-core machine move by ±0.1 between runs of the same code;
an instruction count does not move at all. This runs the service (as :func:`run.service_app`
builds it: metrics, card records, a log line per call) or the floor app under callgrind
twice, with ``--calls`` and with ``--calls + --extra`` calls of one body after a warm-up,
and prints the difference divided by ``--extra``: what one call costs, start-up excluded.

``--tree PATH`` measures another checkout's ``cds_service`` (e.g. a ``git worktree`` of an
older revision) with this checkout's bench code. Needs ``valgrind``.

Usage: ``.venv/bin/python bench/instructions.py [--app service|floor] [--tree PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import UTC
from datetime import datetime
from pathlib import Path

import make_bodies
from run import FLOOR_DIR
from run import ROOT

_COLLECTED = re.compile(r"Collected : (\d+)")


def _loop(app: str, body: Path, calls: int) -> None:
    """The measured process: build the app, warm it up, make ``calls`` calls."""
    import run

    if app == "floor":
        sys.path.insert(0, str(FLOOR_DIR))
        import floor_app  # type: ignore[import-not-found]

        once = run.wsgi_call(floor_app.app, "/cds-services/x", body.read_bytes())
    else:
        once = run.wsgi_call(run.service_app(), "/cds-services/patient-view", body.read_bytes())
    for _ in range(50 + calls):
        once()


def instructions(app: str, body: Path, calls: int, tree: Path) -> int:
    """Instructions of a whole process making ``calls`` calls (after its warm-up)."""
    env = {
        **os.environ,
        "PYTHONPATH": f"{tree}{os.pathsep}{Path(__file__).parent}",
        "BENCH_SERVICE_ROOT": str(tree),  # run.py puts this first on sys.path
    }
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--loop",
        app,
        str(body),
        str(calls),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    found = _COLLECTED.findall(done.stderr)
    if not found:
        raise SystemExit(f"no callgrind total in:\n{done.stderr[-2000:]}")
    return int(found[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--app", choices=("service", "floor"), default="service")
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout whose cds_service runs")
    parser.add_argument("--calls", type=int, default=20, help="calls in the shorter run")
    parser.add_argument("--extra", type=int, default=100, help="more calls in the longer run")
    parser.add_argument(
        "--body", action="append", help="measure only this body (repeatable); default all"
    )
    parser.add_argument("--loop", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loop:
        app, body, calls = args.loop
        _loop(app, Path(body), int(calls))
        return
    with tempfile.TemporaryDirectory() as tmp:
        now = datetime.now(UTC)
        files = make_bodies.write_workload(Path(tmp), now)
        # bench/run.py's body, the one issue 13's constraint is measured on.
        files["patient-view"] = Path(tmp) / "patient-view.json"
        files["patient-view"].write_text(json.dumps(make_bodies.patient_view(now)))
        if args.body:
            files = {name: files[name] for name in args.body}
        print("| body | app | tree | instructions per call |\n|---|---|---|--:|")
        for name, body in files.items():
            short = instructions(args.app, body, args.calls, args.tree.resolve())
            long = instructions(args.app, body, args.calls + args.extra, args.tree.resolve())
            per_call = (long - short) / args.extra
            print(f"| {name} | {args.app} | {args.tree} | {per_call / 1e6:.2f} M |", flush=True)


if __name__ == "__main__":
    main()
