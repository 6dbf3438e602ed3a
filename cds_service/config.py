"""Settings: one table of defaults, overridden by ``CDS_*`` environment variables.

Every setting the service reads is listed in :data:`DEFAULTS` with its meaning, so the
README's configuration table and this module cannot disagree (``tests/test_deploy.py``
checks the README lists every key). Environment values are parsed as JSON when they are
valid JSON (``CDS_FHIR_DEADLINE_S=0.4`` becomes a float, ``CDS_CORS_ORIGINS='["a","b"]'`` a
list) and kept as strings otherwise; this is Flask's ``from_prefixed_env`` convention.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from flask import Config


@dataclass(frozen=True)
class Setting:
    """A documented setting: its default and one line for the README table."""

    default: Any
    doc: str


DEFAULTS: dict[str, Setting] = {
    "ENV": Setting(
        "production", "`production` or `development` (development turns on the preview page)."
    ),
    "GUIDELINE_PROFILE": Setting(
        "dutch", "MRI timing profile: `dutch` (IKNL 2015, 5 tiers) or `nice` (NICE NG234)."
    ),
    "MAX_BODY_BYTES": Setting(
        5 * 1024 * 1024, "Largest accepted request body in bytes; larger → 413."
    ),
    "FHIR_ALLOWED_SERVERS": Setting(
        [],
        "JSON list of `fhirServer` base URLs (prefix match) the service may call back; any other → no call.",
    ),
    "FHIR_ALLOW_LOOPBACK_HTTP": Setting(
        False, "Allow `http://127.0.0.1`/`localhost` FHIR servers (tests, local dev)."
    ),
    "FHIR_CONNECT_TIMEOUT_S": Setting(
        0.1, "Connect timeout of one FHIR fallback request, seconds."
    ),
    "FHIR_READ_TIMEOUT_S": Setting(0.3, "Read timeout of one FHIR fallback request, seconds."),
    "FHIR_DEADLINE_S": Setting(
        0.4,
        "Overall deadline for all fallback fetches of one call; a key not back by then is not obtained.",
    ),
    "FHIR_MAX_PAGES": Setting(5, "Most searchset pages followed (`next` links) per prefetch key."),
    "CORS_ORIGINS": Setting(
        ["https://sandbox.cds-hooks.org"],
        'JSON list of browser origins allowed by CORS; `["*"]` allows any (never with credentials).',
    ),
    "CORS_MAX_AGE_S": Setting(600, "How long browsers may cache a CORS preflight, seconds."),
    "AUTH_MODE": Setting(
        "required", "`required` (verify the EHR's JWT) or `off` (local development only; warns)."
    ),
    "CLIENTS_FILE": Setting(
        None, "YAML/JSON file listing trusted CDS clients (iss, jku/jwks, algorithms, tenant)."
    ),
    "PUBLIC_BASE_URL": Setting(
        None,
        "Public base URL of the service, e.g. `https://cds.example.org`; JWT `aud` is built from it.",
    ),
    "JWT_ALGORITHMS": Setting(
        ["ES384", "RS384"], "JSON list of accepted JWT algorithms (`none`/HMAC are always refused)."
    ),
    "JWT_LEEWAY_S": Setting(60, "Clock skew allowed on `exp`/`iat`, seconds."),
    "JWKS_TIMEOUT_S": Setting(2.0, "Timeout of one JWKS fetch, seconds."),
    "JWT_MAX_LIFETIME_S": Setting(3600, "Longest accepted JWT lifetime (`exp` - `iat`), seconds."),
    "JWKS_CACHE_TTL_S": Setting(
        3600, "How long fetched JWKS keys are trusted before re-fetching, seconds."
    ),
    "JWKS_MIN_REFETCH_S": Setting(
        5.0, "An unknown `kid` re-fetches a key set at most this often, seconds (key rotation)."
    ),
    "DEV_TRUST_DIR": Setting(
        None,
        "Folder of the development key and clients file (development only); default the instance folder.",
    ),
    "JWKS_ALLOW_LOOPBACK_HTTP": Setting(
        False, "Allow `http://127.0.0.1`/`localhost` JWKS URLs (tests only); otherwise HTTPS only."
    ),
    "DATABASE_URL": Setting(
        None, "SQLAlchemy URL; default a SQLite file in the instance folder (WAL mode)."
    ),
    "PREVIEW_ENABLED": Setting(
        None, "Serve the card preview page at `/preview`; default on in development only."
    ),
    "PREVIEW_EXAMPLES_DIR": Setting(
        None,
        "Folder of example patients the preview page offers; default the repository's `examples/`.",
    ),
    "RULE_MODES_FILE": Setting(
        None,
        "YAML file: card topic -> `active`/`silent`/`off`, optionally per hook (docs/governance.md).",
    ),
    "METRICS_ENABLED": Setting(True, "Serve Prometheus metrics at `/metrics`."),
    "LOG_LEVEL": Setting("INFO", "Log level of the JSON log lines."),
    "BIND": Setting(
        "0.0.0.0:8080", "Address the production server (gunicorn, Docker image) listens on."
    ),
    "WORKERS": Setting(None, "gunicorn worker processes; default one per CPU core."),
    "FORWARDED_ALLOW_IPS": Setting(
        "127.0.0.1", "Proxies whose `X-Forwarded-*` headers gunicorn trusts (your load balancer)."
    ),
}


def defaults() -> dict[str, Any]:
    """Return a fresh mapping of every setting's default value."""
    return {key: setting.default for key, setting in DEFAULTS.items()}


def load(config: Config, overrides: Mapping[str, Any] | None = None) -> None:
    """Layer the settings into ``config``: defaults, then ``CDS_*`` variables, then ``overrides``.

    The app and the operator commands (``report``, ``dev-token``) must read a setting the
    same way, or a value that works for one would be ignored by the other.
    """
    config.update(defaults())
    config.from_prefixed_env("CDS")
    if overrides:
        config.update(overrides)


def markdown_table() -> str:
    """Render every setting as the README's configuration table (one source of truth)."""
    lines = ["| Environment variable | Default | Meaning |", "| --- | --- | --- |"]
    for key, setting in DEFAULTS.items():
        value = setting.default
        default = (
            "unset"
            if value is None
            else f"`{value if isinstance(value, str) else json.dumps(value)}`"
        )
        lines.append(f"| `CDS_{key}` | {default} | {setting.doc} |")
    return "\n".join(lines) + "\n"


def setting(settings: Mapping[str, Any], key: str) -> Any:
    """Return ``settings[key]``, or its documented default when a caller's mapping lacks it.

    The CLI and tests pass partial mappings; the defaults live in :data:`DEFAULTS` only.
    """
    return settings.get(key, DEFAULTS[key].default)


def flag(value: Any) -> bool:
    """Read an on/off setting: JSON ``true``/``false`` or the words people type.

    A value that is not valid JSON stays a string, and ``bool("False")`` is true, so
    ``CDS_PREVIEW_ENABLED=False`` would have switched the preview *on*.
    """
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return bool(value)


def str_list(value: Any) -> list[str]:
    """Read a list setting: a JSON list, or a comma- or space-separated string."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or [])
    return [str(item).strip().rstrip("/") for item in items if str(item).strip()]


_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
