from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from enpass_consent import catalog
from enpass_consent.graph import credentials as c
from enpass_consent.graph.errors import AuthError, ConfigurationError
from tests.enpass_consent.graph.fakes import FakeSession, response

CLIENT = "aaaaaaaa-0000-4000-8000-000000000001"
STACK_CLIENT = "aaaaaaaa-0000-4000-8000-000000000002"

GITHUB = {
    c.USE_OIDC: "true",
    c.GITHUB_REQUEST_URL: "https://ci.invalid/token?api-version=2.0",
    c.GITHUB_REQUEST_TOKEN: "fake-gh-request-token",
}
ADO = {
    c.USE_OIDC: "true",
    c.ADO_SERVICE_CONNECTION_ID: "svc-conn-1",
    c.ADO_ACCESS_TOKEN: "fake-ado-access-token",
    c.ADO_OIDC_REQUEST_URI: "https://ado.invalid/oidctoken",
}


def never_terminal() -> bool:
    return False


def always_terminal() -> bool:
    return True


@pytest.mark.parametrize(
    ("env", "kind"),
    [
        (
            {c.CERTIFICATE_PATH: "/x.pfx", c.CLIENT_SECRET: "fake-secret", c.OIDC_TOKEN: "fake-oidc"},
            "client certificate",
        ),
        ({c.CLIENT_SECRET: "fake-secret", c.OIDC_TOKEN: "fake-oidc", c.OIDC_TOKEN_FILE_PATH: "/t"}, "client secret"),
        ({c.OIDC_TOKEN: "fake-oidc", c.OIDC_TOKEN_FILE_PATH: "/t", **GITHUB}, "OIDC token"),
        ({c.OIDC_TOKEN_FILE_PATH: "/t", **GITHUB}, "OIDC token file"),
        (GITHUB, "GitHub Actions OIDC"),
        (ADO, "Azure DevOps OIDC"),
        ({**GITHUB, **ADO}, "Azure DevOps OIDC"),
        ({c.CERTIFICATE_PATH: "  ", c.CLIENT_SECRET: "fake-secret"}, "client secret"),
    ],
)
def test_precedence(env: dict[str, str], kind: str) -> None:
    credential = c.resolve_credential({c.CLIENT_ID: CLIENT, **env}, is_terminal=always_terminal)
    assert credential.kind == kind
    assert not credential.public
    assert credential.client_id(None) == CLIENT
    assert credential.client_id(STACK_CLIENT) == STACK_CLIENT


def test_oidc_flag_without_ci_variables_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="ACTIONS_ID_TOKEN_REQUEST_URL"):
        c.resolve_credential({c.USE_OIDC: "true"}, is_terminal=always_terminal)
    with pytest.raises(ConfigurationError, match="SYSTEM_ACCESSTOKEN"):
        c.resolve_credential({c.USE_OIDC: "TRUE", c.ADO_SERVICE_CONNECTION_ID: "x"}, is_terminal=always_terminal)


def test_oidc_flag_false_is_ignored() -> None:
    credential = c.resolve_credential(
        {c.USE_OIDC: "false", **{k: v for k, v in GITHUB.items() if k != c.USE_OIDC}}, is_terminal=always_terminal
    )
    assert credential.kind == "device code"


def test_device_code_only_in_a_terminal_without_ci() -> None:
    credential = c.resolve_credential({}, is_terminal=always_terminal)
    assert credential.public and credential.kind == "device code"
    assert credential.client_id(STACK_CLIENT) == catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID
    assert credential.client_id(None) != catalog.ENPASS_APP_ID
    custom = c.resolve_credential({c.PUBLIC_CLIENT_ID: CLIENT}, is_terminal=always_terminal)
    assert custom.client_id(None) == CLIENT
    for env, terminal in (({c.CI: "true"}, always_terminal), ({}, never_terminal)):
        with pytest.raises(ConfigurationError, match="ARM_CLIENT_SECRET") as raised:
            c.resolve_credential(env, is_terminal=terminal)
        assert "ARM_USE_OIDC" in str(raised.value)
        assert "id-token permission set to write" in str(raised.value)  # readable: nothing redacted in it
        assert "REDACTED" not in str(raised.value)


def test_enpass_is_never_the_public_client() -> None:
    with pytest.raises(ConfigurationError, match="never Enpass's application id"):
        c.resolve_credential({c.PUBLIC_CLIENT_ID: catalog.ENPASS_APP_ID.upper()}, is_terminal=always_terminal)


def test_confidential_credential_without_client_id() -> None:
    credential = c.resolve_credential({c.CLIENT_SECRET: "fake-secret"}, is_terminal=never_terminal)
    with pytest.raises(ConfigurationError, match=r"azuread:clientId.*ARM_CLIENT_ID"):
        credential.client_id(None)
    assert credential.client_id(STACK_CLIENT) == STACK_CLIENT


def test_repr_never_shows_a_secret() -> None:
    envs = [
        {c.CERTIFICATE_PATH: "/x.pfx", c.CERTIFICATE_PASSWORD: "fake-pfx-password"},
        {c.CLIENT_SECRET: "fake-client-secret"},
        {c.OIDC_TOKEN: "fake-oidc-token-value"},
        GITHUB,
        ADO,
    ]
    for env in envs:
        text = repr(c.resolve_credential({c.CLIENT_ID: CLIENT, **env}, is_terminal=never_terminal))
        for secret in (
            "fake-pfx-password",
            "fake-client-secret",
            "fake-oidc-token-value",
            "fake-gh-request-token",
            "fake-ado-access-token",
        ):
            assert secret not in text


