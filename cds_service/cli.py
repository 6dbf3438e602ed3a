"""Command line: ``spine-mass-cds serve`` (more commands are added per feature)."""

from __future__ import annotations

import click


@click.group()
def main() -> None:
    """Spine Mass CDS: a CDS Hooks 2.0 service for spine-mass work-up."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option(
    "--workers", default=0, type=int, help="Run gunicorn with N workers (0 = dev server)."
)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the CDS Hooks API."""
    if workers > 0:
        import subprocess
        import sys

        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"{host}:{port}",
            "cds_service.wsgi:app",
        ]
        raise SystemExit(subprocess.call(cmd))
    from . import create_app

    create_app().run(host=host, port=port)


from .auth.cli import dev_token_command  # noqa: E402
from .store.cli import report_command  # noqa: E402

main.add_command(dev_token_command)
main.add_command(report_command)

if __name__ == "__main__":
    main()
