from __future__ import annotations

import base64
import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from enpass_consent import catalog
from enpass_consent.graph import credentials as c
from enpass_consent.graph.errors import AuthError, ConfigurationError, TransportError
from tests.enpass_consent.graph.fakes import FakeSession, response

CLIENT = "aaaaaaaa-0000-4000-8000-000000000001"
STACK_CLIENT = "aaaaaaaa-0000-4000-8000-000000000002"

GITHUB_VARIABLES = {
    c.GITHUB_REQUEST_URL: "https://ci.invalid/token?api-version=2.0",
    c.GITHUB_REQUEST_TOKEN: "fake-gh-request-token",
}
GITHUB = {c.USE_OIDC: "true", **GITHUB_VARIABLES}
ADO_ONLY_SYSTEM = {c.ADO_ACCESS_TOKEN: "fake-ado-access-token", c.ADO_OIDC_REQUEST_URI: "https://ado.invalid/oidctoken"}
ADO = {c.USE_OIDC: "true", c.ADO_SERVICE_CONNECTION_ID: "svc-conn-1", **ADO_ONLY_SYSTEM}
TENANT = "7e1a0000-0000-4000-8000-000000000001"


def never_terminal() -> bool:
    return False


def always_terminal() -> bool:
    return True


def no_az(name: str, path: str | None) -> str | None:
    return None


def az_installed(name: str, path: str | None) -> str | None:
    return "/opt/az/bin/az" if name == "az" else None


def resolve(
    env: dict[str, str],
    *,
    stack_client_id: str | None = None,
    terminal: bool = False,
    az: bool = False,
    tenant_id: str | None = None,
) -> c.Credential:
    return c.resolve_credential(
        env,
        stack_client_id=stack_client_id,
        tenant_id=tenant_id,
        is_terminal=always_terminal if terminal else never_terminal,
        which=az_installed if az else no_az,
    )  # fmt: skip


def token_file_credential(path: Path, assertion: str) -> c.OidcTokenFile:
    """The credential of ARM_OIDC_TOKEN_FILE_PATH naming ``path``, written with ``assertion`` first."""
    path.write_text(assertion)
    credential = resolve({c.CLIENT_ID: CLIENT, **OIDC_ON, c.OIDC_TOKEN_FILE_PATH: str(path)})
    assert isinstance(credential, c.OidcTokenFile)
    return credential


CERT = {c.CERTIFICATE_PATH: "/x.pfx"}
SECRET = {c.CLIENT_SECRET: "fake-secret"}
TOKEN = {c.OIDC_TOKEN: "fake-oidc"}
OIDC_ON = {c.USE_OIDC: "true"}
MSI_ON = {c.USE_MSI: "true"}

# (environment, stack client id, az on PATH, terminal, expected kind, expected client id): the order of
# hashicorp/go-azure-sdk sdk/auth/auth.go NewAuthorizerFromCredentials, written out by hand.
PRECEDENCE: list[tuple[dict[str, str], str | None, bool, bool, str, str | None]] = [
    ({c.CLIENT_ID: CLIENT, **CERT, **SECRET, **TOKEN, **OIDC_ON, **GITHUB, **MSI_ON}, None, True, True, "client certificate", CLIENT),
    ({c.CLIENT_ID: CLIENT, **SECRET, **TOKEN, **OIDC_ON, **GITHUB, **MSI_ON}, None, True, True, "client secret", CLIENT),
    ({**SECRET, **MSI_ON}, STACK_CLIENT, True, True, "client secret", STACK_CLIENT),
    ({c.CLIENT_ID: CLIENT, **SECRET}, STACK_CLIENT, False, False, "client secret", STACK_CLIENT),
    ({c.CLIENT_ID: CLIENT, **TOKEN, **OIDC_ON, **GITHUB, **ADO, **MSI_ON}, None, True, True, "OIDC token", CLIENT),
    ({c.CLIENT_ID: CLIENT, **ADO, **GITHUB, **MSI_ON}, None, True, True, "Azure DevOps OIDC", CLIENT),
    ({c.CLIENT_ID: CLIENT, **GITHUB, **MSI_ON}, None, True, True, "GitHub Actions OIDC", CLIENT),
    ({c.CLIENT_ID: CLIENT, **TOKEN, **GITHUB_VARIABLES, **MSI_ON}, None, True, True, "managed identity", CLIENT),  # no ARM_USE_OIDC
    ({c.CLIENT_ID: CLIENT, c.USE_AKS_WORKLOAD_IDENTITY: "true", **TOKEN}, None, True, True, "OIDC token", CLIENT),
    ({**SECRET, **TOKEN, **OIDC_ON, **MSI_ON}, None, True, True, "managed identity", None),  # no client id at all
    ({c.CLIENT_ID: CLIENT, **MSI_ON}, None, True, True, "managed identity", CLIENT),
    ({**MSI_ON, c.USE_CLI: "false"}, STACK_CLIENT, False, False, "managed identity", STACK_CLIENT),
    ({**SECRET}, None, True, True, "Azure CLI", None),
    ({c.CLIENT_ID: CLIENT}, None, True, False, "Azure CLI", None),
    ({c.USE_CLI: "false"}, None, True, True, "device code", catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID),
    ({c.USE_CLI: "0"}, None, True, True, "device code", catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID),
    ({c.USE_CLI: "True"}, None, True, True, "Azure CLI", None),
    ({}, None, False, True, "device code", catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID),
    ({c.PUBLIC_CLIENT_ID: CLIENT}, STACK_CLIENT, False, True, "device code", CLIENT),
]  # fmt: skip


@pytest.mark.parametrize(("env", "stack_client_id", "az", "terminal", "kind", "client_id"), PRECEDENCE)
def test_precedence(
    env: dict[str, str], stack_client_id: str | None, az: bool, terminal: bool, kind: str, client_id: str | None
) -> None:
    credential = resolve(env, stack_client_id=stack_client_id, az=az, terminal=terminal)
    assert (credential.kind, credential.client_id) == (kind, client_id)
    assert credential.confidential == (kind in ("client certificate", "client secret", "OIDC token",
                                                "Azure DevOps OIDC", "GitHub Actions OIDC"))  # fmt: skip


