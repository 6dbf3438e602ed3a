"""Fetch missing prefetch keys from the client's FHIR server: parallel, time-boxed, allow-listed.

CDS Hooks asks services to answer in about 500 ms, so every key is fetched at once on a
module-level thread pool and the whole batch shares one deadline; a key that is not back
by then is reported as ``timeout``. Only a ``fhirServer`` on the configured allow-list is
ever called (a request is untrusted input: following any URL it names would make the
service an SSRF proxy), redirects are not followed, and ``next`` links are followed only
while they stay under that same base. The access token goes into the ``Authorization``
header and nowhere else.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from .config import Settings
from .fhir_json import next_link
from .fhir_json import resources_of
from .urls import is_under
from .urls import normalise

#: One pool per process: its threads start on first use, so a forked worker makes its own.
_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="fhir-fetch")


def _session() -> requests.Session:
    session = requests.Session()
    # No proxies or .netrc credentials from the environment: calls go where the allow-list says.
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=32, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


@dataclass(frozen=True)
class FetchSettings:
    """Timeouts and limits of the fallback, from the app settings."""

    connect_timeout_s: float = 0.1
    read_timeout_s: float = 0.3
    deadline_s: float = 0.4
    max_pages: int = 5

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchSettings:
        return cls(
            connect_timeout_s=settings.fhir_connect_timeout_s,
            read_timeout_s=settings.fhir_read_timeout_s,
            deadline_s=settings.fhir_deadline_s,
            max_pages=settings.fhir_max_pages,
        )


@dataclass(frozen=True)
class FetchOutcome:
    """What one key's fetch produced: status is ``ok``, ``error``, ``timeout`` or ``refused``."""

    status: str
    resources: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0
    reason: str = ""
    bytes: int = 0  # response bodies received, every page


class Fetcher:
    """The app's outgoing FHIR client (``app.extensions["cds_fhir_fetcher"]``).

    Injected rather than module state, so each app has its own limits and connection pool
    and a test can hand the pipeline another fetcher.
    """

    def __init__(self, cfg: FetchSettings) -> None:
        self.cfg = cfg
        self.session = _session()

    def fetch_all(
        self, base: str, urls: Mapping[str, str], token: str | None
    ) -> dict[str, FetchOutcome]:
        """Fetch every key's URL in parallel; keys not done by the deadline are ``timeout``."""
        return _fetch_all(self.session, base, urls, token, self.cfg)


def _fetch_all(
    session: requests.Session,
    base: str,
    urls: Mapping[str, str],
    token: str | None,
    cfg: FetchSettings,
) -> dict[str, FetchOutcome]:
    deadline = time.monotonic() + cfg.deadline_s
    started = time.monotonic()
    futures = {
        key: _POOL.submit(_fetch_key, session, base.rstrip("/"), url, token, cfg, deadline)
        for key, url in urls.items()
    }
    wait(futures.values(), timeout=max(0.0, deadline - time.monotonic()))
    out: dict[str, FetchOutcome] = {}
    for key, future in futures.items():
        if future.done():
            out[key] = future.result()
        else:
            future.cancel()
            elapsed = (time.monotonic() - started) * 1000
            out[key] = FetchOutcome("timeout", latency_ms=elapsed, reason="deadline passed")
    return out


def _fetch_key(
    session: requests.Session,
    base: str,
    url: str,
    token: str | None,
    cfg: FetchSettings,
    deadline: float,
) -> FetchOutcome:
    """Fetch one key, following ``next`` links under ``base`` up to ``cfg.max_pages``."""
    started = time.monotonic()
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    collected: list[dict[str, Any]] = []
    received = 0
    for _ in range(cfg.max_pages):
        status, data, size = _get(session, url, headers, cfg, deadline)
        received += size
        if status != "ok":
            return _done(status, started, reason=str(data))
        if not isinstance(data, Mapping) or data.get("resourceType") == "OperationOutcome":
            return _done("error", started, reason="server answered an OperationOutcome")
        collected += resources_of(data)
        nxt = next_link(data)
        if nxt is None:
            return _done("ok", started, collected, size=received)
        checked = normalise(nxt) if is_under(nxt, base) else None
        if checked is None:
            return _done("error", started, reason="next link leaves fhirServer")
        url = checked  # send what was checked
    return _done("error", started, reason=f"more than {cfg.max_pages} pages")


def _get(
    session: requests.Session,
    url: str,
    headers: Mapping[str, str],
    cfg: FetchSettings,
    deadline: float,
) -> Any:
    """GET one page; return ``(status, json-or-reason, body bytes)`` without raising."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return "timeout", "deadline passed", 0
    timeout = (min(cfg.connect_timeout_s, remaining), min(cfg.read_timeout_s, remaining))
    try:
        response = session.get(url, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.Timeout:
        return "timeout", "request timed out", 0
    except requests.RequestException as exc:
        return "error", type(exc).__name__, 0
    size = len(response.content)
    if not 200 <= response.status_code < 300:
        return "error", f"HTTP {response.status_code}", size
    try:
        return "ok", response.json(), size
    except ValueError:
        return "error", "response is not JSON", size


def _done(
    status: str,
    started: float,
    resources: Sequence[dict[str, Any]] = (),
    reason: str = "",
    size: int = 0,
) -> FetchOutcome:
    latency = round((time.monotonic() - started) * 1000, 2)
    return FetchOutcome(status, list(resources), latency, reason, size)
