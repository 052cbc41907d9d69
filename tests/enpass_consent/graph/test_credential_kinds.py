"""Each kind of credential signs in end to end against the emulator: real msal, real TLS, the provider's variables."""

from __future__ import annotations

import base64
import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from enpass_consent import clouds
from enpass_consent.emulator import Emulator, Kind, decode_claims
from enpass_consent.emulator.login import ManagedIdentity
from enpass_consent.emulator.state import TEST_CLIENT_ID, ClientApp, FederatedCredential, Tenant
from enpass_consent.graph import credentials as c
from enpass_consent.graph.errors import AuthError
from enpass_consent.graph.factory import GraphFactory

MANAGED_IDENTITY_ID = "5a5a0000-0000-4000-8000-000000000002"


def certificate() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-deploying-app")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def pfx(key: rsa.RSAPrivateKey, cert: x509.Certificate) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        b"app", key, cert, None, serialization.BestAvailableEncryption(b"fake-pfx-pass")
    )


def sign_in(emulator: Emulator, tenant_id: str, **env: str) -> dict[str, object]:
    """Sign in with ``env`` (plus the emulator's endpoints) and return the Graph token's claims."""
    environ = {**emulator.env(), **env}
    with GraphFactory(environ, 1, is_terminal=lambda: False, which=lambda name, path: None) as graph:
        provider = graph.token_provider(clouds.endpoints(clouds.GLOBAL, environ), tenant_id)
        claims = decode_claims(provider.get_token())
        claims["kind"] = graph.credential.kind
        return claims


@pytest.mark.parametrize("as_variable", [False, True], ids=["ARM_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE"])
def test_client_certificate(emulator: Emulator, tenant: Tenant, tmp_path: Path, as_variable: bool) -> None:
    key, cert = certificate()
    tenant.add_client(
        ClientApp(TEST_CLIENT_ID, secret=None, certificates=[cert.public_bytes(serialization.Encoding.PEM).decode()])
    )
    bundle = pfx(key, cert)
    path = tmp_path / "app.pfx"
    path.write_bytes(bundle)
    location = {c.CERTIFICATE: base64.b64encode(bundle).decode()} if as_variable else {c.CERTIFICATE_PATH: str(path)}
    claims = sign_in(
        emulator, tenant.tenant_id, **{c.CLIENT_ID: TEST_CLIENT_ID, c.CERTIFICATE_PASSWORD: "fake-pfx-pass", **location}
    )
    assert (claims["kind"], claims["appid"], claims["tid"]) == ("client certificate", TEST_CLIENT_ID, tenant.tenant_id)
    other_key, other_cert = certificate()  # a certificate the app does not know
    path.write_bytes(pfx(other_key, other_cert))
    with pytest.raises(AuthError, match="AADSTS700027"):
        sign_in(
            emulator,
            tenant.tenant_id,
            **{c.CLIENT_ID: TEST_CLIENT_ID, c.CERTIFICATE_PATH: str(path), c.CERTIFICATE_PASSWORD: "fake-pfx-pass"},
        )


def test_github_actions_oidc(emulator: Emulator, tenant: Tenant) -> None:
    tenant.add_client(
        ClientApp(
            TEST_CLIENT_ID,
            secret=None,
            federated_credentials=[FederatedCredential(emulator.ci.issuer, emulator.ci.github_subject)],
        )
    )
    env = {
        c.CLIENT_ID: TEST_CLIENT_ID,
        c.USE_OIDC: "true",
        c.GITHUB_REQUEST_URL: f"{emulator.base_url}/_ci/token?api-version=2.0",
        c.GITHUB_REQUEST_TOKEN: emulator.ci.request_token,
    }
    claims = sign_in(emulator, tenant.tenant_id, **env)
    assert (claims["kind"], claims["appid"]) == ("GitHub Actions OIDC", TEST_CLIENT_ID)
    emulator.ci.github_subject = "repo:contoso/enpass-consent:pull_request"  # a PR run: not trusted
    with pytest.raises(AuthError, match="AADSTS70021"):
        sign_in(emulator, tenant.tenant_id, **env)
    with pytest.raises(AuthError, match="the CI token service returned 401"):
        sign_in(emulator, tenant.tenant_id, **{**env, c.GITHUB_REQUEST_TOKEN: "fake-wrong-request-token"})
    assert emulator.ci.issued == [emulator.ci.github_subject.replace("pull_request", "environment:prod"), "repo:contoso/enpass-consent:pull_request"]  # fmt: skip


def test_azure_devops_oidc_with_the_alias_variable(emulator: Emulator, tenant: Tenant) -> None:
    subject = emulator.ci.ado_subject("svc-enpass")
    tenant.add_client(
        ClientApp(TEST_CLIENT_ID, secret=None, federated_credentials=[FederatedCredential(emulator.ci.issuer, subject)])
    )
    env = {
        c.CLIENT_ID: TEST_CLIENT_ID,
        c.USE_OIDC: "true",
        c.ADO_OIDC_REQUEST_URI: f"{emulator.base_url}/_ci/token",
        c.ADO_ACCESS_TOKEN: emulator.ci.request_token,
        c.ADO_SERVICE_CONNECTION_ID_ALIAS: "svc-enpass",
    }
    claims = sign_in(emulator, tenant.tenant_id, **env)
    assert (claims["kind"], claims["appid"]) == ("Azure DevOps OIDC", TEST_CLIENT_ID)
    assert emulator.ci.issued == [subject]


def test_managed_identity(emulator: Emulator, tenant: Tenant) -> None:
    tenant.add_client(ClientApp(MANAGED_IDENTITY_ID, secret=None, roles=["Application.Read.All"]))
    emulator.login.managed_identities = [ManagedIdentity(tenant.tenant_id, MANAGED_IDENTITY_ID, user_assigned=True)]
    env = {
        c.USE_MSI: "true",
        c.CLIENT_ID: MANAGED_IDENTITY_ID,
        c.MSI_ENDPOINT: f"{emulator.base_url}/metadata/identity/oauth2/token",
    }
    claims = sign_in(emulator, tenant.tenant_id, **env)
    assert (claims["kind"], claims["appid"], claims["roles"]) == (
        "managed identity",
        MANAGED_IDENTITY_ID,
        ["Application.Read.All"],
    )
    assert emulator.recorder.count(kind=Kind.MANAGED_IDENTITY) == 1
    with pytest.raises(AuthError, match="Identity not found"):
        sign_in(emulator, tenant.tenant_id, **{**env, c.CLIENT_ID: "5a5a0000-0000-4000-8000-0000000000ff"})


def test_managed_identity_of_another_tenant_is_refused(emulator: Emulator, tenant: Tenant) -> None:
    other = emulator.add_tenant(Tenant("7e1a0000-0000-4000-8000-0000000000c2"))
    other.add_client(ClientApp(MANAGED_IDENTITY_ID, secret=None))
    emulator.login.managed_identities = [ManagedIdentity(other.tenant_id, MANAGED_IDENTITY_ID)]
    env = {c.USE_MSI: "true", c.MSI_ENDPOINT: f"{emulator.base_url}/metadata/identity/oauth2/token"}
    with pytest.raises(AuthError, match="belongs to tenant 7e1a0000-0000-4000-8000-0000000000c2, not to the stack's"):
        sign_in(emulator, tenant.tenant_id, **env)


@pytest.fixture
def tenant(emulator: Emulator) -> Tenant:
    return emulator.add_tenant(Tenant("7e1a0000-0000-4000-8000-0000000000c1"))