def test_a_credential_without_client_id_is_named_in_the_note() -> None:
    credential = resolve({**SECRET, **TOKEN}, az=True)
    assert credential.kind == "Azure CLI"
    assert "ARM_CLIENT_SECRET is set but there is no client id" in credential.describe()
    assert "ARM_OIDC_TOKEN is set but ARM_USE_OIDC is not true" in credential.describe()
    assert "fake-secret" not in credential.describe()


def test_request_url_and_token_variables_in_the_providers_order() -> None:
    generic = {c.OIDC_REQUEST_URL: "https://issuer.invalid/token", c.OIDC_REQUEST_TOKEN: "fake-generic-token"}
    credential = resolve({c.CLIENT_ID: CLIENT, **OIDC_ON, **generic, **GITHUB, **ADO_ONLY_SYSTEM})
    assert isinstance(credential, c.GitHubOidc)
    assert (credential.request_url, credential.request_token) == ("https://issuer.invalid/token", "fake-generic-token")
    # Azure DevOps' own variables with the alias of the service connection id.
    ado = resolve({c.CLIENT_ID: CLIENT, **OIDC_ON, **ADO_ONLY_SYSTEM, c.ADO_SERVICE_CONNECTION_ID_ALIAS: "svc-2"})
    assert isinstance(ado, c.AzureDevOpsOidc) and ado.service_connection_id == "svc-2"
    assert ado.request_uri == "https://ado.invalid/oidctoken"
    both = resolve(
        {c.CLIENT_ID: CLIENT, **OIDC_ON, **ADO_ONLY_SYSTEM, c.ADO_SERVICE_CONNECTION_ID: "svc-1",
         c.ADO_SERVICE_CONNECTION_ID_ALIAS: "svc-2"}
    )  # fmt: skip
    assert isinstance(both, c.AzureDevOpsOidc) and both.service_connection_id == "svc-1"


def test_oidc_flag_without_an_assertion_falls_through_and_says_why() -> None:
    with pytest.raises(ConfigurationError, match="ARM_USE_OIDC is true but no assertion is given") as raised:
        resolve({c.CLIENT_ID: CLIENT, **OIDC_ON})
    assert "id-token permission set to write" in str(raised.value)
    assert "REDACTED" not in str(raised.value)
    assert resolve({c.CLIENT_ID: CLIENT, **OIDC_ON}, az=True).kind == "Azure CLI"


def test_nothing_usable_is_a_clear_error() -> None:
    for env, terminal in (({c.CI: "true"}, True), ({}, False)):
        with pytest.raises(ConfigurationError, match="no credentials") as raised:
            resolve(env, terminal=terminal)
        for hint in ("ARM_CLIENT_SECRET", "ARM_USE_OIDC", "ARM_USE_MSI", "az login --tenant", "device code"):
            assert hint in str(raised.value)


@pytest.mark.parametrize("name", [c.USE_OIDC, c.USE_MSI, c.USE_CLI, c.USE_AKS_WORKLOAD_IDENTITY])
def test_booleans_are_read_as_the_provider_reads_them(name: str) -> None:
    with pytest.raises(ConfigurationError, match=f"{name}='yes' is not a boolean"):
        resolve({name: "yes"})


def test_file_path_variants(tmp_path: Path) -> None:
    (tmp_path / "id").write_text(f"  {CLIENT}\n")
    (tmp_path / "secret").write_text("fake-secret-from-file\n")
    env = {c.CLIENT_ID_FILE_PATH: str(tmp_path / "id"), c.CLIENT_SECRET_FILE_PATH: str(tmp_path / "secret")}
    credential = resolve(env)
    assert isinstance(credential, c.ClientSecret)
    assert (credential.client_id, credential.secret) == (CLIENT, "fake-secret-from-file")
    assert resolve({**env, c.CLIENT_ID: CLIENT, c.CLIENT_SECRET: "fake-secret-from-file"}).kind == "client secret"
    with pytest.raises(ConfigurationError, match="ARM_CLIENT_SECRET and the content of ARM_CLIENT_SECRET_FILE_PATH"):
        resolve({**env, c.CLIENT_SECRET: "fake-other-secret"})
    with pytest.raises(ConfigurationError, match="ARM_CLIENT_ID and the content of ARM_CLIENT_ID_FILE_PATH"):
        resolve({**env, c.CLIENT_ID: STACK_CLIENT})
    with pytest.raises(ConfigurationError, match="ARM_CLIENT_SECRET_FILE_PATH: cannot read"):
        resolve({c.CLIENT_SECRET_FILE_PATH: str(tmp_path / "missing")})


def test_oidc_token_and_its_file_must_agree(tmp_path: Path) -> None:
    path = tmp_path / "ci.jwt"
    path.write_text("fake-oidc\n")
    env = {c.CLIENT_ID: CLIENT, **OIDC_ON, c.OIDC_TOKEN_FILE_PATH: str(path)}
    assert resolve({**env, **TOKEN}).kind == "OIDC token file"
    with pytest.raises(ConfigurationError, match="ARM_OIDC_TOKEN and the content of ARM_OIDC_TOKEN_FILE_PATH"):
        resolve({**env, c.OIDC_TOKEN: "fake-other-assertion"})


def test_aks_workload_identity_tenant_must_be_the_stacks(tmp_path: Path) -> None:
    env = {c.CLIENT_ID: CLIENT, c.USE_AKS_WORKLOAD_IDENTITY: "true", **TOKEN, c.AKS_TENANT_ID: TENANT}
    assert resolve(env, tenant_id=TENANT.upper()).kind == "OIDC token"
    with pytest.raises(ConfigurationError, match=r"AZURE_TENANT_ID .* is not the stack's tenant"):
        resolve(env, tenant_id="99999999-0000-4000-8000-000000000000")


def test_managed_identity_endpoint() -> None:
    credential = resolve({**MSI_ON, c.MSI_ENDPOINT: "http://127.0.0.1:50342/oauth2/token"})
    assert isinstance(credential, c.ManagedIdentity)
    assert (credential.client_id, credential.endpoint) == (None, "http://127.0.0.1:50342/oauth2/token")


def test_enpass_is_never_the_public_client() -> None:
    with pytest.raises(ConfigurationError, match="never Enpass's application id"):
        resolve({c.PUBLIC_CLIENT_ID: catalog.ENPASS_APP_ID.upper()}, terminal=True)


