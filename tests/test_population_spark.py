"""The Spark engine gives byte-identical outputs to the local engine on the same export.

A real Spark (PySpark, ``local[2]``, on the JVM) runs the test; ``make test`` installs
PySpark and Java when missing. The export is small (Spark's start-up dominates) but holds
every kind of line: patients with and without cards, MSCC patients for the audit, a
malformed line and resources naming no patient.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cds_service.cli import main
from cds_service.population.synth import write_export
from tests.support import FIXTURE_NOW

pytestmark = pytest.mark.slow
OUTPUTS = ("cards.ndjson", "report.json", "audit.json", "report.html")


def test_spark_and_local_engines_write_identical_outputs(tmp_path: Path) -> None:
    export = tmp_path / "export"
    write_export(export, patients=80, seed=7, now=FIXTURE_NOW, spine_share=0.5)
    with (export / "Condition.ndjson").open("a") as fh:
        fh.write('{"resourceType": "Condition", "id": "cut-off\n')
        fh.write('{"resourceType": "Condition", "id": "nobody"}\n')
    runs = {
        "local": ["--engine", "local", "--workers", "2"],
        "spark": ["--engine", "spark", "--master", "local[2]"],
    }
    for engine, args in runs.items():
        result = CliRunner().invoke(
            main,
            ["population", str(export), "--out", str(tmp_path / engine)]
            + ["--now", FIXTURE_NOW.isoformat(), *args],
        )
        assert result.exit_code == 0, result.output
        assert "1 malformed lines" in result.output

    for name in OUTPUTS:
        local, spark = (tmp_path / e / name for e in runs)
        assert local.read_bytes() == spark.read_bytes(), name
    assert (tmp_path / "local" / "cards.ndjson").read_text().count("\n") >= 30
