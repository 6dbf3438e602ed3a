"""Command line: ``spine-mass-cds serve|settings|evaluate|dev-token|report|population|synth``.

One module per command; this package's ``main`` only gathers them. Command modules import
the service's modules, never this package, so there is no import cycle.
"""

from __future__ import annotations

import click

from .dev_token import dev_token_command
from .evaluate import evaluate_command
from .population import population_command
from .population import synth_command
from .report import report_command
from .serve import serve_command
from .serve import settings_command


@click.group()
def main() -> None:
    """Spine Mass CDS: a CDS Hooks 2.0 service for spine-mass work-up."""


for _command in (
    serve_command,
    settings_command,
    evaluate_command,
    dev_token_command,
    report_command,
    population_command,
    synth_command,
):
    main.add_command(_command)