def test_repr_never_shows_a_secret() -> None:
    envs = [
        {c.CERTIFICATE_PATH: "/x.pfx", c.CERTIFICATE_PASSWORD: "fake-pfx-password"},
        {c.CLIENT_SECRET: "fake-client-secret"},
        {**OIDC_ON, c.OIDC_TOKEN: "fake-oidc-token-value"},
        GITHUB,
        ADO,
    ]
    for env in envs:
        text = repr(resolve({c.CLIENT_ID: CLIENT, **env}))
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
    credential = resolve({c.CLIENT_ID: CLIENT, **GITHUB})
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
    credential = resolve({c.CLIENT_ID: CLIENT, **ADO})
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
    credential = resolve({c.CLIENT_ID: CLIENT, **GITHUB})
    assertion: Any = credential.msal_credential(session)["client_assertion"]  # type: ignore[index]
    with pytest.raises(AuthError) as raised:
        assertion()
    assert "fake-gh-request-token" not in str(raised.value) + repr(raised.value)
    assert "?api-version" not in str(raised.value)


def test_token_file_is_reread_per_request(tmp_path: Path) -> None:
    path = tmp_path / "ci.jwt"
    credential = token_file_credential(path, "fake-assertion-zero")
    assertion: Any = credential.msal_credential(FakeSession(lambda call: response(500)))["client_assertion"]  # type: ignore[index]
    path.write_text("fake-assertion-one\n")
    assert assertion() == "fake-assertion-one"
    path.write_text("fake-assertion-two")
    assert assertion() == "fake-assertion-two"
    path.unlink()
    with pytest.raises(AuthError, match="FileNotFoundError"):
        assertion()


def test_static_oidc_token_is_a_callable_assertion() -> None:
    credential = resolve({c.CLIENT_ID: CLIENT, **OIDC_ON, c.OIDC_TOKEN: "fake-static-assertion"})
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
    credential = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: str(path)})
    material: Any = credential.msal_credential(FakeSession(lambda call: response(500)))
    assert material["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert material["public_certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert "passphrase" not in material


def test_pem_without_key_is_a_clear_error(tmp_path: Path) -> None:
    _, cert = _key_and_cert()
    path = tmp_path / "cert-only.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    credential = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: str(path)})
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
    material: Any = resolve({c.CLIENT_ID: CLIENT, **env}).msal_credential(FakeSession(lambda call: response(500)))
    assert material == {"private_key_pfx_path": str(path), "public_certificate": True, "passphrase": "fake-pfx-pass"}


def test_missing_certificate_file(tmp_path: Path) -> None:
    credential = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: str(tmp_path / "none.pfx")})
    with pytest.raises(ConfigurationError, match="cannot read"):
        credential.msal_credential(FakeSession(lambda call: response(500)))