def test_github_assertion_is_fetched_on_every_call() -> None:
    jwts = iter(["eyJfirst.fake.jwt", "eyJsecond.fake.jwt"])
    session = FakeSession(lambda call: response(200, {"value": next(jwts)}))
    credential = c.resolve_credential({c.CLIENT_ID: CLIENT, **GITHUB}, is_terminal=never_terminal)
    assertion: Any = credential.msal_credential(session)["client_assertion"]  # type: ignore[index]
    assert session.calls == []  # nothing fetched until msal asks
    assert assertion() == "eyJfirst.fake.jwt"
    assert assertion() == "eyJsecond.fake.jwt"
    call = session.calls[0]
    assert call.method == "GET"
    assert call.url == "https://ci.invalid/token?api-version=2.0&audience=api%3A%2F%2FAzureADTokenExchange"
    assert call.headers["Authorization"] == "bearer fake-gh-request-token"


def test_azure_devops_assertion_request() -> None:
    session = FakeSession(lambda call: response(200, {"oidcToken": "eyJado.fake.jwt"}))
    credential = c.resolve_credential({c.CLIENT_ID: CLIENT, **ADO}, is_terminal=never_terminal)
    assertion: Any = credential.msal_credential(session)["client_assertion"]  # type: ignore[index]
    assert assertion() == "eyJado.fake.jwt"
    call = session.calls[0]
    assert call.method == "POST"
    assert call.url == "https://ado.invalid/oidctoken?api-version=7.1&serviceConnectionId=svc-conn-1"
    assert call.headers["Authorization"] == "Bearer fake-ado-access-token"


@pytest.mark.parametrize(
    "answer", [response(500, {"message": "x"}), response(200, raw=b"not json"), response(200, {"other": "x"})]
)
def test_assertion_fetch_failures_are_auth_errors_without_secrets(answer: Any) -> None:
    session = FakeSession(lambda call: answer)
    credential = c.resolve_credential({c.CLIENT_ID: CLIENT, **GITHUB}, is_terminal=never_terminal)
    assertion: Any = credential.msal_credential(session)["client_assertion"]  # type: ignore[index]
    with pytest.raises(AuthError) as raised:
        assertion()
    assert "fake-gh-request-token" not in str(raised.value) + repr(raised.value)
    assert "?api-version" not in str(raised.value)


def test_token_file_is_reread_per_request(tmp_path: Path) -> None:
    path = tmp_path / "ci.jwt"
    credential = c.resolve_credential({c.OIDC_TOKEN_FILE_PATH: str(path)}, is_terminal=never_terminal)
    assertion: Any = credential.msal_credential(FakeSession(lambda call: response(500)))["client_assertion"]  # type: ignore[index]
    path.write_text("fake-assertion-one\n")
    assert assertion() == "fake-assertion-one"
    path.write_text("fake-assertion-two")
    assert assertion() == "fake-assertion-two"
    path.unlink()
    with pytest.raises(AuthError, match="FileNotFoundError"):
        assertion()


def test_static_oidc_token_is_a_callable_assertion() -> None:
    credential = c.resolve_credential({c.OIDC_TOKEN: "fake-static-assertion"}, is_terminal=never_terminal)
    msal_credential: Any = credential.msal_credential(FakeSession(lambda call: response(500)))
    assert msal_credential["client_assertion"]() == "fake-static-assertion"


def _key_and_cert() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-ci-app")])
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


def test_pem_certificate(tmp_path: Path) -> None:
    key, cert = _key_and_cert()
    path = tmp_path / "app.pem"
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.write_bytes(key_pem + cert.public_bytes(serialization.Encoding.PEM))
    credential = c.resolve_credential({c.CERTIFICATE_PATH: str(path)}, is_terminal=never_terminal)
    material: Any = credential.msal_credential(FakeSession(lambda call: response(500)))
    assert material["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert material["public_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert "passphrase" not in material


def test_pem_without_key_is_a_clear_error(tmp_path: Path) -> None:
    _, cert = _key_and_cert()
    path = tmp_path / "cert-only.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    credential = c.resolve_credential({c.CERTIFICATE_PATH: str(path)}, is_terminal=never_terminal)
    with pytest.raises(ConfigurationError, match="private key"):
        credential.msal_credential(FakeSession(lambda call: response(500)))


def test_pfx_certificate(tmp_path: Path) -> None:
    key, cert = _key_and_cert()
    path = tmp_path / "app.pfx"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"x", key, cert, None, serialization.BestAvailableEncryption(b"fake-pfx-pass")
        )
    )
    env = {c.CERTIFICATE_PATH: str(path), c.CERTIFICATE_PASSWORD: "fake-pfx-pass"}
    material: Any = c.resolve_credential(env, is_terminal=never_terminal).msal_credential(
        FakeSession(lambda call: response(500))
    )
    assert material == {"private_key_pfx_path": str(path), "public_certificate": True, "passphrase": "fake-pfx-pass"}


def test_missing_certificate_file(tmp_path: Path) -> None:
    credential = c.resolve_credential({c.CERTIFICATE_PATH: str(tmp_path / "none.pfx")}, is_terminal=never_terminal)
    with pytest.raises(ConfigurationError, match="cannot read"):
        credential.msal_credential(FakeSession(lambda call: response(500)))
