"""URL safety: which URLs the service may call or accept, decided in one place.

A request names the ``fhirServer`` (and its Bundles name ``next`` links) the service will
call with the EHR's access token, so each URL is untrusted input. Before any allow-list
comparison, a URL's path is normalised the way a server might read it: percent-encoded
dots and slashes (``%2e``, ``%2f``, also double-encoded as ``%252e``) are decoded and
``.``/``..`` segments resolved (RFC 3986 §5.2.4). A path that still climbs above its root,
or uses a backslash some servers read as a slash, is refused outright. The service then
calls the normalised URL, so what was checked is what is sent.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from .config import Settings

#: Percent-encodings of ``.``, ``/``, ``\`` and of ``%`` itself (so ``%252e`` is seen too).
_ENCODED = re.compile(r"%(2[eEfF5]|5[cC])")
_DECODED = {"2e": ".", "2f": "/", "25": "%", "5c": "\\"}
#: More rounds than this of ``%25`` nesting is no URL a FHIR server publishes.
_MAX_DECODE_ROUNDS = 4


def split_url(value: str) -> tuple[str, str | None] | None:
    """Return ``(scheme, host)`` of a URL, or ``None`` when it cannot be parsed.

    ``urlsplit`` raises on malformed hosts such as ``https://[x``; a client's URL must
    produce a 400, never a 500.
    """
    try:
        parts = urlsplit(value)
        return parts.scheme.lower(), parts.hostname
    except ValueError:
        return None


def is_loopback(host: str | None) -> bool:
    """Return whether ``host`` names this machine (``localhost`` or a loopback address)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def secure_url(value: str, *, allow_loopback_http: bool) -> bool:
    """Return whether ``value`` is ``https``, or loopback ``http`` that the deployment allows.

    One test for every URL the service calls or accepts (fhirServer, key sets): CDS Hooks
    2.0 requires TLS, and a second copy of this check would drift from the first.
    """
    parsed = split_url(value)
    if parsed is None:
        return False
    scheme, host = parsed
    if scheme == "https" and host:
        return True
    return scheme == "http" and allow_loopback_http and is_loopback(host)


def _decoded_path(path: str) -> str | None:
    """Decode the dot, slash and backslash escapes of ``path`` until none is left."""
    for _ in range(_MAX_DECODE_ROUNDS):
        decoded = _ENCODED.sub(lambda m: _DECODED[m.group(1).lower()], path)
        if decoded == path:
            return path
        path = decoded
    return None


def normalise(url: str) -> str | None:
    """Return ``url`` with its path normalised, or ``None`` if it escapes or cannot be read.

    Only the path changes; scheme, host and query are kept as given.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = _decoded_path(parts.path)
    if path is None or "\\" in path or "\\" in parts.netloc:
        return None
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "..":
            if len(out) <= 1:  # out[0] is the empty segment before the leading "/"
                return None
            out.pop()
            if last:
                out.append("")
        elif segment == ".":
            if last:
                out.append("")
        else:
            out.append(segment)
    return urlunsplit((parts.scheme, parts.netloc, "/".join(out), parts.query, parts.fragment))


def is_under(url: str, base: str) -> bool:
    """Return whether ``url`` is ``base`` or below it, both normalised (segment aware)."""
    norm_url, norm_base = normalise(url), normalise(base)
    if norm_url is None or norm_base is None:
        return False
    norm_base = norm_base.rstrip("/")
    return (
        norm_url == norm_base
        or norm_url.startswith(norm_base + "/")
        or norm_url.startswith(norm_base + "?")
    )


def allowed_base(base: str, settings: Settings) -> str | None:
    """Return the normalised ``base`` if the service may call it, else ``None``.

    Allowed: https (or permitted loopback http) and under an allow-listed server.
    """
    if not secure_url(base, allow_loopback_http=settings.fhir_allow_loopback_http):
        return None
    norm = normalise(base)
    if norm is None or not any(
        is_under(norm, allowed) for allowed in settings.fhir_allowed_servers
    ):
        return None
    return norm.rstrip("/")


def is_allowed(base: str, settings: Settings) -> bool:
    """Return whether the service may call ``base`` (see :func:`allowed_base`)."""
    return allowed_base(base, settings) is not None