def test_base64_pkcs12_certificate_wins_over_the_path(tmp_path: Path) -> None:
    key, cert = _key_and_cert()
    bundle = pkcs12.serialize_key_and_certificates(
        b"x", key, cert, None, serialization.BestAvailableEncryption(b"fake-pfx-pass")
    )
    env = {
        c.CLIENT_ID: CLIENT,
        c.CERTIFICATE: base64.b64encode(bundle).decode(),
        c.CERTIFICATE_PATH: str(tmp_path / "not-read.pfx"),
        c.CERTIFICATE_PASSWORD: "fake-pfx-pass",
    }
    material: Any = resolve(env).msal_credential(FakeSession(lambda call: response(500)))
    assert material["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert material["public_certificate"] == cert.public_bytes(serialization.Encoding.PEM).decode()
    with pytest.raises(
        ConfigurationError, match="not a PKCS#12 \\(PFX\\) bundle that ARM_CLIENT_CERTIFICATE_PASSWORD opens"
    ):
        resolve({**env, c.CERTIFICATE_PASSWORD: "fake-wrong"}).msal_credential(FakeSession(lambda call: response(500)))
    with pytest.raises(ConfigurationError, match="ARM_CLIENT_CERTIFICATE: not base64"):
        resolve({**env, c.CERTIFICATE: "not base64!"})


@pytest.mark.parametrize(
    ("env", "options", "label", "source"),
    [
        ({c.CLIENT_ID: CLIENT, c.CLIENT_SECRET: "fake-s"}, {}, "client secret (ARM_CLIENT_SECRET)", "ARM_CLIENT_ID"),
        (
            {c.CLIENT_ID: CLIENT, c.CLIENT_SECRET: "fake-s"},
            {"stack_client_id": STACK_CLIENT},
            "client secret (ARM_CLIENT_SECRET)",
            "azuread:clientId",
        ),
        (
            {c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: "/x.pfx", c.CERTIFICATE_PASSWORD: "fake-p"},
            {},
            "client certificate (ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_CERTIFICATE_PASSWORD)",
            "ARM_CLIENT_ID",
        ),
        (
            {c.CLIENT_ID: CLIENT, **GITHUB},
            {},
            "GitHub Actions OIDC (ARM_USE_OIDC, ACTIONS_ID_TOKEN_REQUEST_URL)",
            "ARM_CLIENT_ID",
        ),
        (
            {c.CLIENT_ID: CLIENT, **ADO},
            {},
            "Azure DevOps OIDC (ARM_USE_OIDC, ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, SYSTEM_OIDCREQUESTURI)",
            "ARM_CLIENT_ID",
        ),
        (
            {c.CLIENT_ID: CLIENT, c.USE_AKS_WORKLOAD_IDENTITY: "true", c.OIDC_TOKEN: "fake-t"},
            {},
            "OIDC token (ARM_USE_AKS_WORKLOAD_IDENTITY, ARM_OIDC_TOKEN)",
            "ARM_CLIENT_ID",
        ),
        ({c.USE_MSI: "true", c.MSI_ENDPOINT: "http://x"}, {}, "managed identity (ARM_USE_MSI, ARM_MSI_ENDPOINT)", ""),
        ({}, {"az": True}, "Azure CLI", ""),
        ({}, {"terminal": True}, "device code", "Microsoft Graph Command Line Tools"),
        (
            {c.PUBLIC_CLIENT_ID: CLIENT},
            {"terminal": True},
            "device code (ENPASS_CONSENT_PUBLIC_CLIENT_ID)",
            "ENPASS_CONSENT_PUBLIC_CLIENT_ID",
        ),
    ],
)
def test_label_names_the_variables_and_the_client_id_source(
    env: dict[str, str], options: dict[str, Any], label: str, source: str
) -> None:
    """What messages may say: the kind, the variables it was read from, where the client id came from."""
    credential = resolve(env, **options)
    assert credential.label == label
    assert credential.client_id_source == source
    assert "fake-" not in credential.describe()


def test_a_client_id_from_the_environment_must_be_a_guid(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"ARM_CLIENT_ID must be an application \(client\) id, a GUID"):
        resolve({c.CLIENT_ID: "graph-cli", c.CLIENT_SECRET: "fake-s"})
    path = tmp_path / "id"
    path.write_text("not-a-guid\n")
    with pytest.raises(ConfigurationError, match="ARM_CLIENT_ID_FILE_PATH must be an application"):
        resolve({c.CLIENT_ID_FILE_PATH: str(path), c.CLIENT_SECRET: "fake-s"})
    # The stack's own client id is checked by the settings parser, not here.
    assert resolve({c.CLIENT_ID: "graph-cli", c.CLIENT_SECRET: "fake-s"}, stack_client_id=STACK_CLIENT).client_id


def test_an_empty_file_is_not_used_and_said(tmp_path: Path) -> None:
    """helpers.go: an empty file gives an empty value, which no authorizer takes; the log says why."""
    empty = tmp_path / "empty"
    empty.write_text("\n")
    credential = resolve({c.CLIENT_ID: CLIENT, c.CLIENT_SECRET_FILE_PATH: str(empty)}, az=True)
    assert credential.kind == "Azure CLI"
    assert f"ARM_CLIENT_SECRET_FILE_PATH names an empty file ({empty}), so it is not used" in credential.describe()
    credential = resolve({c.CLIENT_ID: CLIENT, c.USE_OIDC: "true", c.OIDC_TOKEN_FILE_PATH: str(empty)}, az=True)
    assert "ARM_OIDC_TOKEN_FILE_PATH names an empty file" in credential.describe()


def test_use_cli_true_without_az_is_said() -> None:
    with pytest.raises(ConfigurationError, match="ARM_USE_CLI is true but az is not on PATH"):
        resolve({c.USE_CLI: "true"})


def test_ci_token_service_errors_name_host_and_variables_but_no_query() -> None:
    env = {c.CLIENT_ID: CLIENT, c.USE_OIDC: "true", c.OIDC_REQUEST_URL: "https://ci.invalid:8443/t?sig=fake-q"}
    credential = resolve({**env, c.OIDC_REQUEST_TOKEN: "fake-r"})
    assert isinstance(credential, c.GitHubOidc)
    session = FakeSession(lambda call: response(403))
    with pytest.raises(AuthError) as raised:
        credential.fetch(session)  # type: ignore[arg-type]
    assert str(raised.value) == (
        "GitHub Actions OIDC (ARM_USE_OIDC, ARM_OIDC_REQUEST_URL): the CI token service returned 403 for "
        "ci.invalid:8443/t"
    )


# --- what each credential sends, says and hides (written out by hand) ---


def test_only_confidential_credentials_have_a_client_credential() -> None:
    with pytest.raises(NotImplementedError) as raised:
        resolve({}, az=True).msal_credential(FakeSession(lambda call: response(500)))
    assert str(raised.value) == "Azure CLI has no confidential client credential"


# redact's registry of secrets is global to the test process: a value (even a 6-character prefix) that
# another test registered earlier changes what scrub returns, so these tests use values no other test uses.


def test_every_secret_is_registered_for_scrubbing_when_read(tmp_path: Path) -> None:
    from enpass_consent.graph.redact import scrub

    resolve({c.CLIENT_ID: CLIENT, c.CLIENT_SECRET: "fake-client-secret-6"})
    resolve({c.CLIENT_ID: CLIENT, **OIDC_ON, c.OIDC_TOKEN: "fake-static-oidc-1"})
    resolve({c.CLIENT_ID: CLIENT, **OIDC_ON, **GITHUB_VARIABLES, c.GITHUB_REQUEST_TOKEN: "fake-gh-request-2"})
    resolve({c.CLIENT_ID: CLIENT, **ADO, c.ADO_ACCESS_TOKEN: "fake-ado-access-3"})
    path = tmp_path / "ci.jwt"
    file_credential = token_file_credential(path, "fake-rotated-assertion-4\n")
    assert file_credential.read() == "fake-rotated-assertion-4"
    fetched = resolve({c.CLIENT_ID: CLIENT, **GITHUB})
    assert isinstance(fetched, c.GitHubOidc)
    assert (
        fetched.fetch(FakeSession(lambda call: response(200, {"value": "fake-fetched-jwt-5"}))) == "fake-fetched-jwt-5"
    )
    key, cert = _key_and_cert()
    bundle = pkcs12.serialize_key_and_certificates(b"x", key, cert, None, serialization.NoEncryption())
    material: Any = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE: base64.b64encode(bundle).decode()}).msal_credential(
        FakeSession(lambda call: response(500))
    )
    key_body = material["private_key"].splitlines()[1]
    text = scrub(
        "fake-static-oidc-1 fake-gh-request-2 fake-ado-access-3 fake-rotated-assertion-4 fake-fetched-jwt-5 "
        "fake-client-secret-6 " + material["private_key"]
    )
    for secret in ("fake-static-oidc-1", "fake-gh-request-2", "fake-ado-access-3", "fake-rotated-assertion-4",
                   "fake-fetched-jwt-5", "fake-client-secret-6", key_body):  # fmt: skip
        assert secret not in text


