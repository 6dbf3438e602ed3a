"""The Spark engine: the same scan and evaluation as the local engine, on Apache Spark.

PySpark is an optional dependency (``pip install 'spine-mass-cds[spark]'``; Spark needs a
Java runtime from the OS packages). ``local[*]`` uses every core of this machine; a
``spark://`` or ``yarn`` master runs on a cluster whose executors can read the export's
path (a shared filesystem) and have this package installed.

Nothing clinical is re-implemented: the executors run :func:`~.grouping.scan` on the same
chunks and :func:`~.patients.evaluate_patient` on the same groups, and the driver hands the
results to the same writer, so ``cards.ndjson`` and the reports are byte-identical to the
local engine's. Statistics travel in the same shuffle under a key no patient id can have
(``#`` is not allowed in a FHIR id).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from .export import Chunk
from .export import chunks
from .export import export_files
from .grouping import ScanStats
from .grouping import parse_group
from .grouping import scan
from .patients import PatientResult
from .patients import evaluate_patient

_STATS = "#stats"


class SparkMissing(Exception):
    """PySpark is not installed, or Spark cannot start (no Java, master unreachable)."""


def _scan(parts: Iterable[Chunk]) -> Iterator[tuple[str, Any]]:
    stats = ScanStats()
    for chunk in parts:
        for patient, file_no, line_no, raw in scan(chunk, stats):
            yield patient, (file_no, line_no, raw)
    yield _STATS, stats


def _evaluate(item: tuple[str, Iterable[Any]], now: datetime, profile: str) -> tuple[str, Any]:
    key, values = item
    if key == _STATS:
        merged = ScanStats()
        for stats in values:
            merged += stats
        return _STATS, merged
    group = list(values)
    return "patient", evaluate_patient(key, parse_group(group), now=now, profile=profile)


def run_spark(
    root: Path, *, now: datetime, profile: str, master: str = "local[*]"
) -> tuple[list[PatientResult], ScanStats]:
    """Evaluate every patient of the export at ``root`` on Spark at ``master``."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise SparkMissing(
            "the Spark engine needs PySpark: pip install 'spine-mass-cds[spark]' "
            "(and a Java runtime, e.g. apt-get install openjdk-17-jre-headless)"
        ) from exc
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    parts = chunks(export_files(root))
    try:
        builder = SparkSession.builder.master(master).appName("spine-mass-cds population")
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - py4j/PySpark raise several types for this
        raise SparkMissing(
            f"Spark could not start at {master} ({type(exc).__name__}); is a Java runtime "
            "installed (apt-get install openjdk-17-jre-headless) and the master reachable?"
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    try:
        context = spark.sparkContext
        collected = (
            context.parallelize(parts, max(1, len(parts)))
            .mapPartitions(_scan)
            .groupByKey(max(1, context.defaultParallelism * 4))
            .map(partial(_evaluate, now=now, profile=profile))
            .collect()
        )
    finally:
        spark.stop()
    stats = ScanStats()
    results: list[PatientResult] = []
    for kind, value in collected:
        if kind == _STATS:
            stats += value
        else:
            results.append(value)
    return results, stats
