#!/usr/bin/env python3
"""Measure two revisions of the service against the floor in one run (issues 13 and 18).

Checks out ``--before`` into a temporary ``git worktree`` (removed afterwards), starts the
floor, the service at *before* and the service at *after* side by side under the same
server (:func:`run.server`, ``--server granian|gunicorn``: 2 workers, each tree's own launcher
or gunicorn config;
each service imports the ``cds_service`` of its own tree; all use this venv), and loads
the three in alternating slices at c=8, the order rotating each round, with:

* ``patient-view``: ``bench/run.py``'s body; the floor parses its own ``request.json``,
  as in ``bench/run.py`` (issue 13's ratio);
* ``no-context``, ``cancer-no-symptom``, ``firing``: ``bench/workload.py``'s bodies, the
  floor parsing the same body;
* the mix 95/4/1 through ``wrk_mix.lua``, the floor parsing the same mix.

It prints one markdown table: each revision's ratio to the floor, and ``after - before``
(of the two ratios, with the range of that difference taken round by round: what
noise alone moves).
Issue 13 allows the patient-view ratio to drop by at most 0.03; issue 18 (c) wants the
firing ratio no lower than before. A body a revision cannot answer with 200 is skipped
for that revision and said so. After the servers stop, a second table gives each
revision's CPU per in-process call on the same bodies (``bench/run.py --wsgi-cpu``, each
in a new process importing its own tree's ``cds_service``, alternating): no HTTP and no
wrk, so the machine's load moves it far less than the ratios.

Usage::

    .venv/bin/python bench/compare.py --before REV [--after REV|PATH] [--duration 12]
        [--slices 3] [--in-process 2]

``--after`` defaults to this checkout (with its uncommitted changes); a git revision is
checked out like ``--before``. Each row takes ``3 x duration`` seconds plus a 2 s warm-up
per server, then the in-process rounds (about 5 minutes at the defaults). Needs ``wrk`` and ``shared/bench``
(``FLOOR_DIR``), as ``bench/run.py`` does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import make_bodies
import requests
import run
from run import FLOOR_DIR
from run import ROOT
from workload import MIX
from workload import load_average
from workload import machine
from workload import mix_script

HERE = Path(__file__).resolve().parent


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(  # noqa: S603
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


@contextmanager
def checkout(rev_or_path: str) -> Iterator[tuple[Path, str]]:
    """Yield (tree, label): a directory as it is, or a revision in a temporary worktree."""
    path = Path(rev_or_path)
    if path.is_dir():
        tree = path.resolve()
        dirty = git("status", "--porcelain", "--", "cds_service", cwd=tree)
        yield tree, git("rev-parse", "--short", "HEAD", cwd=tree) + (" + changes" if dirty else "")
        return
    tree = Path(tempfile.mkdtemp(prefix="bench-rev-")) / "tree"
    git("worktree", "add", "--detach", str(tree), rev_or_path)
    try:
        yield tree, git("rev-parse", "--short", "HEAD", cwd=tree)
    finally:
        git("worktree", "remove", "--force", str(tree))


def imports_own_package(tree: Path) -> None:
    """Stop unless a Python started as the servers are imports ``cds_service`` from ``tree``."""
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import cds_service; print(cds_service.__file__)"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        check=False,
    )
    if not out.stdout.strip().startswith(str(tree)):
        raise SystemExit(f"{tree}: imports cds_service from {out.stdout or out.stderr}")


def answer(url: str, body: Path) -> str | None:
    """Return None if ``url`` answers ``body`` with 200 and cards, else what it answered."""
    resp = requests.post(
        url, data=body.read_bytes(), headers={"Content-Type": "application/json"}, timeout=10
    )
    if resp.status_code == 200 and "cards" in resp.json():
        return None
    return f"HTTP {resp.status_code}: {resp.text[:120]}"


def row_line(row: str, by_server: dict[str, list[dict[str, float]]]) -> str:
    """One markdown row: each revision against the floor, and after - before."""
    floor_runs = by_server["floor"]
    floor = run.median_run(floor_runs)
    cols = {}
    ratios = {}
    for name in ("before", "after"):
        cols[name] = ["-"] * 5
        if name in by_server:
            c = run.against(by_server[name], floor_runs)
            ratios[name] = c["rps"] / floor["rps"]
            cols[name] = [
                f"{c['rps']:.0f}",
                f"{ratios[name]:.2f}",
                f"{c['ratio_min']:.2f}-{c['ratio_max']:.2f}",
                f"{c['cpu_ms']:.3f}",
                f"{c['p99_ms']:.2f}",
            ]
    diff = rounds = "-"
    if len(ratios) == 2:
        per_round = [
            (a["rps"] - b["rps"]) / f["rps"]
            for a, b, f in zip(by_server["after"], by_server["before"], floor_runs, strict=True)
        ]
        diff = f"{ratios['after'] - ratios['before']:+.3f}"
        rounds = f"{min(per_round):+.3f} to {max(per_round):+.3f}"
    b, a = cols["before"], cols["after"]
    return (
        f"| {row} | {floor['rps']:.0f} | {b[0]} | {b[1]} | {b[2]} | {a[0]} | {a[1]} | {a[2]} | "
        f"{diff} | {rounds} | {b[3]} | {a[3]} | {floor['cpu_ms']:.3f} | {b[4]} | {a[4]} |"
    )


def in_process(trees: dict[str, Path], bodies: dict[str, Path], rounds: int) -> str:
    """Return a table of each revision's CPU per in-process call (``run.py --wsgi-cpu``).

    No HTTP, no server, no wrk: only the application's own CPU, the figure least moved by
    other work on the machine. Each round runs every (body, revision) once in a new
    process; the table keeps each one's lowest figure.
    """
    best: dict[tuple[str, str], float] = {}
    for _ in range(rounds):
        for body_name, body in bodies.items():
            for name, tree in trees.items():
                out = subprocess.run(  # noqa: S603
                    [sys.executable, str(HERE / "run.py"), "--wsgi-cpu", str(body)],
                    cwd=tree,
                    env={**os.environ, "BENCH_SERVICE_ROOT": str(tree)},
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                ms, source = re.findall(r"cpu_ms=([\d.]+) from=(\S+)", out)[-1]
                if not source.startswith(str(tree)):
                    raise SystemExit(f"{name}: imported cds_service from {source}")
                key = (body_name, name)
                best[key] = min(best.get(key, float("inf")), float(ms))
    lines = [
        f"\nCPU per in-process call (raw WSGI, one thread, production app; best of {rounds} "
        "rounds x 3 x 2,000 calls):\n",
        "| body | before ms | after ms | after / before |\n|---|--:|--:|--:|",
    ]
    for body_name in bodies:
        b, a = best[(body_name, "before")], best[(body_name, "after")]
        lines.append(f"| {body_name} | {b:.3f} | {a:.3f} | {a / b:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, help="git revision")
    parser.add_argument("--after", default=str(ROOT), help="git revision or a checkout's path")
    parser.add_argument("--duration", type=int, default=12, help="seconds per server and row")
    parser.add_argument("--slices", type=int, default=3, help="rounds per row")
    parser.add_argument(
        "--in-process",
        type=int,
        default=2,
        metavar="ROUNDS",
        help="rounds of the in-process CPU comparison (0: none)",
    )
    run.add_server_option(parser)
    args = parser.parse_args()
    run.use_server(args.server, args.floor_server)
    load_start, started = load_average(), datetime.now(UTC)

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    now = datetime.now(UTC)
    files = make_bodies.write_workload(out, now)
    pv_body = out / "patient-view.json"
    pv_body.write_text(json.dumps(make_bodies.patient_view(now)))
    floor_pv = FLOOR_DIR / "request.json"
    # row name -> (service body, floor body, wrk script options); None: the mix script
    rows: dict[str, tuple[Path | None, Path | None, dict[str, Any]]] = {
        "patient-view": (pv_body, floor_pv, {}),
        **{name: (path, path, {}) for name, path in files.items()},
        MIX: (None, None, mix_script(files)),
    }

    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    refused: dict[tuple[str, str], str] = {}
    with ExitStack() as stack:
        before, before_label = stack.enter_context(checkout(args.before))
        after, after_label = stack.enter_context(checkout(args.after))
        for tree in (before, after):
            imports_own_package(tree)
        servers = stack.enter_context(ExitStack())  # closed before the in-process part
        floor, floor_master = servers.enter_context(run.floor())
        services = {}
        for name, tree in (("before", before), ("after", after)):
            services[name] = servers.enter_context(
                run.server(["cds_service.wsgi:app"], run.service_env(), tree, "/health", root=tree)
            )
        for row, (body, floor_body, script) in rows.items():
            loads: dict[str, tuple[str, Path | None, int | None]] = {
                "floor": (floor + "/cds-services/x", floor_body, floor_master)
            }
            for name, (base, master) in services.items():
                url = base + "/cds-services/patient-view"
                problem = answer(url, body) if body else None
                if problem:
                    refused[(row, name)] = problem
                else:
                    loads[name] = (url, body, master)
            runs = run.alternate(
                list(loads.values()), args.duration, slices=args.slices, rotate=True, **script
            )
            results[row] = dict(zip(loads, runs, strict=True))
        servers.close()
        cpu_table = ""
        if args.in_process:
            cpu_bodies = {"patient-view": pv_body, **files}
            trees = {"before": before, "after": after}
            cpu_table = in_process(trees, cpu_bodies, args.in_process)

    print(
        f"\n## before {before_label} vs after {after_label}, c=8, {args.slices} rotating "
        f"rounds of {-(-args.duration // args.slices)} s per server and row "
        f"({started:%Y-%m-%d %H:%M}-{datetime.now(UTC):%H:%M} UTC)\n"
    )
    print(f"Machine: {machine()}. Load average (1, 5, 15 min): at start {load_start}, ", end="")
    print(f"at end {load_average()}.\n")
    print(
        "| body | floor rps | before rps | before ratio | slices | after rps | after ratio | "
        "slices | after - before | round diffs | CPU ms/req before | after | floor | "
        "p99 ms before | after |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for row, by_server in results.items():
        print(row_line(row, by_server))
    print(
        "\nratio: the slices' median rps over the floor's; slices: lowest and highest ratio of "
        "one slice to the floor's slice of the same round; after - before: of the two ratios; "
        "round diffs: the range of that difference within each round alone. "
        "Issue 13: patient-view may drop by at most 0.03; issue 18 (c): firing no lower."
    )
    for (row, name), problem in refused.items():
        print(f"\n- {name} cannot serve {row}: {problem}")
    print(cpu_table)


if __name__ == "__main__":
    main()
