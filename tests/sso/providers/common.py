"""What both local identity providers share: a throwaway key pair and the user list format.

Nothing here imports Django models, so the SAML server (no Django at all) can use it too.
"""

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class LocalUser:
    email: str
    password: str
    verified: bool = True
    first_name: str = ""
    last_name: str = ""


def parse_user(spec: str) -> LocalUser:
    """``email|password[|verified|unverified[|First[|Last]]]`` -> LocalUser (for --user)."""
    parts = spec.split("|")
    if len(parts) < 2 or "@" not in parts[0] or not parts[1]:
        raise ValueError(f"--user {spec!r}: expected email|password[|verified|First|Last]")
    flag = parts[2] if len(parts) > 2 and parts[2] else "verified"
    if flag not in ("verified", "unverified"):
        raise ValueError(f"--user {spec!r}: the third part is 'verified' or 'unverified'")
    return LocalUser(
        email=parts[0],
        password=parts[1],
        verified=flag == "verified",
        first_name=parts[3] if len(parts) > 3 else "",
        last_name=parts[4] if len(parts) > 4 else "",
    )


def new_key_pair(common_name: str) -> tuple[str, str]:
    """A fresh RSA key and a self-signed certificate for it, both PEM: made at every start,
    never written to the repository."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()