def test_a_pkcs12_bundle_without_a_password_and_its_errors() -> None:
    key, cert = _key_and_cert()
    open_bundle = pkcs12.serialize_key_and_certificates(b"x", key, cert, None, serialization.NoEncryption())
    material: Any = resolve(
        {c.CLIENT_ID: CLIENT, c.CERTIFICATE: base64.b64encode(open_bundle).decode()}
    ).msal_credential(FakeSession(lambda call: response(500)))
    assert material["public_certificate"] == cert.public_bytes(serialization.Encoding.PEM).decode()
    locked = pkcs12.serialize_key_and_certificates(b"x", key, cert, None, serialization.BestAvailableEncryption(b"pw"))
    with pytest.raises(ConfigurationError) as raised:
        resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE: base64.b64encode(locked).decode()}).msal_credential(
            FakeSession(lambda call: response(500))
        )
    assert str(raised.value) == (
        "ARM_CLIENT_CERTIFICATE: not a PKCS#12 (PFX) bundle (set ARM_CLIENT_CERTIFICATE_PASSWORD if it has one)"
    )
    certificate_only = pkcs12.serialize_key_and_certificates(b"x", None, cert, None, serialization.NoEncryption())
    with pytest.raises(ConfigurationError) as raised:
        resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE: base64.b64encode(certificate_only).decode()}).msal_credential(
            FakeSession(lambda call: response(500))
        )
    assert str(raised.value) == "ARM_CLIENT_CERTIFICATE: the PKCS#12 bundle lacks a private key or a certificate"


def test_a_base64_certificate_with_a_character_outside_base64_is_refused() -> None:
    # "MIIB!AAA=" would decode if the "!" were skipped; the variable holds base64 or nothing usable.
    with pytest.raises(ConfigurationError) as raised:
        resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE: "MIIB!AAA="})
    assert str(raised.value) == "ARM_CLIENT_CERTIFICATE: not base64 (it holds a PKCS#12 bundle, base64-encoded)"


def test_an_empty_token_file_at_request_time_is_an_auth_error(tmp_path: Path) -> None:
    path = tmp_path / "ci.jwt"
    credential = token_file_credential(path, "fake-assertion")
    path.write_text(" \n")
    with pytest.raises(AuthError) as raised:
        credential.read()
    assert str(raised.value) == f"ARM_OIDC_TOKEN_FILE_PATH {path} is empty"


def test_the_ci_token_requests_in_full() -> None:
    # Headers as go-azure-sdk's authorizers send them; a query the URL already carries is kept, blank values
    # and encoded spaces included, and a parameter it already has is not added again.
    github = resolve(
        {c.CLIENT_ID: CLIENT, **OIDC_ON, c.GITHUB_REQUEST_URL: "https://ci.invalid/t?a=&b=x%20y&audience=mine",
         c.GITHUB_REQUEST_TOKEN: "fake-r"}
    )  # fmt: skip
    assert isinstance(github, c.GitHubOidc)
    session = FakeSession(lambda call: response(200, {"value": "fake-jwt"}))
    github.fetch(session)
    assert (session.calls[0].method, session.calls[0].url) == ("GET", "https://ci.invalid/t?a=&b=x%20y&audience=mine")
    assert session.calls[0].headers == {"Authorization": "bearer fake-r", "Accept": "application/json"}
    ado = resolve(
        {c.CLIENT_ID: CLIENT, **OIDC_ON, c.ADO_SERVICE_CONNECTION_ID: "svc 1", c.ADO_ACCESS_TOKEN: "fake-a",
         c.ADO_OIDC_REQUEST_URI: "https://ado.invalid/oidc?api-version=7.2-preview"}
    )  # fmt: skip
    assert isinstance(ado, c.AzureDevOpsOidc)
    session = FakeSession(lambda call: response(200, {"oidcToken": "fake-jwt"}))
    ado.fetch(session)
    assert session.calls[0].url == "https://ado.invalid/oidc?api-version=7.2-preview&serviceConnectionId=svc%201"
    assert session.calls[0].headers == {
        "Authorization": "Bearer fake-a",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }


class Raising(FakeSession):
    def __init__(self, error: Exception) -> None:
        super().__init__(lambda call: response(500))
        self.error = error

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        raise self.error


GH_LABEL = "GitHub Actions OIDC (ARM_USE_OIDC, ARM_OIDC_REQUEST_URL)"
ADO_LABEL = "Azure DevOps OIDC (ARM_USE_OIDC, ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, SYSTEM_OIDCREQUESTURI)"


@pytest.mark.parametrize(
    ("url", "session", "error", "message"),
    [
        ("https://ci.invalid/t?sig=fake-q", Raising(requests.ConnectionError("x")), TransportError,
         f"{GH_LABEL}: no answer from ci.invalid/t: ConnectionError"),
        ("ci-token-service/t?sig=fake-q", Raising(requests.exceptions.MissingSchema("x")), TransportError,
         f"{GH_LABEL}: no answer from ci-token-service/t: MissingSchema"),
        ("https://ci.invalid:port/t?sig=fake-q", Raising(ValueError("x")), AuthError,
         f"{GH_LABEL}: cannot use the request URL ci.invalid/t"),
        ("https://ci.invalid/t", FakeSession(lambda call: response(200, raw=b"<html>")), AuthError,
         f"{GH_LABEL}: the CI token service answered with something other than JSON"),
        ("https://ci.invalid/t", FakeSession(lambda call: response(200, ["fake-jwt"])), AuthError,
         f"{GH_LABEL}: the CI token service's answer has no 'value'"),
        ("https://ci.invalid/t", FakeSession(lambda call: response(200, {"value": 12345})), AuthError,
         f"{GH_LABEL}: the CI token service's answer has no 'value'"),
        ("https://ci.invalid/t", FakeSession(lambda call: response(200, {"value": ""})), AuthError,
         f"{GH_LABEL}: the CI token service's answer has no 'value'"),
    ],
)  # fmt: skip
def test_ci_token_service_failures_in_full(
    url: str, session: FakeSession, error: type[Exception], message: str
) -> None:
    credential = resolve({c.CLIENT_ID: CLIENT, **OIDC_ON, c.OIDC_REQUEST_URL: url, c.OIDC_REQUEST_TOKEN: "fake-r"})
    assert isinstance(credential, c.GitHubOidc)
    with pytest.raises(error) as raised:
        credential.fetch(session)
    assert str(raised.value) == message


def test_azure_devops_failures_name_its_variables() -> None:
    credential = resolve({c.CLIENT_ID: CLIENT, **ADO})
    assert isinstance(credential, c.AzureDevOpsOidc)
    with pytest.raises(AuthError) as raised:
        credential.fetch(FakeSession(lambda call: response(401)))
    assert str(raised.value) == f"{ADO_LABEL}: the CI token service returned 401 for ado.invalid/oidctoken"


