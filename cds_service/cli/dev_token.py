"""``spine-mass-cds dev-token``: a token from the local development key."""

from __future__ import annotations

import click

from ..auth.dev import DEV_BASE_URL
from ..auth.dev import dev_trust_dir
from ..auth.dev import mint_dev_token
from ..auth.verify import audience_for
from .common import instance_path
from .common import load_settings


@click.command("dev-token")
@click.option(
    "--aud-path",
    default="/cds-services",
    show_default=True,
    help="Path being called; the token's aud is PUBLIC_BASE_URL + this path.",
)
@click.option("--base-url", default=None, help="Defaults to CDS_PUBLIC_BASE_URL or the dev URL.")
@click.option("--lifetime", default=300, show_default=True, type=int, help="Seconds.")
@click.option("--tenant", default=None, help="Optional tenant claim.")
def dev_token_command(
    aud_path: str, base_url: str | None, lifetime: int, tenant: str | None
) -> None:
    """Print a one-use JWT signed by the development key (development only).

    Each token has a fresh jti and is accepted once: mint one per call.
    """
    settings = load_settings()
    if not settings.development:
        # The development key is trusted by any service started in development: minting with it
        # on a production host (ENV defaults to production) would hand out working credentials.
        raise click.ClickException(
            "dev-token is for development only: set CDS_ENV=development "
            f"(CDS_ENV is {settings.env!r})."
        )
    base = base_url or settings.public_base_url or DEV_BASE_URL
    aud = audience_for(base, aud_path)
    folder = dev_trust_dir(settings, instance_path())
    click.echo(mint_dev_token(folder, aud, lifetime_s=lifetime, tenant=tenant))
