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


def parse_body(raw: bytes, *, nul: bool = False) -> tuple[Any, list[Path]]:
    """Parse a request body; return it as text only, and where text had to be mended.

    orjson refuses a lone surrogate (``"\\ud800"``: valid JSON, not valid Unicode); the
    standard library reads it, and :func:`as_text` escapes and lists the strings holding
    one, so the caller can refuse or skip exactly that part. Only that rare body is walked,
    unless ``nul`` asks for NULs to be listed too.

    :raises ValueError: not JSON. :raises RecursionError: absurdly deep nesting.
    """
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return as_text(json.loads(raw), nul=nul)
    return as_text(body, nul=True) if nul else (body, [])


def as_text(doc: Any, *, nul: bool = False) -> tuple[Any, list[Path]]:
    """Escape each lone surrogate in the keys and strings of ``doc`` (in place); list them.

    A listed key's path ends with that key, escaped, so every path leads through the
    document as returned; a NUL is listed too if ``nul``. Neither can be stored in
    PostgreSQL text or logged as UTF-8, and a surrogate stops the schema validator: once
    escaped, no later step can fail on text it cannot encode, whatever it reads.
    """
    found: list[Path] = []

    def text(value: str, path: Path, *, key: bool = False) -> str:
        if _is_text(value, nul):
            return value
        value = value.encode("utf-8", "backslashreplace").decode()
        found.append((*path, value) if key else path)
        return value

    if isinstance(doc, str):
        doc = text(doc, ())
    stack: list[tuple[Any, Path]] = [(doc, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            if not all(_is_text(key, nul) for key in node):
                items = list(node.items())
                node.clear()
                node.update((text(k, path, key=True), v) for k, v in items)
            children: list[tuple[Any, Any]] = list(node.items())
        elif isinstance(node, list):
            children = list(enumerate(node))
        else:
            continue
        for key, item in children:
            if isinstance(item, str):
                if (fixed := text(item, (*path, key))) is not item:
                    node[key] = fixed
            else:
                stack.append((item, (*path, key)))
    found.sort(key=str)
    return doc, found


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
