"""Resolve each declared prefetch key into resources (placeholder: no FHIR fallback yet).

Key states per CDS Hooks 2.0 §prefetch: present (resource or Bundle), ``null`` (no data,
never re-fetched), an OperationOutcome (client error: re-fetch), or absent (re-fetch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .errors import Issue
from .errors import PreconditionFailed
from .registry import ServiceDescriptor


@dataclass
class Resolved:
    """Resources per prefetch key, and what had to be fetched (for the log)."""

    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fetched: dict[str, float] = field(default_factory=dict)  # key -> latency ms


def unpack(value: Any) -> list[dict[str, Any]]:
    """Return the resources of a prefetch value: a resource, or a Bundle's entries."""
    if not isinstance(value, Mapping):
        return []
    if value.get("resourceType") == "Bundle":
        out = []
        for entry in value.get("entry") or []:
            res = entry.get("resource") if isinstance(entry, Mapping) else None
            if isinstance(res, Mapping) and res.get("resourceType") != "OperationOutcome":
                out.append(dict(res))
        return out
    if value.get("resourceType") == "OperationOutcome":
        return []
    return [dict(value)]


def resolve(
    service: ServiceDescriptor, body: Mapping[str, Any], settings: Mapping[str, Any]
) -> Resolved:
    """Resolve every prefetch key of ``service``; raise 412 when one cannot be obtained."""
    prefetch = body.get("prefetch") or {}
    resolved = Resolved()
    missing = []
    for key in service.prefetch:
        if key in prefetch and prefetch[key] is None:
            resolved.resources[key] = []
        elif (
            key in prefetch
            and isinstance(prefetch[key], Mapping)
            and prefetch[key].get("resourceType") != "OperationOutcome"
        ):
            resolved.resources[key] = unpack(prefetch[key])
        else:
            missing.append(key)
    if missing:
        raise PreconditionFailed(
            [
                Issue(
                    f"Prefetch key '{k}' missing and no FHIR fallback available.", f"prefetch.{k}"
                )
                for k in missing
            ]
        )
    return resolved
