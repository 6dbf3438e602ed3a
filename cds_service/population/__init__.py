"""Population evaluation of a FHIR Bulk Data export (issue 17).

Before a CDS committee switches the service on it asks how many cards would fire, for whom,
and how late MSCC care is today (NICE NG234 1.1.1-1.1.2 asks for that audit). The answer
comes from a Bulk Data ``$export``: one NDJSON file per resource type. This package reads
such an export (:mod:`.export`), groups its resources by patient (:mod:`.grouping`),
evaluates every patient exactly as ``patient-view`` does (:mod:`.patients`), on this machine
(:mod:`.local`) or on Apache Spark (:mod:`.spark`), and writes the cards, the alert-burden
report and the NG234 audit (:mod:`cds_service.cli.population_report`, :mod:`.audit`). :mod:`.synth` writes realistic
synthetic exports for tests and benchmarks.
"""
