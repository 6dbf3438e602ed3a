"""Verify a CDS client's JWT (CDS Hooks 2.0 "Trusting CDS Clients", checklist 6.6).

Order: algorithm allow-list and header, trusted ``iss``, allowed ``jku``, key by ``kid``,
signature with ``aud``/``exp``/``iat`` (PyJWT), lifetime, ``tenant``, and last the ``jti``
replay record, so a token is only remembered once everything else holds. Each refusal
carries a short reason code for the log; the client is told none of it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from .clients import FORBIDDEN_ALGORITHMS
from .clients import TrustedClient
from .jwks import KeyCache
from .jwks import KeyUnavailable
from .jwks import parse_jwks

#: ``remember(iss, jti, expires_at_epoch) -> True`` if the jti was new (atomic, shared).
Remember = Callable[[str, str, int], bool]
_REQUIRED = ["iss", "aud", "exp", "iat", "jti"]
_PYJWT_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not-yet-valid"),
    (jwt.InvalidAudienceError, "wrong-aud"),
    (jwt.InvalidIssuerError, "wrong-iss"),
    (jwt.MissingRequiredClaimError, "missing-claim"),
    (jwt.InvalidSignatureError, "bad-signature"),
)


class AuthFailure(Exception):
    """A refused token; ``reason`` is a short code safe to log."""

    def __init__(self, reason: str, iss: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.iss = iss


@dataclass(frozen=True)
class VerifiedClient:
    """Who called, as far as the service needs to know."""

    iss: str
    tenant: str | None
    jti: str


class Verifier:
    """Holds the trusted clients and their keys; one per app."""

    def __init__(
        self,
        clients: Mapping[str, TrustedClient],
        keys: KeyCache,
        *,
        leeway_s: float,
        max_lifetime_s: float,
        remember: Remember,
    ) -> None:
        self._clients = clients
        self._keys = keys
        self._leeway = leeway_s
        self._max_lifetime = max_lifetime_s
        self._remember = remember
        self._static = {iss: parse_jwks(c.jwks) for iss, c in clients.items() if c.jwks}

    def verify(self, token: str, audience: str) -> VerifiedClient:
        """Return the verified caller or raise :class:`AuthFailure`."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthFailure("malformed") from None
        iss = unverified.get("iss")
        client = self._clients.get(iss) if isinstance(iss, str) else None
        if client is None:
            raise AuthFailure("untrusted-iss")
        alg = header.get("alg")
        if alg in FORBIDDEN_ALGORITHMS or alg not in client.algorithms:
            raise AuthFailure("alg-not-allowed", client.iss)
        if str(header.get("typ", "JWT")).upper() != "JWT":
            raise AuthFailure("bad-typ", client.iss)
        claims = self._decode(token, alg, self._key(client, header), audience, client)
        return self._check_claims(claims, client, audience)

    def _key(self, client: TrustedClient, header: Mapping[str, Any]) -> Any:
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise AuthFailure("missing-kid", client.iss)
        jku = header.get("jku")
        if jku is not None and jku not in client.jku:
            raise AuthFailure("jku-not-allowed", client.iss)
        # A key set on file wins over fetching (offline use, e.g. the sandbox's published set).
        key = self._static.get(client.iss, {}).get(kid)
        try:
            if key is None and jku is not None:
                key = self._keys.key(jku, kid)
            elif key is None and client.jwks_uri:
                key = self._keys.key(client.jwks_uri, kid)
        except KeyUnavailable:
            raise AuthFailure("jwks-unavailable", client.iss) from None
        if key is None:
            raise AuthFailure("unknown-kid", client.iss)
        return key

    def _decode(
        self, token: str, alg: str, key: Any, audience: str, client: TrustedClient
    ) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=audience,
                issuer=client.iss,
                leeway=self._leeway,
                options={"require": _REQUIRED},
            )
        except jwt.PyJWTError as exc:
            reason = next((r for t, r in _PYJWT_REASONS if isinstance(exc, t)), "invalid-token")
            raise AuthFailure(reason, client.iss) from None
        return claims

    def _check_claims(
        self, claims: Mapping[str, Any], client: TrustedClient, audience: str
    ) -> VerifiedClient:
        exp, iat, jti = claims["exp"], claims["iat"], claims["jti"]
        # PyJWT accepts any list that contains the audience; the service is called at one
        # URL, so a token naming more (or a list of it twice) was not minted for it alone.
        if claims["aud"] != audience and claims["aud"] != [audience]:
            raise AuthFailure("wrong-aud", client.iss)
        if not (_numeric(exp) and _numeric(iat)):  # PyJWT reads "123" as a time
            raise AuthFailure("bad-time-claim", client.iss)
        if exp - iat > self._max_lifetime:
            raise AuthFailure("lifetime-too-long", client.iss)
        # Printable: no NUL (PostgreSQL text refuses it) and no lone surrogate (not text).
        if not isinstance(jti, str) or not jti or len(jti) > 256 or not jti.isprintable():
            raise AuthFailure("bad-jti", client.iss)
        tenant = claims.get("tenant")
        if tenant is not None and not isinstance(tenant, str):
            raise AuthFailure("bad-tenant", client.iss)
        if client.tenants is not None and tenant not in client.tenants:
            raise AuthFailure("tenant-not-allowed", client.iss)
        expires_at = int(exp + self._leeway) + 1
        if not self._remember(client.iss, jti, expires_at):
            raise AuthFailure("replayed-jti", client.iss)
        return VerifiedClient(iss=client.iss, tenant=tenant, jti=jti)


def _numeric(value: Any) -> bool:
    """A NumericDate (RFC 7519): a finite JSON number, not a string or a boolean."""
    return type(value) in (int, float) and math.isfinite(value)


def bearer_token(header_value: str | None) -> str | None:
    """Return the token of an ``Authorization: Bearer`` header, or None."""
    if not header_value:
        return None
    scheme, _, token = header_value.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def audience_for(base_url: str, path: str) -> str:
    """Return the ``aud`` a token must carry for ``path`` under the public base URL."""
    return base_url.rstrip("/") + path


def allowed_algorithms(configured: Sequence[str]) -> tuple[str, ...]:
    """Return the configured algorithms; never ``none`` or HMAC."""
    return tuple(a for a in configured if a not in FORBIDDEN_ALGORITHMS)