@pytest.mark.parametrize(
    ("env", "note"),
    [
        ({**OIDC_ON, **TOKEN}, "ARM_USE_OIDC is set but there is no client id (ARM_CLIENT_ID or azuread:clientId), so it is not used"),
        ({**OIDC_ON, c.OIDC_TOKEN_FILE_PATH: "/t"}, "ARM_USE_OIDC is set but there is no client id (ARM_CLIENT_ID or azuread:clientId), so it is not used"),
        ({**OIDC_ON, c.GITHUB_REQUEST_URL: "https://t"}, "ARM_USE_OIDC is set but there is no client id (ARM_CLIENT_ID or azuread:clientId), so it is not used"),
        ({**OIDC_ON}, ""),
        (
            {c.CLIENT_ID: CLIENT, **OIDC_ON, c.GITHUB_REQUEST_URL: "https://t"},
            "ARM_USE_OIDC is true but no assertion is given (neither ARM_OIDC_TOKEN nor ARM_OIDC_TOKEN_FILE_PATH nor a "
            "request URL from ARM_OIDC_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_URL / SYSTEM_OIDCREQUESTURI with one of "
            "ARM_OIDC_REQUEST_TOKEN / ACTIONS_ID_TOKEN_REQUEST_TOKEN / SYSTEM_ACCESSTOKEN); in GitHub Actions give the "
            "job the id-token permission set to write",
        ),
        (
            {c.CLIENT_ID: CLIENT, **OIDC_ON, c.ADO_SERVICE_CONNECTION_ID_ALIAS: "svc-1", c.ADO_ACCESS_TOKEN: "fake-a"},
            "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID is set but Azure DevOps also needs a request URL (ARM_OIDC_REQUEST_URL "
            "/ ACTIONS_ID_TOKEN_REQUEST_URL / SYSTEM_OIDCREQUESTURI) and a token (ARM_OIDC_REQUEST_TOKEN / "
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN / SYSTEM_ACCESSTOKEN): map SYSTEM_ACCESSTOKEN into the step's env",
        ),
    ],
    ids=["token without client id", "token file without client id", "request URL without client id", "switch alone",
         "request URL without its token", "service connection without URL"],
)  # fmt: skip
def test_why_oidc_was_not_used_in_full(env: dict[str, str], note: str) -> None:
    credential = resolve(env, az=True)
    assert credential.kind == "Azure CLI"
    assert credential.note == note


def test_an_oidc_token_file_credential_in_full(tmp_path: Path) -> None:
    path = tmp_path / "ci.jwt"
    credential = token_file_credential(path, "fake-assertion")
    assert (credential.kind, credential.client_id, credential.path) == ("OIDC token file", CLIENT, str(path))
    assert (credential.label, credential.client_id_source) == (
        "OIDC token file (ARM_USE_OIDC, ARM_OIDC_TOKEN_FILE_PATH)",
        "ARM_CLIENT_ID",
    )


@pytest.mark.parametrize(
    ("stdin", "stderr", "kind"),
    [(True, True, "device code"), (True, False, None), (False, True, None), (False, False, None)],
)
def test_a_device_code_needs_both_stdin_and_stderr_on_a_terminal(
    stdin: bool, stderr: bool, kind: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Stream:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.setattr("sys.stdin", Stream(stdin))
    monkeypatch.setattr("sys.stderr", Stream(stderr))
    if kind is None:
        with pytest.raises(ConfigurationError, match="no credentials"):
            c.resolve_credential({}, which=no_az)
    else:
        assert c.resolve_credential({}, which=no_az).kind == kind


# --- what each resolved credential says: its description, where its client id came from ---

NO_CLIENT_ID = "is set but there is no client id (ARM_CLIENT_ID or azuread:clientId), so it is not used"


def _secret_file(tmp_path: Path) -> str:
    path = tmp_path / "client-secret"
    path.write_text("fake-secret-in-a-file\n")
    return str(path)


@pytest.mark.parametrize(
    ("env", "options", "described", "source"),
    [
        ({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: "/x.pfx"}, {}, "client certificate (ARM_CLIENT_CERTIFICATE_PATH)", "ARM_CLIENT_ID"),
        (
            {c.CLIENT_ID: CLIENT, c.CERTIFICATE: "AAAA", c.CERTIFICATE_PASSWORD: "fake-p"},
            {},
            "client certificate (ARM_CLIENT_CERTIFICATE, ARM_CLIENT_CERTIFICATE_PASSWORD)",
            "ARM_CLIENT_ID",
        ),
        ({c.CLIENT_ID: CLIENT, c.CLIENT_SECRET_FILE_PATH: "<secret file>"}, {}, "client secret (ARM_CLIENT_SECRET_FILE_PATH)", "ARM_CLIENT_ID"),
        (
            {c.CERTIFICATE: "AAAA", c.CLIENT_SECRET_FILE_PATH: "<secret file>", **MSI_ON},
            {},
            f"managed identity (ARM_USE_MSI); ARM_CLIENT_CERTIFICATE {NO_CLIENT_ID}; ARM_CLIENT_SECRET_FILE_PATH {NO_CLIENT_ID}",
            "",
        ),
        (
            {c.CLIENT_ID: CLIENT, **TOKEN, **MSI_ON},
            {},
            "managed identity (ARM_USE_MSI); ARM_OIDC_TOKEN is set but ARM_USE_OIDC is not true, so it is not used",
            "ARM_CLIENT_ID",
        ),
        (
            {**TOKEN, c.OIDC_TOKEN_FILE_PATH: "/t", c.OIDC_REQUEST_URL: "https://t", **MSI_ON},
            {},
            "managed identity (ARM_USE_MSI); ARM_OIDC_TOKEN and ARM_OIDC_TOKEN_FILE_PATH and ARM_OIDC_REQUEST_URL are "
            "set but ARM_USE_OIDC is not true, so they are not used",
            "",
        ),
        ({c.CERTIFICATE_PATH: "/x.pfx"}, {"az": True}, f"Azure CLI; ARM_CLIENT_CERTIFICATE_PATH {NO_CLIENT_ID}", ""),
        ({}, {"az": True}, "Azure CLI", ""),
        (
            {**SECRET, c.USE_CLI: "true"},
            {"terminal": True},
            f"device code; ARM_CLIENT_SECRET {NO_CLIENT_ID}; ARM_USE_CLI is true but az is not on PATH",
            "Microsoft Graph Command Line Tools",
        ),
        ({c.CLIENT_ID: CLIENT, c.CLIENT_ID_FILE_PATH: "<id file>", **SECRET}, {}, "client secret (ARM_CLIENT_SECRET)", "ARM_CLIENT_ID"),
        ({c.CLIENT_ID_FILE_PATH: "<id file>", **SECRET}, {}, "client secret (ARM_CLIENT_SECRET)", "ARM_CLIENT_ID_FILE_PATH"),
    ],
    ids=["certificate file", "certificate variable with password", "secret file", "no client id: both noted",
         "one unused oidc variable", "three unused oidc variables", "azure cli with a note", "azure cli alone",
         "notes and az missing before a device code", "client id and its file", "client id file alone"],
)  # fmt: skip
def test_what_a_credential_says_in_full(
    env: dict[str, str], options: dict[str, Any], described: str, source: str, tmp_path: Path
) -> None:
    (tmp_path / "id").write_text(CLIENT + "\n")
    files = {"<secret file>": _secret_file(tmp_path), "<id file>": str(tmp_path / "id")}
    credential = resolve({name: files.get(value, value) for name, value in env.items()}, **options)
    assert credential.describe() == described
    assert credential.client_id_source == source


def test_a_certificate_from_the_variable_names_no_file_and_one_from_a_file_no_bytes() -> None:
    from_variable = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE: "AAAA", c.CERTIFICATE_PATH: "/x.pfx"})
    assert isinstance(from_variable, c.ClientCertificate)
    assert (from_variable.data, from_variable.path) == (b"\x00\x00\x00", "/x.pfx")
    only_variable = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE: "AAAA"})
    assert isinstance(only_variable, c.ClientCertificate)
    assert (only_variable.data, only_variable.path, only_variable.password) == (b"\x00\x00\x00", "", None)
    only_file = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: "/x.pfx", c.CERTIFICATE_PASSWORD: ""})
    assert isinstance(only_file, c.ClientCertificate)
    assert (only_file.data, only_file.path, only_file.password) == (b"", "/x.pfx", None)


