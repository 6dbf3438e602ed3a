"""Which patient a resource belongs to, and the scan that sorts an export's lines by patient.

A Bulk Data export is per resource type; the service evaluates per patient. A resource
names its patient in ``subject`` or ``patient`` (Device), as a relative (``Patient/7``),
absolute (``https://ehr/fhir/Patient/7``) or versioned (``Patient/7/_history/2``)
reference; a Patient names itself by ``id``. Anything else (no reference, a Group subject,
``urn:uuid:``, a conditional reference) names no patient: such resources are counted and
skipped, as are types the service never receives (Encounter, Claim, ...).

:func:`scan` is the first pass of both engines: it reads a chunk, parses each line once to
find its patient, and hands the raw line on with the patient id, file number and line
number. Keeping the raw line (not the parsed dict) keeps the pass's memory flat; sorting a
patient's lines by (file, line) later makes the evaluation independent of how the work was
split.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import orjson

from ..bundles import RECORD_TYPES
from .export import Chunk
from .export import lines

#: FHIR R4 ``id``: ``[A-Za-z0-9\-\.]{1,64}``.
_ID = r"[A-Za-z0-9\-.]{1,64}"
_PATIENT_ID = re.compile(_ID)
_PATIENT_REF = re.compile(rf"(?:^|/)Patient/({_ID})(?:/_history/[^/]+)?$")
#: Elements that name the patient, in the order the service's wrong-patient filter reads.
PATIENT_ELEMENTS = ("subject", "patient")


def patient_of(resource: dict[str, Any]) -> str | None:
    """Return the id of the patient ``resource`` belongs to, or ``None`` if it names none."""
    if resource.get("resourceType") == "Patient":
        rid = resource.get("id")
        return rid if isinstance(rid, str) and _PATIENT_ID.fullmatch(rid) else None
    for element in PATIENT_ELEMENTS:
        ref = resource.get(element)
        if isinstance(ref, dict) and isinstance(reference := ref.get("reference"), str):
            match = _PATIENT_REF.search(reference)
            return match.group(1) if match else None
    return None


def partition_of(patient_id: str, partitions: int) -> int:
    """A stable partition number (``hash()`` differs between processes; crc32 does not)."""
    return zlib.crc32(patient_id.encode()) % partitions


@dataclass
class ScanStats:
    """What a scan saw besides usable resources; stats of chunks add up with ``+=``."""

    resources: int = 0
    malformed: list[tuple[str, int, str]] = field(default_factory=list)  # file, line, why
    no_patient: Counter[str] = field(default_factory=Counter)  # per resource type
    not_read: Counter[str] = field(default_factory=Counter)  # types the service never gets
    patients: set[str] = field(default_factory=set)

    def __iadd__(self, other: ScanStats) -> ScanStats:
        self.resources += other.resources
        self.malformed.extend(other.malformed)
        self.no_patient.update(other.no_patient)
        self.not_read.update(other.not_read)
        self.patients |= other.patients
        return self


#: One resource line on its way to its patient: (patient id, file no, line no, raw JSON).
Line = tuple[str, int, int, bytes]


def scan(chunk: Chunk, stats: ScanStats) -> Iterator[Line]:
    """Yield each usable line of ``chunk`` with its patient; note everything else in ``stats``.

    A file that ends early (a truncated download, a corrupt gzip member) is one problem at
    the first line that could not be read; the lines before it are used.
    """
    number = chunk.first_line - 1
    try:
        for number, raw in lines(chunk):
            if (line := _usable(chunk, number, raw, stats)) is not None:
                yield line
    except (OSError, EOFError):
        stats.malformed.append((chunk.name, number + 1, "file ends early: truncated or corrupt"))


def _usable(chunk: Chunk, number: int, raw: bytes, stats: ScanStats) -> Line | None:
    if not raw.strip():
        return None
    try:
        resource = orjson.loads(raw)
    except orjson.JSONDecodeError:
        stats.malformed.append((chunk.name, number, "not JSON"))
        return None
    rtype = resource.get("resourceType") if isinstance(resource, dict) else None
    if not isinstance(rtype, str) or not rtype:
        stats.malformed.append((chunk.name, number, "not a FHIR resource (no resourceType)"))
        return None
    if rtype not in RECORD_TYPES:
        stats.not_read[rtype] += 1
        return None
    patient = patient_of(resource)
    if patient is None:
        stats.no_patient[rtype] += 1
        return None
    stats.resources += 1
    stats.patients.add(patient)
    return patient, chunk.file_no, number, raw


def parse_group(group: list[tuple[int, int, bytes]]) -> list[dict[str, Any]]:
    """Parse one patient's lines in export order (file, then line), whatever the split."""
    group.sort(key=lambda item: (item[0], item[1]))
    return [orjson.loads(raw) for _, _, raw in group]
