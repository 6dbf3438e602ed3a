#!/usr/bin/env python3
"""What each part of a patient-view call costs over HTTP, as a share of the floor's throughput.

Starts the floor and one server per build of the service (``bench/variants.py``: the
service with parts switched off), all under the production server of ``bench/run.py``
(``--server``; the variants run under granian's command line, not the launcher), and loads them with wrk at c=8 in alternating slices, so the machine's
drift falls on every build alike. Prints each build's median ratio to the floor, the
range of its slice ratios, its worst p99, and the CPU its workers spent per request.

Usage: ``.venv/bin/python bench/decompose.py [--slices 3] [--seconds 3]`` (about 2 min).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from pathlib import Path

import make_bodies
import run

BUILDS = {
    "as shipped": "",
    "no call log line": "log",
    "no Prometheus updates": "metrics",
    "no card records": "records",
    "none of those three": "log,metrics,records",
    "pipeline replayed": "pipeline",
    "pipeline replayed, none of the three": "pipeline,log,metrics,records",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slices", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=3, help="seconds per slice")
    run.add_server_option(parser)
    args = parser.parse_args()
    run.use_server(args.server, args.floor_server)
    body = Path(tempfile.mkdtemp()) / "patient-view.json"
    body.write_text(json.dumps(make_bodies.patient_view(datetime.now(UTC))))
    with ExitStack() as stack:
        floor = stack.enter_context(run.floor())
        targets = {"floor": (floor, run.FLOOR_DIR / "request.json", "/cds-services/x")}
        for name, off in BUILDS.items():
            env = {**run.service_env(), "BENCH_OFF": off}
            svc = stack.enter_context(run.server(["bench.variants:app"], env, run.ROOT, "/health"))
            targets[name] = (svc, body, "/cds-services/patient-view")
        for (base, _), target_body, path in targets.values():  # warm every worker up
            run.wrk(base + path, target_body, 8, 2, warm=False)
        slices: dict[str, list[dict[str, float]]] = {n: [] for n in targets}
        for _ in range(args.slices):
            for name, ((base, master), target_body, path) in targets.items():
                slices[name].append(
                    run.wrk(base + path, target_body, 8, args.seconds, warm=False, master=master)
                )
    floor_rps = [s["rps"] for s in slices["floor"]]
    print(
        f"\n## Patient-view builds against the floor, c=8, {args.slices} alternating "
        f"{args.seconds} s slices ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n"
    )
    print(f"| {'build':<36} |    rps | ratio |    slices   | p99 ms | user ms/req | sys ms/req |")
    print(f"|{'-' * 38}|--------|-------|-------------|--------|-------------|------------|")
    for name, runs in slices.items():
        ratios = [r["rps"] / f for r, f in zip(runs, floor_rps, strict=True)]
        m = run.median_run(runs)  # median rps and CPU, worst p99: as bench/run.py reports
        print(
            f"| {name:<36} | {m['rps']:>6.0f} | {statistics.median(ratios):>5.2f} "
            f"| {min(ratios):>4.2f}-{max(ratios):<4.2f}  | {m['p99_ms']:>6.2f} "
            f"| {m['user_ms']:>11.3f} | {m['sys_ms']:>10.3f} |"
        )
    print(
        "\n'pipeline replayed': each service's first answer is returned again (the request's"
        " JSON, Flask, CORS and the features still run; replayed card records conflict)."
    )


if __name__ == "__main__":
    main()
