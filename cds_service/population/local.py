"""The local engine: every core of this machine, memory bounded by a partition, not the export.

Two passes over worker processes, grouping externally on disk:

1. *split*: each chunk of the export (:func:`~.export.chunks`) is scanned
   (:func:`~.grouping.scan`) and every usable line is appended, tagged with its patient,
   file and line number, to one of ``P`` partition files chosen by a stable hash of the
   patient id. Buffers are flushed at :data:`FLUSH_BYTES`, which bounds what a worker holds.
2. *evaluate*: each partition is read alone, grouped by patient in memory and evaluated
   (:func:`~.patients.evaluate_patient`). ``P`` is chosen so a partition holds about
   :data:`PARTITION_BYTES` of export, which bounds the memory of a worker whatever the
   export's size.

Processes are spawned, not forked: forking a process that runs threads can deadlock.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed
from datetime import datetime
from pathlib import Path

from .export import Chunk
from .export import chunks
from .export import export_files
from .grouping import ScanStats
from .grouping import parse_group
from .grouping import partition_of
from .grouping import scan
from .patients import PatientResult
from .patients import evaluate_patient
from .progress import Progress

#: Export bytes per partition of the evaluate pass (its lines, parsed, stay in memory).
PARTITION_BYTES = 8 * 1024 * 1024
#: Bytes a split worker buffers before appending them to the partition files.
FLUSH_BYTES = 16 * 1024 * 1024


def run_local(
    root: Path,
    *,
    now: datetime,
    profile: str,
    workers: int,
    work_dir: Path | None = None,
    show_progress: bool = True,
) -> tuple[list[PatientResult], ScanStats]:
    """Evaluate every patient of the export at ``root``; return results and scan statistics."""
    files = export_files(root)
    parts = chunks(files)
    size = sum(path.stat().st_size for _, path in files)
    partitions = max(workers * 8, -(-size // PARTITION_BYTES))
    context = multiprocessing.get_context("spawn")
    stats = ScanStats()
    results: list[PatientResult] = []
    with (
        tempfile.TemporaryDirectory(prefix="population-", dir=work_dir) as tmp,
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
    ):
        reading = Progress(len(parts), "Reading   ", "chunks") if show_progress else None
        split = [pool.submit(split_chunk, chunk, tmp, partitions) for chunk in parts]
        for scanned in as_completed(split):
            stats += scanned.result()
            if reading:
                reading.update(1)
        if reading:
            reading.close()
        evaluating = (
            Progress(len(stats.patients), "Evaluating", "patients") if show_progress else None
        )
        jobs = [
            pool.submit(evaluate_partition, tmp, number, now, profile)
            for number in range(partitions)
        ]
        for evaluated in as_completed(jobs):
            batch = evaluated.result()
            results.extend(batch)
            if evaluating:
                evaluating.update(len(batch))
        if evaluating:
            evaluating.close()
    return results, stats


def _partition_file(tmp: str, number: int) -> str:
    return os.path.join(tmp, f"{number:05d}-{os.getpid()}.part")


def split_chunk(chunk: Chunk, tmp: str, partitions: int) -> ScanStats:
    """Pass 1: append each usable line of ``chunk`` to its patient's partition file."""
    stats = ScanStats()
    buffers: defaultdict[int, list[bytes]] = defaultdict(list)
    buffered = 0
    for patient, file_no, line_no, raw in scan(chunk, stats):
        record = b"%s\t%d\t%d\t%s\n" % (patient.encode(), file_no, line_no, raw)
        buffers[partition_of(patient, partitions)].append(record)
        buffered += len(record)
        if buffered >= FLUSH_BYTES:
            _flush(tmp, buffers)
            buffered = 0
    _flush(tmp, buffers)
    return stats


def _flush(tmp: str, buffers: defaultdict[int, list[bytes]]) -> None:
    for number, records in buffers.items():
        with open(_partition_file(tmp, number), "ab") as fh:
            fh.write(b"".join(records))
    buffers.clear()


def evaluate_partition(tmp: str, number: int, now: datetime, profile: str) -> list[PatientResult]:
    """Pass 2: group one partition's lines by patient and evaluate each patient."""
    groups: defaultdict[str, list[tuple[int, int, bytes]]] = defaultdict(list)
    prefix = f"{number:05d}-"
    for name in sorted(os.listdir(tmp)):
        if not name.startswith(prefix):
            continue
        with open(os.path.join(tmp, name), "rb") as fh:
            for record in fh:
                patient, file_no, line_no, raw = record.rstrip(b"\n").split(b"\t", 3)
                groups[patient.decode()].append((int(file_no), int(line_no), raw))
    return [
        evaluate_patient(patient, parse_group(groups.pop(patient)), now=now, profile=profile)
        for patient in sorted(groups)
    ]
