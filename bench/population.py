#!/usr/bin/env python3
"""Population evaluation: patients/s per core beside the in-process patient-view cost.

Writes a synthetic Bulk Data export (``synth``), measures what ``patient-view`` costs per
patient in-process on one core (the service's input builder and logic on already grouped
records), then runs ``spine-mass-cds population`` on the export and reports its wall time,
patients/s per core and the peak memory of its whole process tree (sampled from /proc), so
the cost of reading and grouping is visible as the gap between the two rates. ``--spark``
also runs the Spark engine (``local[*]``) on the same export.

Usage: ``.venv/bin/python bench/population.py [--patients 100000] [--spark]``. Targets
(issue 17): 100,000 patients in at most 5 minutes on 2 cores, peak memory under 2 GB.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from cds_service.population.grouping import patient_of
from cds_service.population.patients import evaluate_patient
from cds_service.population.synth import write_export

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CLI = str(Path(sys.executable).with_name("spine-mass-cds"))


def in_process_cost(export: Path, patients: int) -> float:
    """Seconds of one core per patient for the first ``patients`` patients, grouped."""
    groups: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    wanted = {f"syn{n:07d}" for n in range(1, patients + 1)}
    for path in sorted(export.glob("*.ndjson")):
        with path.open("rb") as fh:
            for line in fh:
                res = orjson.loads(line)
                pid = patient_of(res)
                if pid in wanted:
                    groups[pid].append(res)
    started = time.process_time()
    for pid, resources in groups.items():
        evaluate_patient(pid, resources, now=NOW, profile="dutch")
    return (time.process_time() - started) / len(groups)


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        children[int(fields["PPid"])].append(int(entry))
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def timed_run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (the whole tree) and peak tree memory of one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    done.set()
    sampler.join()
    if code:
        raise SystemExit(f"{' '.join(args)} failed with exit code {code}")
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000, help="patients timed in-process")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--spark", action="store_true", help="also run the Spark engine")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-population-") as tmp:
        export, out = Path(tmp) / "export", Path(tmp) / "out"
        started = time.monotonic()
        counts = write_export(export, patients=opts.patients, seed=1, now=NOW)
        size = sum(p.stat().st_size for p in export.iterdir())
        print(
            f"export: {opts.patients} patients, {sum(counts.values())} resources "
            f"({sum(counts.values()) / opts.patients:.1f} each), {size / 1e9:.2f} GB, "
            f"written in {time.monotonic() - started:.0f} s"
        )
        cost = in_process_cost(export, min(opts.sample, opts.patients))
        print(
            f"in-process patient-view: {cost * 1e3:.2f} ms CPU a patient = "
            f"{1 / cost:.0f} patients/s per core"
        )
        base = [CLI, "population", str(export), "--now", NOW.isoformat(), "--out"]
        wall, cpu, peak = timed_run([*base, str(out), "--workers", str(opts.workers)])
        rate = opts.patients / wall
        print(
            f"local engine, {opts.workers} workers: {wall:.0f} s wall, {rate:.0f} patients/s = "
            f"{rate / opts.workers:.0f} patients/s per core; {cpu:.0f} s CPU = "
            f"{opts.patients / cpu:.0f} patients per CPU-second "
            f"({opts.patients / cpu * cost:.0%} of in-process); peak memory {peak / 1e9:.2f} GB"
        )
        print(f"load average during the run: {os.getloadavg()[0]:.1f} (shared machine)")
        if opts.spark:
            # No CPU figure: the JVM is not reaped by the CLI, so rusage misses it.
            wall, _, peak = timed_run([*base, str(out) + "-spark", "--engine", "spark"])
            rate = opts.patients / wall
            print(
                f"spark engine, local[*]: {wall:.0f} s wall, {rate:.0f} patients/s, "
                f"peak memory {peak / 1e9:.2f} GB"
            )
            same = (out / "cards.ndjson").read_bytes() == (
                Path(str(out) + "-spark") / "cards.ndjson"
            ).read_bytes()
            print(f"cards.ndjson identical: {same}")


if __name__ == "__main__":
    main()
