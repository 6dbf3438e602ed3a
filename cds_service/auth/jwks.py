"""Public keys of trusted clients: fetched with ``requests``, cached by ``kid``.

Only URLs from the clients file are ever fetched (never a ``jku`` the token merely claims:
that would let any caller make us fetch any URL). A key set is cached for
``JWKS_CACHE_TTL_S``; an unknown ``kid`` triggers one re-fetch (key rotation), at most every
``JWKS_MIN_REFETCH_S`` so a flood of made-up kids cannot hammer the client's server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt
import requests

from .clients import check_url

log = logging.getLogger("cds_service.auth")
MAX_JWKS_BYTES = 256 * 1024


class KeyUnavailable(Exception):
    """The key set could not be fetched or parsed (the token is refused)."""


def parse_jwks(jwks: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``{kid: public key}`` for the usable signing keys of a JWK Set.

    Symmetric (``oct``) keys and keys marked for encryption are dropped: a JWK Set must
    never be able to turn on HMAC verification.
    """
    keys: dict[str, Any] = {}
    for jwk in jwks.get("keys", ()) if isinstance(jwks, Mapping) else ():
        if not isinstance(jwk, Mapping) or jwk.get("kty") not in ("EC", "RSA"):
            continue
        if jwk.get("use", "sig") != "sig" or not isinstance(jwk.get("kid"), str):
            continue
        try:
            keys[jwk["kid"]] = jwt.PyJWK(dict(jwk)).key
        except jwt.PyJWTError:
            log.warning("unusable key in key set", extra={"event": "jwks_bad_key"})
    return keys


@dataclass
class _Entry:
    keys: dict[str, Any]
    fetched_at: float


class KeyCache:
    """Per-process cache of fetched key sets, keyed by URL; safe across threads."""

    def __init__(
        self, *, timeout_s: float, ttl_s: float, min_refetch_s: float, loopback: bool
    ) -> None:
        self._timeout = timeout_s
        self._ttl = ttl_s
        self._min_refetch = min_refetch_s
        self._loopback = loopback
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def key(self, url: str, kid: str) -> Any | None:
        """Return the key ``kid`` of the set at ``url``, re-fetching once if it is unknown.

        One lock per URL: a slow key server delays only its own issuer's calls.
        """
        with self._guard:
            lock = self._locks.setdefault(url, threading.Lock())
        with lock:
            entry = self._entries.get(url)
            now = time.monotonic()
            if entry is None or now - entry.fetched_at > self._ttl:
                entry = self._fetch(url)
            elif kid not in entry.keys and now - entry.fetched_at >= self._min_refetch:
                entry = self._fetch(url)
            return entry.keys.get(kid)

    def _fetch(self, url: str) -> _Entry:
        check_url(url, allow_loopback_http=self._loopback)
        try:
            response = requests.get(
                url,
                timeout=self._timeout,
                allow_redirects=False,
                headers={"Accept": "application/json"},
            )
            response.raise_for_status()
            if len(response.content) > MAX_JWKS_BYTES:
                raise KeyUnavailable("key set too large")
            keys = parse_jwks(response.json())
        except (requests.RequestException, ValueError) as exc:
            raise KeyUnavailable(type(exc).__name__) from None
        entry = _Entry(keys, time.monotonic())
        self._entries[url] = entry
        log.info("fetched key set", extra={"event": "jwks_fetched", "url": url, "keys": len(keys)})
        return entry
