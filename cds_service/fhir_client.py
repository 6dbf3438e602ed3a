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

from .config import flag
from .config import setting
from .config import str_list
from .schemas import secure_url

_POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="fhir-fetch")


def _session() -> requests.Session:
    session = requests.Session()
    # No proxies or .netrc credentials from the environment: calls go where the allow-list says.
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=32, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


_SESSION = _session()


@dataclass(frozen=True)
class FetchSettings:
    """Timeouts and limits of the fallback, from the app settings."""

    connect_timeout_s: float = 0.1
    read_timeout_s: float = 0.3
    deadline_s: float = 0.4
    max_pages: int = 5

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> FetchSettings:
        return cls(
            connect_timeout_s=float(setting(settings, "FHIR_CONNECT_TIMEOUT_S")),
            read_timeout_s=float(setting(settings, "FHIR_READ_TIMEOUT_S")),
            deadline_s=float(setting(settings, "FHIR_DEADLINE_S")),
            max_pages=int(setting(settings, "FHIR_MAX_PAGES")),
        )


@dataclass(frozen=True)
class FetchOutcome:
    """What one key's fetch produced: status is ``ok``, ``error``, ``timeout`` or ``refused``."""

    status: str
    resources: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0
    reason: str = ""
    bytes: int = 0  # response bodies received, every page


def allowed_servers(settings: Mapping[str, Any]) -> list[str]:
    """Return the allow-list (a JSON list, or a comma-separated string from the environment)."""
    return str_list(settings.get("FHIR_ALLOWED_SERVERS"))


def is_allowed(base: str, settings: Mapping[str, Any]) -> bool:
    """Return whether the service may call ``base`` (allow-listed, https or permitted loopback)."""
    loopback = flag(settings.get("FHIR_ALLOW_LOOPBACK_HTTP"))
    if not secure_url(base, allow_loopback_http=loopback):
        return False
    return any(is_under(base, allowed) for allowed in allowed_servers(settings))


def is_under(url: str, base: str) -> bool:
    """Return whether ``url`` is ``base`` or below it (path-segment aware, no ``..``)."""
    base = base.rstrip("/")
    if "/../" in url or url.endswith("/.."):
        return False
    return url == base or url.startswith(base + "/") or url.startswith(base + "?")


#: ``isinstance(x, JSON_OBJECT)`` is ``isinstance(x, Mapping)`` with ``dict`` tried first:
#: parsed JSON objects are dicts, and the ABC check costs ~0.1 µs on every one of them.
JSON_OBJECT = (dict, Mapping)


def resources_of(value: Any) -> list[dict[str, Any]]:
    """Return the resources of a resource or Bundle, dropping OperationOutcome entries."""
    return unpack(value)[0]


def unpack(value: Any) -> tuple[list[dict[str, Any]], bool]:
    """Return :func:`resources_of` ``value`` and whether it reports a failure instead of data.

    A failure is an OperationOutcome, or a Bundle with an OperationOutcome entry that has
    an ``error`` or ``fatal`` issue (CDS Hooks 2.0: a client that could not prefetch).
    One walk over the entries answers both.
    """
    if not isinstance(value, JSON_OBJECT):
        return [], False
    rtype = value.get("resourceType")
    if rtype == "OperationOutcome":
        return [], True
    if rtype != "Bundle":
        return [dict(value)], False
    out: list[dict[str, Any]] = []
    failed = False
    for entry in value.get("entry") or ():
        res = entry.get("resource") if isinstance(entry, JSON_OBJECT) else None
        if not isinstance(res, JSON_OBJECT):
            continue
        if res.get("resourceType") != "OperationOutcome":
            out.append(dict(res))
        elif not failed:
            failed = any(
                isinstance(i, JSON_OBJECT) and i.get("severity") in ("error", "fatal")
                for i in res.get("issue") or ()
            )
    return out, failed


def next_link(bundle: Any) -> str | None:
    """Return a Bundle's ``next`` link URL, if any."""
    if not isinstance(bundle, JSON_OBJECT) or bundle.get("resourceType") != "Bundle":
        return None
    for link in bundle.get("link") or []:
        if isinstance(link, JSON_OBJECT) and link.get("relation") == "next":
            url = link.get("url")
            return url if isinstance(url, str) and url else None
    return None


def fetch_all(
    base: str,
    urls: Mapping[str, str],
    token: str | None,
    cfg: FetchSettings,
) -> dict[str, FetchOutcome]:
    """Fetch every key's URL in parallel; keys not done by the deadline are ``timeout``."""
    deadline = time.monotonic() + cfg.deadline_s
    started = time.monotonic()
    futures = {
        key: _POOL.submit(_fetch_key, base.rstrip("/"), url, token, cfg, deadline)
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
    base: str, url: str, token: str | None, cfg: FetchSettings, deadline: float
) -> FetchOutcome:
    """Fetch one key, following ``next`` links under ``base`` up to ``cfg.max_pages``."""
    started = time.monotonic()
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    collected: list[dict[str, Any]] = []
    received = 0
    for _ in range(cfg.max_pages):
        status, data, size = _get(url, headers, cfg, deadline)
        received += size
        if status != "ok":
            return _done(status, started, reason=str(data))
        if not isinstance(data, Mapping) or data.get("resourceType") == "OperationOutcome":
            return _done("error", started, reason="server answered an OperationOutcome")
        collected += resources_of(data)
        nxt = next_link(data)
        if nxt is None:
            return _done("ok", started, collected, size=received)
        if not is_under(nxt, base):
            return _done("error", started, reason="next link leaves fhirServer")
        url = nxt
    return _done("error", started, reason=f"more than {cfg.max_pages} pages")


def _get(url: str, headers: Mapping[str, str], cfg: FetchSettings, deadline: float) -> Any:
    """GET one page; return ``(status, json-or-reason, body bytes)`` without raising."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return "timeout", "deadline passed", 0
    timeout = (min(cfg.connect_timeout_s, remaining), min(cfg.read_timeout_s, remaining))
    try:
        response = _SESSION.get(url, headers=headers, timeout=timeout, allow_redirects=False)
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
