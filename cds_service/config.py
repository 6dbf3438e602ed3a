"""Settings: one typed, frozen :class:`Settings`, parsed and checked once at start-up.

Every ``CDS_*`` variable is a field of :class:`Settings` with its default, its meaning (the
README's configuration table is rendered from it, ``tests/test_deploy.py`` keeps the two in
sync) and the parser that reads it. A value that does not parse stops the service before
it serves anyone, with one line naming the variable and what it accepts: a typo in
``CDS_GUIDELINE_PROFILE`` must never silently run the other guideline, and a bad timeout
must not start and then answer 500 on every call.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from typing import TYPE_CHECKING
from typing import Any

from .logic.inputs import PROFILES

if TYPE_CHECKING:
    from flask import Flask

PREFIX = "CDS_"


class SettingsError(ValueError):
    """A ``CDS_*`` value that cannot be used; ``str()`` is the one line operators see."""

    def __init__(self, variable: str, allowed: str, value: object) -> None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        super().__init__(f"{variable}={shown} is not allowed: expected {allowed}.")
        self.variable = variable


@dataclass(frozen=True)
class Parser:
    """Reads one setting from an environment string or an already typed value (tests)."""

    allowed: str
    read: Callable[[Any], Any]  # raises ValueError or TypeError when the value is not allowed


def _choice(*values: str) -> Parser:
    def read(value: Any) -> str:
        word = str(value).strip().lower() if isinstance(value, str) else None
        if word not in values:
            raise ValueError(value)
        return word

    return Parser("one of " + ", ".join(values) + " (any case)", read)


def _number(kind: type[int] | type[float], minimum: float, *, above: bool = False) -> Parser:
    """A whole number (``int``) or any number (``float``) of at least, or above, ``minimum``."""

    def read(value: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise TypeError(value)
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        number = kind(value.strip() if isinstance(value, str) else value)
        if not math.isfinite(number) or number < minimum or (above and number == minimum):
            raise ValueError(value)
        return number

    name = "a whole number" if kind is int else "a number"
    bound = f"> {minimum:g}" if above else f">= {minimum:g}"
    return Parser(f"{name} {bound}", read)


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _read_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in _TRUE | _FALSE:
        raise ValueError(value)
    return word in _TRUE


FLAG = Parser("true or false (also 1/0, yes/no, on/off)", _read_flag)


def _read_words(value: Any) -> tuple[str, ...]:
    """A JSON list, or a comma- or space-separated string; trailing ``/`` dropped."""
    if isinstance(value, str):
        text = value.strip()
        items: Any = json.loads(text) if text.startswith("[") else text.replace(",", " ").split()
    else:
        items = value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError(value)
    return tuple(i.strip().rstrip("/") for i in items if i.strip())


WORDS = Parser("a JSON list of strings or a comma-separated list", _read_words)
TEXT = Parser("text", lambda value: str(value))


def _optional(parser: Parser) -> Parser:
    return Parser(parser.allowed + " (or unset)", lambda v: None if v is None else parser.read(v))


def _setting(default: Any, doc: str, parser: Parser) -> Any:
    return field(default=default, metadata={"doc": doc, "parser": parser})


@dataclass(frozen=True)
class Settings:
    """Every setting of the service, typed; field ``x_y`` is the variable ``CDS_X_Y``."""

    env: str = _setting(
        "production",
        "`production` or `development` (development turns on the preview page).",
        _choice("production", "development"),
    )
    guideline_profile: str = _setting(
        "dutch",
        "MRI timing profile: `dutch` (IKNL 2015, 5 tiers) or `nice` (NICE NG234).",
        _choice(*PROFILES),
    )
    max_body_bytes: int = _setting(
        5 * 1024 * 1024, "Largest accepted request body in bytes; larger → 413.", _number(int, 1)
    )
    fhir_allowed_servers: tuple[str, ...] = _setting(
        (),
        "JSON list of `fhirServer` base URLs (prefix match) the service may call back; any other → no call.",
        WORDS,
    )
    fhir_allow_loopback_http: bool = _setting(
        False, "Allow `http://127.0.0.1`/`localhost` FHIR servers (tests, local dev).", FLAG
    )
    fhir_connect_timeout_s: float = _setting(
        0.1, "Connect timeout of one FHIR fallback request, seconds.", _number(float, 0, above=True)
    )
    fhir_read_timeout_s: float = _setting(
        0.3, "Read timeout of one FHIR fallback request, seconds.", _number(float, 0, above=True)
    )
    fhir_deadline_s: float = _setting(
        0.4,
        "Overall deadline for all fallback fetches of one call; a key not back by then is not obtained.",
        _number(float, 0, above=True),
    )
    fhir_max_pages: int = _setting(
        5, "Most searchset pages followed (`next` links) per prefetch key.", _number(int, 1)
    )
    cors_origins: tuple[str, ...] = _setting(
        ("https://sandbox.cds-hooks.org",),
        'JSON list of browser origins allowed by CORS; `["*"]` allows any (never with credentials).',
        WORDS,
    )
    cors_max_age_s: int = _setting(
        600, "How long browsers may cache a CORS preflight, seconds.", _number(int, 0)
    )
    auth_mode: str = _setting(
        "required",
        "`required` (verify the EHR's JWT) or `off` (local development only; warns).",
        _choice("required", "off"),
    )
    clients_file: str | None = _setting(
        None,
        "YAML/JSON file listing trusted CDS clients (iss, jku/jwks, algorithms, tenant).",
        _optional(TEXT),
    )
    public_base_url: str | None = _setting(
        None,
        "Public base URL of the service, e.g. `https://cds.example.org`; JWT `aud` is built from it.",
        _optional(TEXT),
    )
    jwt_algorithms: tuple[str, ...] = _setting(
        ("ES384", "RS384"),
        "JSON list of accepted JWT algorithms (`none`/HMAC are always refused).",
        WORDS,
    )
    jwt_leeway_s: float = _setting(
        60, "Clock skew allowed on `exp`/`iat`, seconds.", _number(float, 0)
    )
    jwks_timeout_s: float = _setting(
        2.0, "Timeout of one JWKS fetch, seconds.", _number(float, 0, above=True)
    )
    jwt_max_lifetime_s: float = _setting(
        3600,
        "Longest accepted JWT lifetime (`exp` - `iat`), seconds.",
        _number(float, 0, above=True),
    )
    jwks_cache_ttl_s: float = _setting(
        3600,
        "How long fetched JWKS keys are trusted before re-fetching, seconds.",
        _number(float, 0),
    )
    jwks_min_refetch_s: float = _setting(
        5.0,
        "An unknown `kid` re-fetches a key set at most this often, seconds (key rotation).",
        _number(float, 0),
    )
    dev_trust_dir: str | None = _setting(
        None,
        "Folder of the development key and clients file (development only); default the instance folder.",
        _optional(TEXT),
    )
    jwks_allow_loopback_http: bool = _setting(
        False,
        "Allow `http://127.0.0.1`/`localhost` JWKS URLs (tests only); otherwise HTTPS only.",
        FLAG,
    )
    database_url: str | None = _setting(
        None,
        "SQLAlchemy URL; default a SQLite file in the instance folder (WAL mode).",
        _optional(TEXT),
    )
    preview_enabled: bool | None = _setting(
        None,
        "Serve the card preview page at `/preview`; default on in development only.",
        _optional(FLAG),
    )
    preview_examples_dir: str | None = _setting(
        None,
        "Folder of example patients the preview page offers; default the examples shipped in the package.",
        _optional(TEXT),
    )
    rule_modes_file: str | None = _setting(
        None,
        "YAML file: card topic -> `active`/`silent`/`off`, optionally per hook (docs/governance.md).",
        _optional(TEXT),
    )
    metrics_enabled: bool = _setting(True, "Serve Prometheus metrics at `/metrics`.", FLAG)
    log_level: str = _setting(
        "INFO",
        "Log level of the JSON log lines.",
        Parser(
            "one of DEBUG, INFO, WARNING, ERROR, CRITICAL (any case)",
            lambda v: _choice("debug", "info", "warning", "error", "critical").read(v).upper(),
        ),
    )
    bind: str = _setting(
        "0.0.0.0:8080", "`HOST:PORT` the production server (Docker image) listens on.", TEXT
    )
    workers: int | None = _setting(
        None,
        "Production server worker processes; default one per CPU core.",
        _optional(_number(int, 1)),
    )
    forwarded_allow_ips: str = _setting(
        "127.0.0.1",
        "Proxies whose `X-Forwarded-*` headers gunicorn trusts; granian has no such setting.",
        TEXT,
    )

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def preview_on(self) -> bool:
        """``PREVIEW_ENABLED`` if set, else on in development only."""
        return self.development if self.preview_enabled is None else self.preview_enabled

    @classmethod
    def load(
        cls, environ: Mapping[str, str], overrides: Mapping[str, Any] | None = None
    ) -> Settings:
        """Parse the ``CDS_*`` variables of ``environ``, then ``overrides`` (keys without prefix).

        An empty variable counts as unset. Raises :class:`SettingsError` on the first value
        that is not allowed.
        """
        values: dict[str, Any] = {}
        for spec in fields(cls):
            key = spec.name.upper()
            parser: Parser = spec.metadata["parser"]
            raw: Any
            variable = PREFIX + key
            if overrides is not None and key in overrides:
                raw, variable = overrides[key], key
            elif environ.get(PREFIX + key, "").strip():
                raw = environ[PREFIX + key]
            else:
                continue
            try:
                values[spec.name] = parser.read(raw)
            except (ValueError, TypeError):
                raise SettingsError(variable, parser.allowed, raw) from None
        return cls(**values)


def settings_of(app: Flask) -> Settings:
    """The settings ``app`` was created with (``app.extensions["cds_settings"]``)."""
    settings: Settings = app.extensions["cds_settings"]
    return settings


def markdown_table() -> str:
    """Render every setting as the README's configuration table (one source of truth)."""
    lines = ["| Environment variable | Default | Meaning |", "| --- | --- | --- |"]
    for spec in fields(Settings):
        value = spec.default
        if value is None:
            default = "unset"
        elif isinstance(value, str):
            default = f"`{value}`"
        else:
            default = f"`{json.dumps(list(value) if isinstance(value, tuple) else value)}`"
        lines.append(f"| `{PREFIX}{spec.name.upper()}` | {default} | {spec.metadata['doc']} |")
    return "\n".join(lines) + "\n"


def variables() -> tuple[str, ...]:
    """Every ``CDS_*`` variable the service reads."""
    return tuple(PREFIX + spec.name.upper() for spec in fields(Settings))


def setting(config: Mapping[str, Any], key: str) -> Any:
    """Read ``key`` from a Flask config the app filled from :class:`Settings`.

    Only :mod:`cds_service.logs` still reads a setting this way (it belongs to issue 15's
    change); every other part is handed the :class:`Settings` object.
    """
    return config.get(key, getattr(Settings, key.lower()))
