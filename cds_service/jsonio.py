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
