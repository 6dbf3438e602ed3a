#!/usr/bin/env python3
"""Measure the real ``patient-view`` workload against the floor, in one run (issue 18).

An EHR calls ``patient-view`` on every chart opening, and nearly every chart has nothing
to say about a spine mass. This loads the service and the floor (``POST /cds-services/x``
parsing *the same body*) with each of the three bodies of ``make_bodies.WORKLOAD`` and
with their mix (95 % / 4 % / 1 % through ``wrk_mix.lua``), in alternating slices at c=8
(:func:`run.paired`), and prints the ratios and p99 next to issue 18's targets.

Before loading, each body is sent once in-process: a body that does not answer as its
name says (no card, or cards) would measure the wrong path, so the run stops.

Usage: ``.venv/bin/python bench/workload.py [--duration 15] [--soak 60]`` (three slices of
duration/3 s each per row; then the mix alone at c=32 for ``--soak`` seconds, which must
give no error; ``--server granian|gunicorn`` picks the server of both, default the shipped one). Needs ``wrk`` and ``shared/bench`` as ``run.py`` does.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import make_bodies
import run
from run import FLOOR_DIR
from run import ROOT
from run import floor_and_service
from run import paired

HERE = Path(__file__).resolve().parent
MIX = "mix 95/4/1"
#: Issue 18's lowest throughput ratios to the floor at c=8; the firing body has none of
#: its own (it must not fall below its figure before the fast path: compare tables).
TARGET_RATIO = {"no-context": 0.85, "cancer-no-symptom": 0.6, MIX: 0.8}
TARGET_P99_MS = 15.0


def mix_script(files: dict[str, Path]) -> dict[str, Any]:
    """:func:`run.wrk`'s options that send the 95/4/1 mix of ``files`` (``wrk_mix.lua``)."""
    weights = ",".join(f"{w}:{files[n]}" for n, (w, _, _) in make_bodies.WORKLOAD.items())
    return {
        "script": HERE / "wrk_mix.lua",
        "script_env": {"MIX": weights, "REPORT_LUA": str(FLOOR_DIR / "wrk_report.lua")},
    }


def check_outcomes(files: dict[str, Path]) -> dict[str, int]:
    """Send each body once in-process; return its card count, or stop if it is wrong."""
    client = run.service_app().test_client()
    cards = {}
    for name, path in files.items():
        resp = client.post(
            "/cds-services/patient-view", data=path.read_bytes(), content_type="application/json"
        )
        cards[name] = len(resp.get_json()["cards"]) if resp.status_code == 200 else -1
        fires = make_bodies.WORKLOAD[name][2]
        if resp.status_code != 200 or (cards[name] > 0) != fires:
            raise SystemExit(f"{name}: HTTP {resp.status_code}, {cards[name]} cards, not as named")
    return cards


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    cpu = model.group(1).strip() if model else platform.processor()
    return f"nproc {os.cpu_count()}, {cpu}, Python {platform.python_version()}"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the shared machine was."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per row, in 3 slices")
    parser.add_argument("--soak", type=int, default=60, help="seconds of the mix at c=32")
    run.add_server_option(parser)
    args = parser.parse_args()
    run.use_server(args.server, args.floor_server)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    files = make_bodies.write_workload(out, datetime.now(UTC))
    cards = check_outcomes(files)
    rows = []
    with floor_and_service() as ((floor, floor_master), (svc, master)):
        svc_url, floor_url = svc + "/cds-services/patient-view", floor + "/cds-services/x"
        masters = (master, floor_master)
        for name, path in files.items():
            rows.append((name, *paired(svc_url, path, floor_url, path, args.duration, masters)))
        mix = paired(
            svc_url,
            None,
            floor_url,
            None,
            args.duration,
            masters,
            **mix_script(files),
        )
        rows.append((MIX, *mix))
        soak = run.wrk(svc_url, None, 32, args.soak, **mix_script(files))

    slice_s = -(-args.duration // 3)
    print(
        f"\n## Real workload, c=8, 3 alternating {slice_s} s slices per row (median rps, "
        f"worst p99), {run.describe()}, 127.0.0.1 ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n"
    )
    print(f"Machine: {machine()}\n")
    print(
        "| body | KB | cards | rps | floor rps | ratio | slices | p99 ms | floor p99 | "
        "CPU ms/req | floor CPU | target | result |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|")
    failed = False
    for name, r, f in rows:
        ratio = r["rps"] / f["rps"]
        goal = TARGET_RATIO.get(name)
        errors = r["http_err"] + r["sock_err"]
        ok = (goal is None or ratio >= goal) and r["p99_ms"] <= TARGET_P99_MS and errors == 0
        failed |= not ok
        size = f"{files[name].stat().st_size / 1024:.1f}" if name in files else "-"
        target = (f">= {goal}x, " if goal else "") + f"p99 <= {TARGET_P99_MS:.0f} ms"
        print(
            f"| {name} | {size} | {cards.get(name, '-')} | {r['rps']:.0f} | {f['rps']:.0f} | "
            f"{ratio:.2f} | {r['ratio_min']:.2f}-{r['ratio_max']:.2f} | {r['p99_ms']:.2f} | "
            f"{f['p99_ms']:.2f} | {r['cpu_ms']:.3f} | {f['cpu_ms']:.3f} | {target} | "
            f"{'PASS' if ok else 'FAIL'}{f' ({errors:.0f} errors)' if errors else ''} |"
        )
    soak_errors = soak["http_err"] + soak["sock_err"]
    failed |= soak_errors > 0
    print(
        f"| {MIX}, c=32 for {args.soak} s | - | - | {soak['rps']:.0f} | - | - | - | "
        f"{soak['p99_ms']:.2f} | - | - | - | zero errors | "
        f"{'PASS' if soak_errors == 0 else 'FAIL'} ({soak_errors:.0f} errors in "
        f"{soak['requests']:.0f}) |"
    )
    print(
        "\nThe floor parses the same body (or the same mix) as the service in each row. "
        "ratio: of the slices' median rps; slices: lowest and highest slice ratio."
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
