#!/usr/bin/env python3
"""Benchmark the service against the bare-Flask floor, in one run, on this machine.

Starts the floor (``shared/bench/floor_app.py``) and the service under the same production
server (``--server granian``, the shipped launcher, or ``gunicorn``) on 127.0.0.1, loads each with ``wrk``, and prints one table of requests/s, p50 and
p99 with the ratio to the floor, followed by the in-process, fallback and memory checks of
issue 6. Every target is printed next to its figure with PASS/FAIL; the exit code is 1 when
any target fails.

Usage: ``make bench`` (or ``.venv/bin/python bench/run.py [--duration 10] [--quick]
[--server granian|gunicorn]``).
Needs ``wrk`` on PATH (Debian: ``apt-get install -y wrk``) and ``shared/bench`` beside the
repository (``FLOOR_DIR`` overrides).

Auth is off for the HTTP runs: a CDS client's JWT is single-use (``jti`` replay
protection), so a load generator cannot replay one token; the floor does no auth either.
JWT verification cost is reported separately, in-process.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import AbstractContextManager
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The checkout whose cds_service the in-process parts import: this one, or another
# revision's tree for bench/compare.py --in-process.
sys.path.insert(0, os.environ.get("BENCH_SERVICE_ROOT", str(ROOT)))
sys.path.insert(0, str(ROOT / "bench"))

import make_bodies  # noqa: E402

from cds_service import fhir_json  # noqa: E402


def _floor_dir() -> Path:
    """``FLOOR_DIR``, else ``shared/bench`` beside the checkout or beside its parent folder.

    A clone sits beside ``shared/``; a git worktree (``wt/NAME``) one level further down.
    """
    if "FLOOR_DIR" in os.environ:
        return Path(os.environ["FLOOR_DIR"])
    near = [up / "shared" / "bench" for up in (ROOT.parent, ROOT.parent.parent)]
    return next((d for d in near if d.is_dir()), near[0])


FLOOR_DIR = _floor_dir()


def gunicorn(root: Path = ROOT) -> list[str]:
    """The gunicorn command line under ``root``'s production config, 2 sync workers.

    Floor and service run under the service's production config (multiprocess metrics,
    keep-alive, timeouts); the command line overrides its worker class, count and bind.
    """
    conf = root / "cds_service" / "gunicorn_conf.py"
    python = [sys.executable, "-m", "gunicorn"]
    return [*python, "-c", str(conf), "-k", "sync", "-w", "2", "--log-level", "warning"]


#: The production servers a bench can start; :func:`server` uses ``SERVER`` (``--server``).
SERVERS = ("granian", "gunicorn")
SERVER = "granian"
#: The floor's server (``--floor-server``); ``None``: the same as the service's. The
#: floor of ``shared/bench/floor.sh`` is gunicorn, so a ratio against it reads as
#: "the service as shipped against the floor as the project defines it".
FLOOR_SERVER: str | None = None


def granian(target: str, port: int) -> list[str]:
    """granian's command line for an app other than the service: the launcher's settings.

    2 worker processes of one blocking thread each, as ``cds_service/server.py`` runs.
    """
    return [
        *(sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "2"),
        *("--blocking-threads", "1", "--host", "127.0.0.1", "--port", str(port)),
        *("--log-level", "warning", target),
    ]


def command_line(kind: str, target: str, port: int, root: Path = ROOT) -> list[str]:
    """How ``kind`` serves ``target`` on ``port``: the service through its own launcher.

    A tree older than the launcher (``bench/compare.py --before``) is served by granian's
    command line with the same settings.
    """
    bind = f"127.0.0.1:{port}"
    if kind == "gunicorn":
        return [*gunicorn(root), "-b", bind, target]
    if target == "cds_service.wsgi:app" and (root / "cds_service" / "server.py").exists():
        return [sys.executable, "-m", "cds_service.server", "--bind", bind, "--workers", "2"]
    return granian(target, port)


def add_server_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default=SERVER,
        help="production server for the floor and the service (default: the shipped one)",
    )
    parser.add_argument(
        "--floor-server",
        choices=SERVERS,
        default=None,
        help="serve the floor under this server instead (shared/bench/floor.sh uses gunicorn)",
    )


def describe(kind: str | None = None) -> str:
    """The server's settings, for a table heading."""
    text = (
        "gunicorn -c cds_service/gunicorn_conf.py -k sync -w 2"
        if (kind or SERVER) == "gunicorn"
        else "granian (python -m cds_service.server --workers 2: WSGI, 1 blocking thread)"
    )
    if kind is None and FLOOR_SERVER not in (None, SERVER):
        text += f"; the floor under {FLOOR_SERVER}"
    return text


