#!/usr/bin/env python3
"""Where a patient-view call spends its CPU: a py-spy profile as a markdown table (issue 18).

Runs ``bench/run.py --wsgi-loop`` (the service as production runs it, called straight as a
WSGI app in one thread, no HTTP) on one body of ``make_bodies.WORKLOAD`` under
``py-spy record``, keeps the samples taken inside a call (not start-up), and prints the
functions with the most *self* time (the sampled frame itself, not its callees), with
their *inclusive* share (anywhere on the stack) beside it; then the service's own
functions by inclusive share, which shows the call's stages, and what Flask runs around the
view (request set-up, before/after-request hooks, the response).

Usage: ``.venv/bin/python bench/hotspots.py [--body no-context] [--seconds 20] [--top 15]``.
Needs py-spy in the venv (``.venv/bin/pip install py-spy``; not a project dependency) and
permission to trace a child process (root, or ptrace allowed).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC
from datetime import datetime
from pathlib import Path

import make_bodies
from run import ROOT
from workload import load_average
from workload import machine

IN_CALL = "wsgi_call.<locals>.once (run.py)"  # the frame of one WSGI call in run.py
FLASK_STEPS = tuple(
    f"Flask.{step} (flask/app.py)"
    for step in ("wsgi_app", "full_dispatch_request", "finalize_request", "process_response")
)


def record(body: Path, seconds: int, rate: int) -> list[tuple[list[str], int]]:
    """Profile the WSGI loop on ``body``; return (stack from the call down, samples)."""
    raw = Path(tempfile.mkdtemp()) / "profile.txt"
    spy = Path(sys.executable).with_name("py-spy")
    loop = [sys.executable, str(ROOT / "bench" / "run.py"), "--wsgi-loop", str(seconds)]
    subprocess.run(  # noqa: S603
        [str(spy), "record", "--format", "raw", "--nolineno", "-r", str(rate), "-o", str(raw)]
        + ["--", *loop, "--body", str(body)],
        check=True,
        capture_output=True,
    )
    stacks = []
    for line in raw.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        path = frames.split(";")
        if IN_CALL in path:
            stacks.append((path[path.index(IN_CALL) + 1 :], int(count)))
    return stacks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--body", choices=list(make_bodies.WORKLOAD), default="no-context")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    load_start = load_average()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    body = make_bodies.write_workload(out, datetime.now(UTC))[args.body]
    stacks = record(body, args.seconds, args.rate)
    total = sum(n for _, n in stacks)
    self_time: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for path, n in stacks:
        self_time[path[-1] if path else IN_CALL] += n
        for frame in set(path):
            inclusive[frame] += n
    print(
        f"\n## Profile of patient-view, {args.body} body, in-process "
        f"({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n\n"
        f"`bench/hotspots.py --body {args.body} --seconds {args.seconds}`: py-spy at "
        f"{args.rate} Hz, {total} samples inside calls. Machine: {machine()}; load average "
        f"{load_start} at start, {load_average()} at end. Self: the function itself; "
        f"inclusive: with its callees.\n"
    )
    print("| # | function (file) | self % | inclusive % |\n|--:|---|--:|--:|")
    for rank, (frame, n) in enumerate(self_time.most_common(args.top), 1):
        print(
            f"| {rank} | `{frame}` | {n / total * 100:.1f} | {inclusive[frame] / total * 100:.1f} |"
        )
    covered = sum(n for _, n in self_time.most_common(args.top)) / total * 100
    print(f"\nThe {args.top} rows hold {covered:.0f} % of the self time.\n")
    print("The service's own functions by inclusive time (the call's stages):\n")
    print("| function (file) | inclusive % | self % |\n|---|--:|--:|")
    own = [(f, n) for f, n in inclusive.most_common() if "(cds_service/" in f]
    for frame, n in own[: args.top]:
        print(f"| `{frame}` | {n / total * 100:.1f} | {self_time[frame] / total * 100:.1f} |")
    print("\nWhat Flask runs around the view (direct callees, inclusive):\n")
    print("| caller | callee | inclusive % |\n|---|---|--:|")
    for caller in FLASK_STEPS:
        callees: Counter[str] = Counter()
        for path, n in stacks:
            if caller in path[:-1]:
                callees[path[path.index(caller) + 1]] += n
        for callee, n in callees.most_common(6):
            print(f"| `{caller.split(' ')[0]}` | `{callee}` | {n / total * 100:.1f} |")


if __name__ == "__main__":
    main()
