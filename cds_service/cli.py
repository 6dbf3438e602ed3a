"""Command line: ``spine-mass-cds serve|evaluate|settings|dev-token|report``.

``serve`` and ``settings`` are here; every other command lives in its own module and is
attached with ``main.add_command``.
"""

from __future__ import annotations

import click

from .cli_evaluate import evaluate_command


@click.group()
def main() -> None:
    """Spine Mass CDS: a CDS Hooks 2.0 service for spine-mass work-up."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option(
    "--workers",
    default=0,
    type=int,
    help="Run the production server (gunicorn) with N workers; 0 = development server.",
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the CDS Hooks API."""
    if workers > 0:
        import os
        import sys

        # exec, not a child: signals from the container runtime reach gunicorn directly.
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:cds_service.gunicorn_conf",
            "--workers",
            str(workers),
            "--bind",
            f"{host}:{port}",
            "cds_service.wsgi:app",
        ]
        os.execv(sys.executable, cmd)
    from . import create_app

    create_app().run(host=host, port=port)


@main.command("settings")
def settings_table() -> None:
    """Print every setting, its default and meaning, as the README's Markdown table."""
    from .config import markdown_table

    click.echo(markdown_table(), nl=False)


main.add_command(evaluate_command)

from .auth.cli import dev_token_command  # noqa: E402
from .store.cli import report_command  # noqa: E402

main.add_command(dev_token_command)
main.add_command(report_command)

from .population.cli import population_command  # noqa: E402
from .population.cli import synth_command  # noqa: E402

main.add_command(population_command)
main.add_command(synth_command)

if __name__ == "__main__":
    main()