def use_server(kind: str, floor: str | None = None) -> None:
    """Start every later :func:`server` under ``kind``, the floor under ``floor`` if given."""
    global SERVER, FLOOR_SERVER
    SERVER, FLOOR_SERVER = kind, floor


RESULTS: list[tuple[str, str, str]] = []  # (check, figure, verdict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early ({url})")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server did not answer: {url}")


@contextmanager
def server(
    args: list[str],
    env: dict[str, str],
    cwd: Path,
    probe: str,
    *,
    root: Path = ROOT,
    command: Callable[[int], list[str]] | None = None,
    kind: str | None = None,
) -> Iterator[tuple[str, int]]:
    """Run a server; yield (base URL, master pid); stop it by its pid.

    By default ``kind`` (default ``SERVER``) serving the app ``args[0]`` with ``root``'s
    settings; ``command`` (given the port) replaces that whole command line, e.g. by
    another server. ``root`` is also put on ``PYTHONPATH``, so a checkout of another
    revision serves its own ``cds_service``.
    """
    port = free_port()
    log = open(Path(tempfile.gettempdir()) / f"bench-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(  # noqa: S603
        command(port) if command else command_line(kind or SERVER, args[0], port, root),
        cwd=cwd,
        # The config file imports cds_service: the repository must be importable from cwd.
        env={**os.environ, "PYTHONPATH": str(root), **env},
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + probe, proc)
        yield base, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()


def workers_cpu(master: int) -> tuple[float, float]:
    """User and system CPU seconds the master's worker processes have used so far.

    A server of one process (no children: Node, a single uvicorn) counts itself.
    """
    user = system = 0
    kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in kids or [str(master)]:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system = user + int(fields[11]), system + int(fields[12])  # utime, stime
    ticks = os.sysconf("SC_CLK_TCK")
    return user / ticks, system / ticks


