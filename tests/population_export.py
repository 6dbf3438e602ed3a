"""Write small FHIR Bulk Data exports for the population tests (NDJSON, one file per type)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cds_service.fhir_json import resources_of


def write_ndjson(path: Path, resources: Iterable[dict[str, Any]]) -> Path:
    """Write ``resources`` as NDJSON (gzip when the name ends in ``.gz``)."""
    data = "".join(json.dumps(r) + "\n" for r in resources).encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def write_export(folder: Path, resources: Iterable[dict[str, Any]]) -> Path:
    """Write ``folder/<Type>.ndjson`` for ``resources``, in their order."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for res in resources:
        by_type.setdefault(res["resourceType"], []).append(res)
    folder.mkdir(parents=True, exist_ok=True)
    for rtype, items in by_type.items():
        write_ndjson(folder / f"{rtype}.ndjson", items)
    return folder


def request_resources(request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every resource of a CDS Hooks request's prefetch (the record a service call carries)."""
    return [r for value in (request.get("prefetch") or {}).values() for r in resources_of(value)]


def read_cards(out: Path) -> dict[str, dict[str, Any]]:
    """``OUT/cards.ndjson`` by patient id."""
    lines = (out / "cards.ndjson").read_text().splitlines()
    return {doc["patientId"]: doc for doc in map(json.loads, lines)}
