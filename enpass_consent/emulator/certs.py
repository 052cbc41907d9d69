"""A throw-away CA and a server certificate for 127.0.0.1: generated once per process, on disk only while used.

EC P-256 keys: generation and TLS handshakes are far cheaper than RSA, which matters when a
benchmark opens hundreds of connections. The key material is made once per process and kept in
memory (a test session starts many emulators); files exist only where a consumer needs a path:
the server's key and chain for the moment ``ssl`` loads them, the CA bundle for as long as its
emulator runs. Nothing stays in the temp folder.
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import os
import shutil
import ssl
import tempfile
import weakref
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TEMP_PREFIX = "enpass-consent-emulator-"
"""Prefix of every folder the emulator creates under the temp folder (tests look for leftovers by it)."""
PROXIED_HOST = "emulator.invalid"
"""The emulator's name behind a proxy (``.invalid`` never resolves: RFC 6761)."""


@dataclass(frozen=True)
class TlsMaterial:
    """PEM bytes: ``ca`` is what clients trust; the server presents ``cert_chain`` with ``key``."""

    ca: bytes
    cert_chain: bytes
    key: bytes


@functools.cache
def tls_material() -> TlsMaterial:
    """Generate (once per process) a CA and a leaf certificate for 127.0.0.1 and localhost."""
    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=30)

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
            x509.SubjectAlternativeName(
                [
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.DNSName("localhost"),
                    # A name that no resolver knows and no proxy rule skips as local: a test reaches the
                    # emulator under it only through an HTTPS proxy (CONNECT), with TLS still verified.
                    x509.DNSName(PROXIED_HOST),
                ]
            ),
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
    return TlsMaterial(
        ca=ca_cert.public_bytes(pem),
        cert_chain=leaf_cert.public_bytes(pem) + ca_cert.public_bytes(pem),
        key=leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )


def server_context() -> ssl.SSLContext:
    """A server TLS context; the key touches the disk only while ``ssl`` reads it (it takes paths only)."""
    material = tls_material()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX) as directory:
        chain, key = os.path.join(directory, "server-chain.pem"), os.path.join(directory, "server-key.pem")
        _write(chain, material.cert_chain)
        _write(key, material.key)
        context.load_cert_chain(chain, key)
    return context


class CaBundle:
    """The CA as a PEM file for clients (``requests`` and msal take a path), removed by ``remove()``.

    A bundle that is never removed explicitly goes when it is garbage-collected or at interpreter
    exit, so a benchmark or a crashed test run leaves no folder behind either.
    """

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix=TEMP_PREFIX)
        self.path = os.path.join(self.directory, "ca.pem")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.directory, ignore_errors=True)
        _write(self.path, tls_material().ca)

    def remove(self) -> None:
        self._finalizer()


def _write(path: str, data: bytes) -> None:
    # Owner-only: the key is a private key, even if a throw-away one.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
