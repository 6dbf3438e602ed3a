"""Trusted CDS clients: load and check the file named by ``CDS_CLIENTS_FILE``.

The file (YAML or JSON) is a list of clients::

    - iss: https://ehr.example.org          # exact match on the token's iss
      jku: https://ehr.example.org/jwks     # allowed jku header values (string or list)
      jwks_uri: https://...                 # or: key set URL for tokens without jku
      jwks_file: keys/ehr.json              # or: key set file (relative to the clients file)
      jwks: {keys: [...]}                   # or: the key set inline
      algorithms: [ES384]                   # optional subset of JWT_ALGORITHMS
      tenant: [org-1]                       # optional allowed tenant claims

Everything is checked once at start-up so a typo stops the service instead of refusing
every EHR call at 3 a.m. ``none`` and HMAC algorithms can never be enabled (CDS Hooks 2.0
"SHALL NOT" use symmetric or no signatures).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigurationError
from ..urls import secure_url

#: Algorithms never accepted, whatever the configuration says.
FORBIDDEN_ALGORITHMS = frozenset({"none", "HS256", "HS384", "HS512"})
#: The public sandbox's signing key is published in its repository: trust it in development only.
SANDBOX_ISS = "https://sandbox.cds-hooks.org"
_KNOWN = {"iss", "jku", "jwks_uri", "jwks_file", "jwks", "algorithms", "tenant", "name"}


@dataclass(frozen=True)
class TrustedClient:
    """One allow-listed issuer and where its public keys come from."""

    iss: str
    jku: tuple[str, ...]  # allowed ``jku`` header values; empty = a jku header is refused
    jwks_uri: str | None  # key set URL for tokens without a jku header
    jwks: Mapping[str, Any] | None  # key set given inline or read from jwks_file
    algorithms: tuple[str, ...]
    tenants: tuple[str, ...] | None  # None = any (or no) tenant


def check_url(url: str, *, allow_loopback_http: bool) -> str:
    """Return ``url`` if keys may be fetched from it: HTTPS, or loopback HTTP when allowed."""
    if secure_url(url, allow_loopback_http=allow_loopback_http):
        return url
    raise ConfigurationError(f"key set URL must be https: {url!r}")


def _strings(value: Any, field: str, iss: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
        raise ConfigurationError(f"client {iss!r}: '{field}' must be a string or list of strings")
    return tuple(items)


def _client(
    raw: Any, base_dir: Path, allowed_algs: Sequence[str], *, loopback: bool
) -> TrustedClient:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("iss"), str) or not raw["iss"]:
        raise ConfigurationError("every trusted client needs a non-empty 'iss'")
    iss = raw["iss"]
    unknown = set(raw) - _KNOWN
    if unknown:
        raise ConfigurationError(f"client {iss!r}: unknown keys {sorted(unknown)}")
    jku = _strings(raw.get("jku", []), "jku", iss)
    for url in jku:
        check_url(url, allow_loopback_http=loopback)
    jwks_uri = raw.get("jwks_uri")
    if jwks_uri is not None:
        check_url(str(jwks_uri), allow_loopback_http=loopback)
    jwks = raw.get("jwks")
    if raw.get("jwks_file"):
        jwks = _read_jwks(base_dir / str(raw["jwks_file"]), iss)
    if jwks is not None and not isinstance(jwks, Mapping):
        raise ConfigurationError(f"client {iss!r}: 'jwks' must be a JWK Set object")
    if not jku and jwks_uri is None and jwks is None:
        raise ConfigurationError(f"client {iss!r}: give one of jku, jwks_uri, jwks_file, jwks")
    algs = _strings(raw.get("algorithms", list(allowed_algs)), "algorithms", iss)
    bad = [a for a in algs if a in FORBIDDEN_ALGORITHMS or a not in allowed_algs]
    if bad:
        raise ConfigurationError(f"client {iss!r}: algorithms {bad} are not allowed")
    tenants = _strings(raw["tenant"], "tenant", iss) if "tenant" in raw else None
    return TrustedClient(iss, jku, jwks_uri, jwks, algs, tenants)


def _read_jwks(path: Path, iss: str) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"client {iss!r}: cannot read key set {path}: {exc}") from None


def load_clients(
    path: str | Path,
    *,
    allowed_algorithms: Sequence[str],
    allow_loopback_http: bool = False,
    development: bool = False,
) -> dict[str, TrustedClient]:
    """Load the clients file into ``{iss: TrustedClient}``; raise on any problem."""
    bad_global = [a for a in allowed_algorithms if a in FORBIDDEN_ALGORITHMS]
    if bad_global:
        raise ConfigurationError(f"JWT_ALGORITHMS may not contain {bad_global}")
    file = Path(path)
    try:
        raw = yaml.safe_load(file.read_text())  # YAML is a superset of JSON
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"cannot read CLIENTS_FILE {file}: {exc}") from None
    if isinstance(raw, Mapping) and "clients" in raw:
        raw = raw["clients"]
    if not isinstance(raw, list) or not raw:
        raise ConfigurationError(f"CLIENTS_FILE {file} must hold a non-empty list of clients")
    clients: dict[str, TrustedClient] = {}
    for entry in raw:
        client = _client(entry, file.parent, allowed_algorithms, loopback=allow_loopback_http)
        if client.iss in clients:
            raise ConfigurationError(f"client {client.iss!r} is listed twice")
        if client.iss == SANDBOX_ISS and not development:
            raise ConfigurationError(
                f"{SANDBOX_ISS} signs with a published private key: trust it only with "
                "CDS_ENV=development"
            )
        clients[client.iss] = client
    return clients
