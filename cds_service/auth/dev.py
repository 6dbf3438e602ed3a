"""Development trust: a locally generated key, a clients file trusting it, and tokens.

So ``make run`` works without configuration yet still verifies every call: in development
(``CDS_ENV=development``) with no ``CDS_CLIENTS_FILE``, the instance folder gets
``dev-key.pem`` (ES384, private, mode 0600), ``dev-jwks.json`` and ``dev-clients.json``
trusting issuer :data:`DEV_ISS`; ``spine-mass-cds dev-token`` signs tokens with that key.
Files are created atomically, so several worker processes starting together agree on one key.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ..config import Settings

DEV_ISS = "urn:spine-mass-cds:dev"
DEV_BASE_URL = "http://127.0.0.1:8080"
KEY_FILE = "dev-key.pem"
JWKS_FILE = "dev-jwks.json"
CLIENTS_FILE = "dev-clients.json"


def dev_trust_dir(settings: Settings, instance_path: str) -> str:
    """Return the folder of the development key: ``DEV_TRUST_DIR``, else the instance folder.

    The service, ``dev-token`` and the preview's token endpoint must agree on it, or a token
    would be signed by a key the service does not trust.
    """
    return settings.dev_trust_dir or instance_path


def _create_once(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``path`` unless it exists; concurrent callers never see a half-written file."""
    if path.exists():
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        os.link(tmp, path)  # atomic; fails if another process won the race
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def _private_key(instance: Path) -> ec.EllipticCurvePrivateKey:
    pem = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _create_once(instance / KEY_FILE, pem, 0o600)
    key = serialization.load_pem_private_key((instance / KEY_FILE).read_bytes(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _kid(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()[:16]


def ensure_dev_trust(instance_path: str | Path) -> Path:
    """Create (once) the development key and clients file; return the clients file path."""
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    key = _private_key(instance)
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": _kid(key), "use": "sig", "alg": "ES384"})
    _create_once(instance / JWKS_FILE, json.dumps({"keys": [jwk]}, indent=2).encode())
    clients = [{"iss": DEV_ISS, "jwks_file": JWKS_FILE, "algorithms": ["ES384"]}]
    _create_once(instance / CLIENTS_FILE, json.dumps(clients, indent=2).encode())
    return instance / CLIENTS_FILE


def mint_dev_token(
    instance_path: str | Path, audience: str, *, lifetime_s: int = 300, tenant: str | None = None
) -> str:
    """Sign a one-use development token for ``audience`` with the local dev key."""
    ensure_dev_trust(instance_path)
    key = _private_key(Path(instance_path))
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": DEV_ISS,
        "aud": audience,
        "iat": now,
        "exp": now + lifetime_s,
        "jti": str(uuid.uuid4()),
    }
    if tenant:
        claims["tenant"] = tenant
    return jwt.encode(claims, key, algorithm="ES384", headers={"kid": _kid(key), "typ": "JWT"})