def test_the_azure_cli_is_found_on_the_environments_path_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The process's own PATH has an az; the environment the credential is resolved for decides.
    process_bin = tmp_path / "process-bin"
    stack_bin = tmp_path / "stack-bin"
    for folder in (process_bin, stack_bin):
        folder.mkdir()
        (folder / "az").write_text("#!/bin/sh\nexit 0\n")
        (folder / "az").chmod(0o755)
    monkeypatch.setenv("PATH", str(process_bin))
    found = c.resolve_credential({c.PATH: str(stack_bin)}, is_terminal=never_terminal)
    assert isinstance(found, c.AzureCli)
    assert (found.kind, found.executable, found.note) == ("Azure CLI", str(stack_bin / "az"), "")
    for environ in ({}, {c.PATH: ""}, {c.PATH: str(tmp_path / "empty")}):
        assert c.resolve_credential(environ, is_terminal=always_terminal).kind == "device code"


def test_the_azure_cli_found_by_which_is_the_one_used() -> None:
    credential = resolve({}, az=True)
    assert isinstance(credential, c.AzureCli)
    assert credential.executable == "/opt/az/bin/az"


NO_CREDENTIALS_HELP = (
    ": set ARM_CLIENT_ID (or azuread:clientId) with ARM_CLIENT_CERTIFICATE, ARM_CLIENT_CERTIFICATE_PATH or "
    "ARM_CLIENT_SECRET; or ARM_USE_OIDC=true with ARM_OIDC_TOKEN or ARM_OIDC_TOKEN_FILE_PATH, in GitHub Actions "
    "(with the job's id-token permission set to write) or in Azure DevOps (ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, "
    "SYSTEM_ACCESSTOKEN); or ARM_USE_MSI=true on a machine with a managed identity; or install the Azure CLI and "
    "run az login --tenant <tenant id>; or run in a terminal without CI set to sign in with a device code"
)


@pytest.mark.parametrize(
    ("env", "terminal", "message"),
    [
        ({}, False, "no credentials" + NO_CREDENTIALS_HELP),
        ({c.CI: "true"}, True, "no credentials" + NO_CREDENTIALS_HELP),
        (SECRET, False, f"no credentials (ARM_CLIENT_SECRET {NO_CLIENT_ID})" + NO_CREDENTIALS_HELP),
    ],
    ids=["nothing", "CI on a terminal", "a secret without client id"],
)
def test_no_credentials_in_full(env: dict[str, str], terminal: bool, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve(env, terminal=terminal)
    assert str(raised.value) == message


def test_enpass_as_the_public_client_in_full() -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve({c.PUBLIC_CLIENT_ID: catalog.ENPASS_APP_ID}, terminal=True)
    assert str(raised.value) == (
        "ENPASS_CONSENT_PUBLIC_CLIENT_ID must be a public client of your own (or unset for Microsoft Graph Command "
        "Line Tools), never Enpass's application id"
    )


@pytest.mark.parametrize(
    "client_id",
    [
        "aaaaaaaa00004000800000000000000001",
        "zzzzzzzz-0000-4000-8000-000000000001",
        "{aaaaaaaa-0000-4000-8000-00000001}",
    ],
    ids=["32 hex digits without dashes", "36 characters, not hex", "36 characters with braces"],
)
def test_an_environment_client_id_must_be_a_guid_in_the_8_4_4_4_12_form(client_id: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        resolve({c.CLIENT_ID: client_id, **SECRET})
    assert str(raised.value) == f"ARM_CLIENT_ID must be an application (client) id, a GUID (got {client_id!r})"


def test_unreadable_files_name_the_variable_the_file_and_the_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(ConfigurationError) as raised:
        resolve({c.CLIENT_SECRET_FILE_PATH: str(missing)})
    assert str(raised.value) == f"ARM_CLIENT_SECRET_FILE_PATH: cannot read {missing}: FileNotFoundError"
    credential = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: str(missing)})
    with pytest.raises(ConfigurationError) as raised:
        credential.msal_credential(FakeSession(lambda call: response(500)))
    assert str(raised.value) == f"ARM_CLIENT_CERTIFICATE_PATH: cannot read {missing}: FileNotFoundError"


