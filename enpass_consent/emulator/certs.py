"""A throw-away CA and a server certificate for 127.0.0.1, generated once per process.

EC P-256 keys: generation and TLS handshakes are far cheaper than RSA, which matters when a
benchmark opens hundreds of connections.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import os
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class TlsFiles:
    """PEM files: ``ca_bundle`` is what clients trust; the server loads ``cert_chain`` + ``key``."""

    directory: str
    ca_bundle: str
    cert_chain: str
    key: str


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


@functools.cache
def tls_files() -> TlsFiles:
    """Generate (once per process) a CA and a leaf certificate for 127.0.0.1 and localhost."""
    directory = tempfile.mkdtemp(prefix="enpass-consent-emulator-")
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=2)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "enpass-consent test CA (not trusted anywhere)")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    pem = serialization.Encoding.PEM
    ca_bundle = os.path.join(directory, "ca.pem")
    cert_chain = os.path.join(directory, "server-chain.pem")
    key = os.path.join(directory, "server-key.pem")
    _write(ca_bundle, ca_cert.public_bytes(pem))
    _write(cert_chain, leaf_cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    _write(
        key,
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    return TlsFiles(directory, ca_bundle, cert_chain, key)
