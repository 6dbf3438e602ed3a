"""Reading FHIR R4 JSON as it arrives: resources out of Bundles, failures, ``next`` links.

Shared by prefetch (what the client sent), the FHIR fetcher (what the server answered) and
the record reader of the CLI and preview page, so all three unpack a Bundle the same way.
No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: ``isinstance(x, JSON_OBJECT)`` is ``isinstance(x, Mapping)`` with ``dict`` tried first:
#: parsed JSON objects are dicts, and the ABC check is the slow path.
JSON_OBJECT = (dict, Mapping)


def resources_of(value: Any) -> list[dict[str, Any]]:
    """Return the resources of a resource or Bundle, dropping OperationOutcome entries."""
    return unpack(value)[0]


def unpack(value: Any) -> tuple[list[dict[str, Any]], bool]:
    """Return :func:`resources_of` ``value`` and whether it reports a failure instead of data.

    A failure is an OperationOutcome, or a Bundle with an OperationOutcome entry that has
    an ``error`` or ``fatal`` issue (CDS Hooks 2.0: a client that could not prefetch), or
    a Bundle whose ``entry`` is not a list.
    One walk over the entries answers both.
    """
    if not isinstance(value, JSON_OBJECT):
        return [], False
    rtype = value.get("resourceType")
    if rtype == "OperationOutcome":
        return [], True
    if rtype != "Bundle":
        return [dict(value)], False
    entries = value.get("entry") or ()
    # A tuple of types, not ``list | tuple``: that expression builds a new union per call.
    if not isinstance(entries, (list, tuple)):
        return [], True  # ``entry: 5``: no readable search result, as if the client failed
    out: list[dict[str, Any]] = []
    failed = False
    for entry in entries:
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