def _pfx_file(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_a_certificate_file_that_is_neither_pem_nor_pkcs12_in_full(tmp_path: Path) -> None:
    path = _pfx_file(tmp_path, "garbage.pfx", b"\x30\x82garbage")
    for password, hint in (
        (None, " (set ARM_CLIENT_CERTIFICATE_PASSWORD if it has one)"),
        ("fake-pfx-pw", " that ARM_CLIENT_CERTIFICATE_PASSWORD opens"),
    ):
        env = {
            c.CLIENT_ID: CLIENT,
            c.CERTIFICATE_PATH: path,
            **({c.CERTIFICATE_PASSWORD: password} if password else {}),
        }
        with pytest.raises(ConfigurationError) as raised:
            resolve(env).msal_credential(FakeSession(lambda call: response(500)))
        assert str(raised.value) == (
            f"ARM_CLIENT_CERTIFICATE_PATH: {path} is neither PEM with a private key and a certificate nor a PKCS#12 "
            f"(PFX) file{hint}"
        )


def test_a_pkcs12_with_a_key_but_no_certificate_is_refused_as_file_and_as_variable(tmp_path: Path) -> None:
    key, _ = _key_and_cert()
    key_only = pkcs12.serialize_key_and_certificates(b"x", key, None, None, serialization.NoEncryption())
    path = _pfx_file(tmp_path, "key-only.pfx", key_only)
    with pytest.raises(ConfigurationError) as raised:
        resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: path}).msal_credential(
            FakeSession(lambda call: response(500))
        )
    assert (
        str(raised.value) == f"ARM_CLIENT_CERTIFICATE_PATH: {path} lacks a private key or a certificate (it needs both)"
    )
    variable = {c.CLIENT_ID: CLIENT, c.CERTIFICATE: base64.b64encode(key_only).decode()}
    with pytest.raises(ConfigurationError) as raised:
        resolve(variable).msal_credential(FakeSession(lambda call: response(500)))
    assert str(raised.value) == "ARM_CLIENT_CERTIFICATE: the PKCS#12 bundle lacks a private key or a certificate"


def _pem(key: rsa.RSAPrivateKey, password: bytes | None = None) -> str:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption).decode()


def _cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize(
    ("head", "bags", "tail"),
    [
        ("\n", False, "-----BEGIN CERTIFICATE-----\nMIIB"),
        ("", True, "-----BEGIN CERTIF"),
        ("\n", True, ""),
    ],
    ids=["blank first line, block without END", "bag attributes, label cut short", "bag attributes, complete"],
)
def test_a_pem_file_as_openssl_writes_it_a_chain_with_bag_attributes_and_a_truncated_tail(
    tmp_path: Path, head: str, bags: bool, tail: str
) -> None:
    # openssl pkcs12 -nodes writes "Bag Attributes" (friendlyName may be UTF-8) before each block; the
    # blocks are taken whole, in the file's order, joined by a newline; an incomplete last block is ignored.
    key, cert = _key_and_cert()
    _, issuer = _key_and_cert()

    def bag(name: str) -> str:
        return f"Bag Attributes\n    friendlyName: {name}\n" if bags else ""

    text = (
        head + bag("Zürich app") + _pem(key) + bag("app") + _cert_pem(cert) + bag("issuer") + _cert_pem(issuer) + tail
    )
    path = tmp_path / "chain.pem"
    path.write_bytes(text.encode("utf-8"))
    material: Any = resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: str(path)}).msal_credential(
        FakeSession(lambda call: response(500))
    )
    assert material == {
        "private_key": _pem(key).strip(),
        "public_certificate": _cert_pem(cert).strip() + "\n" + _cert_pem(issuer).strip(),
    }


def test_an_encrypted_pem_key_is_given_to_msal_with_its_password(tmp_path: Path) -> None:
    key, cert = _key_and_cert()
    path = tmp_path / "app.pem"
    path.write_text(_pem(key, b"fake-pem-pass") + _cert_pem(cert))
    material: Any = resolve(
        {c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: str(path), c.CERTIFICATE_PASSWORD: "fake-pem-pass"}
    ).msal_credential(FakeSession(lambda call: response(500)))
    assert material["passphrase"] == "fake-pem-pass"
    assert material["private_key"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")


def test_secrets_read_from_files_and_a_certificate_password_are_registered_but_a_client_id_is_not(
    tmp_path: Path,
) -> None:
    from enpass_consent.graph.redact import scrub

    client_id = "c1d2e3f4-0000-4000-8000-00000000c11d"  # used nowhere else, so nothing else registered it
    (tmp_path / "id").write_text(client_id)
    (tmp_path / "secret").write_text("fake-secret-file-value-9")
    resolve({c.CLIENT_ID_FILE_PATH: str(tmp_path / "id"), c.CLIENT_SECRET_FILE_PATH: str(tmp_path / "secret")})
    assert scrub(f"{client_id} fake-secret-file-value-9") == f"{client_id} [REDACTED]"
    # Read and registered even when it is not used (here for want of a client id).
    (tmp_path / "unused-secret").write_text("zq-unused-secret-file-value-13")
    assert resolve({c.CLIENT_SECRET_FILE_PATH: str(tmp_path / "unused-secret")}, az=True).kind == "Azure CLI"
    assert scrub("zq-unused-secret-file-value-13") == "[REDACTED]"

    resolve({c.CLIENT_ID: CLIENT, c.CERTIFICATE_PATH: "/x.pfx", c.CERTIFICATE_PASSWORD: "fake-cert-password-10"})
    assert scrub("fake-cert-password-10") == "[REDACTED]"
    # (A private key is registered too, but as a whole PEM block, which scrub's PEM pattern removes anyway.)


def test_a_rotated_token_file_assertion_is_registered_when_read(tmp_path: Path) -> None:
    from enpass_consent.graph.redact import scrub

    path = tmp_path / "ci.jwt"
    credential = token_file_credential(path, "zq-first-assertion-11")
    path.write_text("zq-rotated-assertion-12\n")
    assert scrub("zq-rotated-assertion-12") == "zq-rotated-assertion-12"  # not read yet
    assert credential.read() == "zq-rotated-assertion-12"
    assert scrub("zq-rotated-assertion-12") == "[REDACTED]"
