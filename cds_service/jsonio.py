"""The app's JSON provider: Flask's, with request and response bodies handled by ``orjson``.

Encoding the response body is a visible share of a hook call with the standard library
(figures in docs/performance.md); orjson is several times faster. Flask's own
``response()`` calls :meth:`JSONProvider.dumps`, so no private Flask API is needed. Everything Flask's provider does is kept: its ``default``
(HTTP dates, dataclasses, Decimal, ``__html__``) still decides for types orjson would
format differently, and anything orjson refuses (integers past 64 bits, say) falls back
to the standard library. Keys keep their insertion order; non-ASCII text is sent as UTF-8
instead of ``\\u`` escapes (the same JSON).

Request bodies are parsed by orjson too. Whatever orjson refuses (UTF-16, a byte-order mark, ``NaN``, a lone surrogate)
goes to the standard library, so what the service accepts does not change; the one
difference is an integer literal past 64 bits, which arrives as a float (no FHIR integer is
that large, and such a value never reads as a normal finding).
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class JSONProvider(DefaultJSONProvider):
    """Flask's default provider, unsorted, with orjson for request and response bodies."""

    sort_keys = False  # the order is ours (cards read top-down); sorting costs per call

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if not kwargs:
            try:
                return orjson.loads(s)
            except orjson.JSONDecodeError:
                pass  # the standard library decides, exactly as before
        return super().loads(s, **kwargs)

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        option = _orjson_option(kwargs)
        if option is not None:
            try:
                return orjson.dumps(obj, default=self.default, option=option).decode()
            except orjson.JSONEncodeError:
                pass  # e.g. an integer past 64 bits: the standard library decides
        return super().dumps(obj, **kwargs)


def _orjson_option(kwargs: dict[str, Any]) -> int | None:
    """Return orjson's options matching ``response()``'s two layouts, else ``None``."""
    if kwargs == {"separators": (",", ":")}:
        return _OPTIONS
    if kwargs == {"indent": 2}:
        return _OPTIONS | orjson.OPT_INDENT_2
    return None


#: A JSON path: object keys and array indices from the document's root.
Path = tuple[str | int, ...]


def parse_body(raw: bytes) -> tuple[Any, list[Path]]:
    """Parse a request body; return it and the paths of its strings that are not text.

    orjson refuses a lone surrogate (``"\\ud800"``: valid JSON, not valid Unicode); the
    standard library reads it, and the strings holding one are listed so the caller can
    refuse or skip exactly that part. Only that rare body is walked.

    :raises ValueError: not JSON. :raises RecursionError: absurdly deep nesting.
    """
    try:
        return orjson.loads(raw), []
    except orjson.JSONDecodeError:
        pass
    body = json.loads(raw)
    return body, unreadable_strings(body)


def unreadable_strings(doc: Any, *, nul: bool = False) -> list[Path]:
    """Paths of the keys and strings of ``doc`` holding a lone surrogate (or a NUL if ``nul``).

    A key's own path ends with that key. Neither can be stored in PostgreSQL text, logged
    as UTF-8 or checked by the schema validator.
    """
    found: list[Path] = []
    stack: list[tuple[Any, Path]] = [(doc, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if not _is_text(value, nul):
                found.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and not _is_text(key, nul):
                    found.append((*path, key))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
    found.sort(key=str)
    return found


def _is_text(value: str, nul: bool) -> bool:
    if nul and "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
