"""Fixtures of the trust tests: client keys and a database per backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.trust.trust_helpers import pg_schema


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    """Serve test JWKS on 127.0.0.1 (never anywhere else)."""
    return ("127.0.0.1", 0)


@pytest.fixture(scope="session")
def ec_key() -> Any:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="session")
def rsa_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database: a SQLite file, or a throw-away schema on the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cds.sqlite'}"
    else:
        with pg_schema() as url:
            yield url