def wrk(
    url: str,
    body: Path | None,
    conc: int,
    duration: int,
    *,
    warm: bool = True,
    master: int | None = None,
    script: Path = FLOOR_DIR / "wrk_report.lua",
    script_env: dict[str, str] | None = None,
) -> dict[str, float]:
    """Run wrk once (after a 2 s warm-up) and parse the RESULT line of wrk_report.lua.

    ``script`` and ``script_env`` replace the single-body script, e.g. by ``wrk_mix.lua``
    (which prints the same RESULT line).

    With ``master``, also report ``cpu_ms``: the CPU its workers spent per request (the
    application plus gunicorn and the kernel's share in the worker), the figure that
    decides throughput on a machine whose cores the load generator shares; and its two
    parts, ``user_ms`` and ``sys_ms``.
    """
    env = {**os.environ, "BODY_FILE": str(body) if body else "", **(script_env or {})}
    if warm:
        warmup = ["wrk", "-t1", f"-c{conc}", "-d2s", "-s", str(script), url]
        subprocess.run(warmup, env=env, capture_output=True, check=False)  # noqa: S603
    cmd = [
        "wrk",
        "-t1",
        f"-c{conc}",
        f"-d{duration}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    cpu0 = workers_cpu(master) if master else (0.0, 0.0)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False).stdout  # noqa: S603
    line = next((ln for ln in out.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no RESULT line for {url}:\n{out}")
    result = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", line)}
    if master and result["requests"]:
        cpu1, per_request = workers_cpu(master), 1000 / result["requests"]
        result["user_ms"] = (cpu1[0] - cpu0[0]) * per_request
        result["sys_ms"] = (cpu1[1] - cpu0[1]) * per_request
        result["cpu_ms"] = result["user_ms"] + result["sys_ms"]
    return result


def alternate(
    loads: Sequence[tuple[str, Path | None, int | None]],
    duration: int,
    *,
    slices: int = 3,
    rotate: bool = False,
    **script: Any,
) -> list[list[dict[str, float]]]:
    """Load each (URL, body, master pid) in turn, slice by slice; return each one's slices.

    On a shared machine the capacity drifts over minutes; measuring the servers back to
    back, slice by slice, keeps that drift out of their ratios. Each slice lasts
    ``duration / slices`` whole seconds (wrk's -d); the first round warms every server up.
    With ``rotate``, round k starts at the k-th load, so no server always goes first.
    ``script`` goes to :func:`wrk` (``script``, ``script_env``) for every load alike.
    """
    slice_s = -(-duration // slices)  # at least duration in all
    runs: list[list[dict[str, float]]] = [[] for _ in loads]
    for k in range(slices):
        order = list(range(len(loads)))
        if rotate:
            order = order[k % len(loads) :] + order[: k % len(loads)]
        for i in order:
            url, body, master = loads[i]
            runs[i].append(wrk(url, body, 8, slice_s, warm=k == 0, master=master, **script))
    return runs


def against(runs: list[dict[str, float]], floor_runs: list[dict[str, float]]) -> dict[str, float]:
    """Summarise a server's slices (see median_run) with its lowest and highest slice ratio."""
    out = median_run(runs)
    ratios = [s["rps"] / f["rps"] for s, f in zip(runs, floor_runs, strict=True)]
    out["ratio_min"], out["ratio_max"] = min(ratios), max(ratios)
    return out


def paired(
    svc: str,
    svc_body: Path | None,
    floor: str,
    floor_body: Path | None,
    duration: int,
    masters: tuple[int, int],
    **script: Any,
) -> tuple[dict[str, float], dict[str, float]]:
    """Load service and floor in 3 alternating slices (:func:`alternate`); summarise each."""
    svc_runs, floor_runs = alternate(
        [(svc, svc_body, masters[0]), (floor, floor_body, masters[1])], duration, **script
    )
    return against(svc_runs, floor_runs), median_run(floor_runs)


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """Median throughput and p50 of the slices, their worst p99, errors summed."""
    medians = ("rps", "p50_ms", "cpu_ms", "user_ms", "sys_ms")
    out = {k: statistics.median(r[k] for r in runs) for k in medians}
    out["p99_ms"] = max(r["p99_ms"] for r in runs)
    out.update({k: sum(r[k] for r in runs) for k in ("requests", "http_err", "sock_err")})
    return out


def check(name: str, figure: str, ok: bool) -> None:
    RESULTS.append((name, figure, "PASS" if ok else "FAIL"))


def worker_rss_mb(master: int) -> list[float]:
    """Resident set size of each gunicorn worker (children of the master), in MB."""
    kids = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in kids:
        status = Path(f"/proc/{pid}/status").read_text()
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        sizes.append(kb / 1024)
    return sizes


def floor() -> AbstractContextManager[tuple[str, int]]:
    """The floor app of ``shared/bench``, under ``FLOOR_SERVER`` (else the service's server)."""
    return server(["floor_app:app"], {}, FLOOR_DIR, "/cds-services", kind=FLOOR_SERVER)


@contextmanager
def floor_and_service() -> Iterator[tuple[tuple[str, int], tuple[str, int]]]:
    """Run the floor and the service (production settings, auth off) side by side.

    Yields ((floor URL, floor master pid), (service URL, service master pid)).
    """
    with (
        floor() as floor_url,
        server(["cds_service.wsgi:app"], service_env(), ROOT, "/health") as svc,
    ):
        yield floor_url, svc


def service_env() -> dict[str, str]:
    """The service's environment for a bench: production, auth off, a new SQLite file."""
    return {
        "CDS_AUTH_MODE": "off",
        "CDS_ENV": "production",
        "CDS_DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite",
    }


def http_runs(bodies: dict[str, Path], duration: int, soak: int, mem_requests: int) -> None:
    floor_body = FLOOR_DIR / "request.json"
    with floor_and_service() as ((floor, floor_master), (svc, master)):
        masters = (master, floor_master)
        disc, floor_get = paired(
            svc + "/cds-services", None, floor + "/cds-services", None, duration, masters
        )
        pv, floor_post = paired(
            svc + "/cds-services/patient-view",
            bodies["patient-view"],
            floor + "/cds-services/x",
            floor_body,
            duration,
            masters,
        )
        os_, floor_post_os = paired(
            svc + "/cds-services/order-select",
            bodies["order-select"],
            floor + "/cds-services/x",
            floor_body,
            duration,
            masters,
        )
        rows = [
            ("discovery (GET)", disc, floor_get),
            ("patient-view", pv, floor_post),
            ("order-select", os_, floor_post_os),
        ]
        soak_r = wrk(svc + "/cds-services/patient-view", bodies["patient-view"], 32, soak)
        mem = memory_growth(svc, master, bodies["patient-view"], mem_requests)

    print(
        f"\n## HTTP, c=8, 3 alternating {-(-duration // 3)} s slices each (median rps, worst p99), {describe()}, 127.0.0.1 ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n"
    )
    print(
        f"| {'endpoint':<18} | {'rps':>8} | {'p50 ms':>7} | {'p99 ms':>7} | {'floor rps':>9} | {'ratio':>6} | {'slices':>11} | {'CPU ms/req':>10} | {'floor CPU':>9} |"
    )
    print(
        f"|{'-' * 20}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 11}|{'-' * 8}|{'-' * 13}|{'-' * 12}|{'-' * 11}|"
    )
    for name, r, f in rows:
        ratio = r["rps"] / f["rps"]
        print(
            f"| {name:<18} | {r['rps']:>8.0f} | {r['p50_ms']:>7.2f} | {r['p99_ms']:>7.2f} | {f['rps']:>9.0f} | {ratio:>6.2f} | {r['ratio_min']:>5.2f}-{r['ratio_max']:<5.2f} | {r['cpu_ms']:>10.3f} | {f['cpu_ms']:>9.3f} |"
        )
        errs = r["http_err"] + r["sock_err"]
        if name != "discovery (GET)":
            check(f"{name} throughput >= 0.5x floor", f"{ratio:.2f}x", ratio >= 0.5)
            check(f"{name} p99 <= 15 ms (c=8)", f"{r['p99_ms']:.2f} ms", r["p99_ms"] <= 15)
        check(f"{name} errors (c=8)", f"{errs:.0f}", errs == 0)
    print(
        f"| {'floor POST /x':<18} | {floor_post['rps']:>8.0f} | {floor_post['p50_ms']:>7.2f} | {floor_post['p99_ms']:>7.2f} | {'':>9} | {'':>6} | {'':>11} | {floor_post['cpu_ms']:>10.3f} | {'':>9} |"
    )
    print(
        "\nratio: of the slices' median rps; slices: the lowest and highest ratio of one "
        "service slice to the floor slice right after it. "
        f"CPU ms/req: CPU (user + system) the {SERVER} workers spent per request: the "
        f"application, plus {SERVER} and the kernel's share in the worker. wrk runs on the "
        "same two cores, so throughput follows this figure."
    )
    soak_errs = soak_r["http_err"] + soak_r["sock_err"]
    check(
        f"patient-view c=32 {soak}s: errors",
        f"{soak_errs:.0f} of {soak_r['requests']:.0f}",
        soak_errs == 0,
    )
    check(
        f"patient-view c=32 {soak}s: p99 <= 60 ms",
        f"{soak_r['p99_ms']:.2f} ms ({soak_r['rps']:.0f} rps)",
        soak_r["p99_ms"] <= 60,
    )
    for label, value, ok in mem:
        check(label, value, ok)


def memory_growth(svc: str, master: int, body: Path, total: int) -> list[tuple[str, str, bool]]:
    """Load until 10k and then ``total`` requests; compare worker RSS."""
    done = 0
    rss_10k: list[float] = []
    while done < total:
        r = wrk(svc + "/cds-services/patient-view", body, 8, 5)
        done += int(r["requests"])
        if not rss_10k and done >= 10_000:
            rss_10k = worker_rss_mb(master)
    rss_end = worker_rss_mb(master)
    growth = max((b - a) / a for a, b in zip(rss_10k, rss_end, strict=False)) if rss_10k else 0.0
    return [
        (
            "RSS per worker <= 150 MB",
            f"{max(rss_end):.0f} MB after {done} requests",
            max(rss_end) <= 150,
        ),
        (
            "RSS growth 10k -> end < 10%",
            f"{growth * 100:+.1f}% ({', '.join(f'{x:.0f}' for x in rss_10k)} -> {', '.join(f'{x:.0f}' for x in rss_end)} MB)",
            growth < 0.10,
        ),
    ]


def timed(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def in_process() -> None:
    from cds_service import create_app

    app = create_app(
        {
            "AUTH_MODE": "off",
            "LOG_LEVEL": "warning",
            "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/ip.sqlite",
        }
    )
    client = app.test_client()
    now = datetime.now(UTC)

    def call(prefetch: dict[str, Any]) -> Callable[[], Any]:
        body = {**make_bodies.patient_view(now), "prefetch": prefetch}
        data = json.dumps(body)

        def go() -> None:
            resp = client.post(
                "/cds-services/patient-view", data=data, content_type="application/json"
            )
            assert resp.status_code == 200, resp.status_code

        return go

    print("\n## In-process (Flask test client, one thread)\n")
    for how, prefetch_of in (("whole record", lambda p: p), ("narrowed templates", narrowed)):
        small_body = prefetch_of(make_bodies.large_record(now, 20, 200))
        large_body = prefetch_of(make_bodies.large_record(now, 200, 2000))
        small, large = timed(call(small_body), 30), timed(call(large_body), 10)
        sizes = [
            sum(len(fhir_json.resources_of(v)) for v in b.values())
            for b in (small_body, large_body)
        ]
        print(
            f"- {how}: 20 Conditions + 200 Observations ({sizes[0]} resources sent): "
            f"{small:.1f} ms; 200 + 2,000 ({sizes[1]} sent): {large:.1f} ms (x{large / small:.1f})"
        )
        check(f"2,000 Obs, 200 Cond, {how}: <= 50 ms", f"{large:.1f} ms", large <= 50)
        check(f"10x record, {how}: <= 12x time", f"x{large / small:.1f}", large / small <= 12)


def narrowed(prefetch: dict[str, Any]) -> dict[str, Any]:
    """What an EHR sends for this record through the deployed (narrowed) templates.

    The record is served by the test FHIR search server (the one docs/prefetch-cost.md and
    the narrowing tests use) and each ``patient-view`` template is answered once.
    """
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from cds_service.hooks import SERVICES
    from tests.fhir_search_server import SearchServer

    pool = [r for v in prefetch.values() for r in fhir_json.resources_of(v)]
    server = SearchServer(pool=pool)
    templates = next(s for s in SERVICES if s.hook == "patient-view").prefetch
    out = {}
    for key, template in templates.items():
        url = "/fhir/" + template.replace("{{context.patientId}}", make_bodies.PID)
        path, _, query = url.partition("?")
        response = server.handle(
            Request(EnvironBuilder(path=path, query_string=query).get_environ())
        )
        out[key] = json.loads(response.get_data())
    return out


def wsgi_call(wsgi: Callable[..., Any], path: str, body: bytes) -> Callable[[], None]:
    """Return a function making one POST straight into a WSGI app (no HTTP, no server)."""
    import io

    def once() -> None:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8080",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        out = wsgi(environ, lambda *_: None)
        b"".join(out)
        getattr(out, "close", lambda: None)()  # the server's close(): due card rows are written

    return once


def service_app() -> Any:
    """The service as production runs it (metrics, card records, a log line per call)."""
    from cds_service import create_app

    app = create_app(
        {"AUTH_MODE": "off", "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/wsgi.sqlite"}
    )
    # Every call still formats and writes its log line, as in production, to /dev/null.
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the bench
    for handler in logging.getLogger("cds_service").handlers:
        handler.setStream(devnull)  # type: ignore[attr-defined]
    return app


def cpu_per_call(once: Callable[[], None], n: int = 2000) -> float:
    """CPU milliseconds per call of ``once``: best of 3 x ``n`` calls, after 200 to warm up."""
    for _ in range(200):
        once()
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for _ in range(n):
            once()
        best = min(best, (time.process_time() - t0) / n * 1000)
    return best


def wsgi_cost(bodies: dict[str, Path]) -> None:
    """Print the CPU per call of service and floor as WSGI apps, without HTTP or a server.

    The HTTP ratio mixes in what both pay (gunicorn, the kernel, wrk); this isolates what
    the applications themselves cost, in one process, so a change to the service shows
    here even when the machine's capacity drifts.
    """
    sys.path.insert(0, str(FLOOR_DIR))
    import floor_app  # type: ignore[import-not-found]

    app = service_app()

    floor_body = (FLOOR_DIR / "request.json").read_bytes()
    floor = cpu_per_call(wsgi_call(floor_app.app, "/cds-services/x", floor_body))
    print("\n## CPU per call in-process (raw WSGI, one thread, best of 3 x 2,000 calls)\n")
    print(f"- floor POST /x: {floor:.3f} ms")
    for hook, body in bodies.items():
        ms = cpu_per_call(wsgi_call(app, f"/cds-services/{hook}", body.read_bytes()))
        print(f"- {hook}: {ms:.3f} ms ({floor / ms:.2f}x the floor's throughput per core)")


def wsgi_loop(seconds: float, body: Path) -> None:
    """Call patient-view in-process for ``seconds``: a steady target for a profiler.

    ``py-spy record -o profile.svg -- .venv/bin/python bench/run.py --wsgi-loop 30``
    """
    once = wsgi_call(service_app(), "/cds-services/patient-view", body.read_bytes())
    end = time.monotonic() + seconds
    calls = 0
    while time.monotonic() < end:
        once()
        calls += 1
    print(f"{calls} patient-view calls in {seconds:.0f} s")


class _SlowFhir(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is visible
    # Headers and body go out in two writes; with Nagle on, the body waits for the
    # client's delayed ACK (~40 ms), which would be measured as the service's latency.
    disable_nagle_algorithm = True
    connections: set[tuple[str, int]] = set()

    def do_GET(self) -> None:  # noqa: N802
        _SlowFhir.connections.add(self.client_address)
        time.sleep(0.05)
        body = json.dumps({"resourceType": "Bundle", "type": "searchset", "total": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def fallback() -> None:
    from cds_service import create_app

    fhir = ThreadingHTTPServer(("127.0.0.1", 0), _SlowFhir)
    threading.Thread(target=fhir.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{fhir.server_address[1]}/fhir"
    app = create_app(
        {
            "AUTH_MODE": "off",
            "LOG_LEVEL": "warning",  # the table, not 21 call lines
            "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp()}/fb.sqlite",
            "FHIR_ALLOWED_SERVERS": [base],
            "FHIR_ALLOW_LOOPBACK_HTTP": True,
        }
    )
    client = app.test_client()
    body = make_bodies.patient_view(datetime.now(UTC))
    body["fhirServer"] = base
    for key in ("procedures", "devices", "diagnosticReports"):
        del body["prefetch"][key]
    data = json.dumps(body)

    def go() -> None:
        resp = client.post("/cds-services/patient-view", data=data, content_type="application/json")
        assert resp.status_code == 200, resp.get_data(as_text=True)

    ms = timed(go, 20)
    fhir.shutdown()
    conns = len(_SlowFhir.connections)
    print("\n## FHIR fallback: 3 missing keys, local FHIR server answering in 50 ms each\n")
    print(
        f"- median hook time {ms:.1f} ms over 21 calls; {conns} distinct client connections for 63 fetches"
    )
    check("fallback with 3 missing keys <= 80 ms", f"{ms:.1f} ms", ms <= 80)
    check("fallback connections reused", f"{conns} connections / 63 fetches", conns <= 6)


def jwt_cost() -> None:
    """Report the in-process cost of verifying one ES384 client JWT (auth is off over HTTP).

    Uses the development trust set-up (a local ES384 key): tokens are minted beforehand,
    one per call, because each is single-use; only ``Verifier.verify`` is timed, which
    includes the atomic replay insert of the token id into the SQLite database.
    """
    from cds_service import create_app
    from cds_service.auth.dev import mint_dev_token
    from cds_service.auth.verify import audience_for
    from cds_service.store import remember_jti

    tmp = tempfile.mkdtemp()
    app = create_app(
        {
            "ENV": "development",
            "AUTH_MODE": "required",
            "DEV_TRUST_DIR": tmp,
            "DATABASE_URL": f"sqlite:///{tmp}/jwt.sqlite",
        }
    )
    aud = audience_for(app.extensions["cds_audience_base"], "/cds-services/patient-view")
    verifier = app.extensions["cds_verifier"]
    tokens = iter([mint_dev_token(tmp, aud) for _ in range(201)])
    verify_ms = timed(lambda: verifier.verify(next(tokens), aud), 200)
    ids = iter(range(10**6))
    insert_ms = timed(lambda: remember_jti(app, "bench", str(next(ids)), 2**31), 200)
    print("\n## JWT verification, in-process (auth is off for the HTTP runs)\n")
    print(
        f"- ES384 client JWT, cached key, incl. replay check in SQLite: {verify_ms:.2f} ms per "
        f"call (median of 200), of which the atomic jti insert: {insert_ms:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per c=8 wrk run")
    parser.add_argument("--soak", type=int, default=60, help="seconds of the c=32 run")
    parser.add_argument("--mem-requests", type=int, default=100_000)
    parser.add_argument(
        "--quick", action="store_true", help="short runs (3 s, 10 s soak, 20k requests)"
    )
    parser.add_argument(
        "--wsgi-loop",
        type=float,
        metavar="SECONDS",
        help="only call patient-view in-process for SECONDS (to profile with py-spy)",
    )
    parser.add_argument(
        "--body", type=Path, help="the --wsgi-loop's request body (default: patient-view.json)"
    )
    parser.add_argument(
        "--wsgi-cpu",
        type=Path,
        metavar="BODY",
        help="only print the CPU per in-process patient-view call with BODY (cpu_ms=...)",
    )
    parser.add_argument("--calls", type=int, default=2000, help="calls per --wsgi-cpu repeat")
    add_server_option(parser)
    args = parser.parse_args()
    use_server(args.server, args.floor_server)
    if args.quick:
        args.duration, args.soak, args.mem_requests = 3, 10, 20_000
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    now = datetime.now(UTC)
    bodies = {"patient-view": out / "patient-view.json", "order-select": out / "order-select.json"}
    bodies["patient-view"].write_text(json.dumps(make_bodies.patient_view(now)))
    bodies["order-select"].write_text(json.dumps(make_bodies.order_select(now)))
    if args.wsgi_loop:
        wsgi_loop(args.wsgi_loop, args.body or bodies["patient-view"])
        return
    if args.wsgi_cpu:
        once = wsgi_call(service_app(), "/cds-services/patient-view", args.wsgi_cpu.read_bytes())
        import cds_service

        print(
            f"cpu_ms={cpu_per_call(once, args.calls):.4f} from={Path(cds_service.__file__).parent}"
        )
        return
    http_runs(bodies, args.duration, args.soak, args.mem_requests)
    wsgi_cost(bodies)
    in_process()
    fallback()
    jwt_cost()
    print("\n## Targets\n")
    print(f"| {'check':<44} | {'figure':<44} | result |")
    print(f"|{'-' * 46}|{'-' * 46}|--------|")
    for name, figure, verdict in RESULTS:
        print(f"| {name:<44} | {figure:<44} | {verdict:<6} |")
    sys.exit(0 if all(v == "PASS" for _, _, v in RESULTS) else 1)


if __name__ == "__main__":
    main()
