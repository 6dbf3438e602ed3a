"""Find and read the files of a FHIR Bulk Data export, line by line, never failing on one.

An export is a folder of ``<Type>.ndjson``, ``<Type>.<n>.ndjson`` or ``.ndjson.gz`` files,
or the folder of an export manifest (``{"output": [{"type", "url"}], ...}``, Bulk Data
IG 2.0 §"Response - Complete Status"). Manifest URLs name files on the export server; with no
network here, a ``file:`` URL is read where it points and any other URL by its last path
segment inside the folder (how exports are copied for offline analysis).

Large uncompressed files are cut into newline-aligned :class:`Chunk` s so every core reads;
each chunk knows the line number it starts at, so a malformed line is reported by file and
line however the work was split. A gzip file is one chunk (it cannot be entered mid-way).
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote
from urllib.parse import urlparse

#: Target bytes per chunk of an uncompressed file: small enough to spread a single large
#: file over every core, large enough that per-task overhead stays negligible.
CHUNK_BYTES = 32 * 1024 * 1024
_SUFFIXES = (".ndjson", ".ndjson.gz")
_BLOCK = 1024 * 1024


class ExportError(Exception):
    """The export as a whole cannot be read (no files, a manifest naming missing files)."""


@dataclass(frozen=True)
class Chunk:
    """Lines of one export file: bytes ``[start, end)`` (``end`` -1: to the end).

    :param name: the file as reported to users (relative to the export folder).
    :param first_line: 1-based number of the chunk's first line in the file.
    """

    file_no: int
    path: str
    name: str
    start: int = 0
    end: int = -1
    first_line: int = 1


def export_files(root: Path) -> list[tuple[str, Path]]:
    """Return ``(name, path)`` of every NDJSON file of the export at ``root``, sorted."""
    if root.is_file():
        return [(root.name, root)]
    manifest = _manifest(root)
    if manifest is not None:
        return _manifest_files(root, manifest)
    found = sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith(_SUFFIXES))
    if not found:
        raise ExportError(f"{root}: no .ndjson or .ndjson.gz files and no export manifest")
    return [(p.relative_to(root).as_posix(), p) for p in found]


def _manifest(root: Path) -> dict[str, object] | None:
    """The export manifest in ``root``: a JSON object with an ``output`` list."""
    for candidate in sorted(root.glob("*.json")):
        try:
            doc = json.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and isinstance(doc.get("output"), list):
            return doc
    return None


def _manifest_files(root: Path, manifest: dict[str, object]) -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    missing: list[str] = []
    entries = manifest.get("output")
    for entry in entries if isinstance(entries, list) else []:
        url = entry.get("url") if isinstance(entry, dict) else None
        if not isinstance(url, str) or not url:
            continue
        path = _local_path(root, url)
        if path.is_file():
            files.append((_name(root, path), path))
        else:
            missing.append(url)
    if missing:
        raise ExportError(f"export manifest names files not found here: {', '.join(missing)}")
    if not files:
        raise ExportError(f"{root}: the export manifest lists no output files")
    return files


def _name(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _local_path(root: Path, url: str) -> Path:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme in ("http", "https"):
        return root / Path(unquote(parsed.path)).name
    return root / unquote(url)


def chunks(files: list[tuple[str, Path]], chunk_bytes: int = CHUNK_BYTES) -> list[Chunk]:
    """Cut ``files`` into newline-aligned chunks, numbering lines as they go."""
    out: list[Chunk] = []
    for file_no, (name, path) in enumerate(files):
        size = path.stat().st_size
        if path.name.endswith(".gz") or size <= chunk_bytes:
            out.append(Chunk(file_no, str(path), name))
            continue
        with path.open("rb") as fh:
            start, line = 0, 1
            while start < size:
                end = _newline_after(fh, min(start + chunk_bytes, size), size)
                out.append(Chunk(file_no, str(path), name, start, end, line))
                fh.seek(start)
                line += _count_newlines(fh, end - start)
                start = end
    return out


def _newline_after(fh: BinaryIO, pos: int, size: int) -> int:
    """The offset just past the first newline at or after ``pos`` (``size`` if none)."""
    fh.seek(pos)
    while pos < size:
        block = fh.read(_BLOCK)
        if not block:
            break
        at = block.find(b"\n")
        if at >= 0:
            return pos + at + 1
        pos += len(block)
    return size


def _count_newlines(fh: BinaryIO, length: int) -> int:
    count = 0
    while length > 0:
        block = fh.read(min(_BLOCK, length))
        if not block:
            break
        count += block.count(b"\n")
        length -= len(block)
    return count


def lines(chunk: Chunk) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, line)`` of ``chunk``, without the line ending."""
    with _open(chunk) as fh:
        remaining = chunk.end - chunk.start if chunk.end >= 0 else -1
        for number, raw in enumerate(fh, start=chunk.first_line):
            if remaining >= 0:
                if remaining <= 0:
                    return
                remaining -= len(raw)
            yield number, raw.rstrip(b"\r\n")


def _open(chunk: Chunk) -> BinaryIO:
    if chunk.path.endswith(".gz"):
        return io.BufferedReader(gzip.open(chunk.path, "rb"))
    fh = open(chunk.path, "rb")  # noqa: SIM115 - returned to a with-block
    fh.seek(chunk.start)
    return fh
