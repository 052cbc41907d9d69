"""Which provider configurations request a token for another tenant than the stack's."""

from __future__ import annotations

import pytest

from components.tenant_pinning import AZURE_CLI_IN_CLOUD_SHELL, MANAGED_IDENTITY, other_cloud, unpinned
from enpass_consent import clouds

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "c1e17000-0000-4000-8000-00000000c11e"
CLOUD_SHELL = {"AZUREPS_HOST_ENVIRONMENT": "cloud-shell/1.0"}
MSI = "the azuread provider's managed-identity token is for the identity's own tenant"
SHELL = "in Azure Cloud Shell the azuread provider asks the Azure CLI for its token without --tenant"

# (id, stack's azuread: settings, environment, None when pinned / (where, what) when not)
CASES: list[tuple[str, dict[str, str], dict[str, str], tuple[str, str] | None]] = [
    ("nothing set: Azure CLI with --tenant", {}, {}, None),
    ("client secret", {}, {"ARM_CLIENT_ID": CLIENT, "ARM_CLIENT_SECRET": "fake"}, None),
    ("certificate path in the stack", {"clientId": CLIENT, "clientCertificatePath": "/x.pfx"}, {}, None),
    (
        "GitHub OIDC",
        {},
        {
            "ARM_USE_OIDC": "true",
            "ARM_CLIENT_ID": CLIENT,
            "ACTIONS_ID_TOKEN_REQUEST_URL": "https://t",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "fake",
        },
        None,
    ),
    ("msi", {}, {"ARM_USE_MSI": "true"}, ("ARM_USE_MSI", MSI)),
    ("msi as 1 (strconv.ParseBool)", {}, {"ARM_USE_MSI": "1"}, ("ARM_USE_MSI", MSI)),
    ("msi not a boolean", {}, {"ARM_USE_MSI": "yes"}, None),
    ("user-assigned msi in the stack", {"useMsi": "true", "clientId": CLIENT}, {}, ("azuread:useMsi", MSI)),
    ("the stack's useMsi wins over the environment", {"useMsi": "false"}, {"ARM_USE_MSI": "true"}, None),
    (
        "msi after an app credential is never used",
        {},
        {"ARM_USE_MSI": "true", "ARM_CLIENT_ID": CLIENT, "ARM_CLIENT_SECRET": "fake"},
        None,
    ),
    (
        "OIDC switched on without a token falls through to msi",
        {},
        {"ARM_USE_OIDC": "true", "ARM_CLIENT_ID": CLIENT, "ARM_USE_MSI": "true"},
        ("ARM_USE_MSI", MSI),
    ),
    (
        "a secret without a client id falls through to msi",
        {},
        {"ARM_CLIENT_SECRET": "x", "ARM_USE_MSI": "true"},
        ("ARM_USE_MSI", MSI),
    ),
    ("azure cli in cloud shell", {}, CLOUD_SHELL, ("AZUREPS_HOST_ENVIRONMENT=cloud-shell/1.0", SHELL)),
    ("cloud shell with the Azure CLI switched off", {"useCli": "false"}, CLOUD_SHELL, None),
    ("cloud shell with a client secret", {}, {**CLOUD_SHELL, "ARM_CLIENT_ID": CLIENT, "ARM_CLIENT_SECRET": "x"}, None),
    ("another host environment", {}, {"AZUREPS_HOST_ENVIRONMENT": "vscode/1.0"}, None),
    # Every way of giving the client id and the app credential counts (provider.go), each on its own.
    (
        "client id from a file in the stack",
        {"clientIdFilePath": "/id", "clientSecret": "fake", "useMsi": "true"},
        {},
        None,
    ),
    (
        "client id from a file in the environment",
        {},
        {"ARM_CLIENT_ID_FILE_PATH": "/id", "ARM_CLIENT_SECRET": "fake", "ARM_USE_MSI": "true"},
        None,
    ),
    (
        "base64 certificate",
        {},
        {"ARM_CLIENT_ID": CLIENT, "ARM_CLIENT_CERTIFICATE": "MII=", "ARM_USE_MSI": "true"},
        None,
    ),
    (
        "certificate path",
        {},
        {"ARM_CLIENT_ID": CLIENT, "ARM_CLIENT_CERTIFICATE_PATH": "/c.pfx", "ARM_USE_MSI": "1"},
        None,
    ),
    ("secret from a file", {}, {"ARM_CLIENT_ID": CLIENT, "ARM_CLIENT_SECRET_FILE_PATH": "/s", **CLOUD_SHELL}, None),
    (
        "OIDC token from a file",
        {},
        {"ARM_USE_OIDC": "true", "ARM_CLIENT_ID": CLIENT, "ARM_OIDC_TOKEN_FILE_PATH": "/t", **CLOUD_SHELL},
        None,
    ),
    (
        "AKS workload identity with its token file",
        {"useAksWorkloadIdentity": "true", "clientId": CLIENT, "oidcTokenFilePath": "/t"},
        {"ARM_USE_MSI": "true"},
        None,
    ),
    (
        "OIDC request URL without its token is no credential",
        {},
        {
            "ARM_USE_OIDC": "true",
            "ARM_CLIENT_ID": CLIENT,
            "ACTIONS_ID_TOKEN_REQUEST_URL": "https://t",
            "ARM_USE_MSI": "true",
        },
        ("ARM_USE_MSI", MSI),
    ),
    (
        "OIDC request token without its URL is no credential",
        {},
        {"ARM_USE_OIDC": "true", "ARM_CLIENT_ID": CLIENT, "SYSTEM_ACCESSTOKEN": "fake", **CLOUD_SHELL},
        ("AZUREPS_HOST_ENVIRONMENT=cloud-shell/1.0", SHELL),
    ),
    (
        "an OIDC token without ARM_USE_OIDC is no credential",
        {},
        {"ARM_CLIENT_ID": CLIENT, "ARM_OIDC_TOKEN": "fake", "ARM_USE_MSI": "true"},
        ("ARM_USE_MSI", MSI),
    ),
]


@pytest.mark.parametrize(("config", "environ", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_unpinned(config: dict[str, str], environ: dict[str, str], expected: tuple[str, str] | None) -> None:
    found = unpinned(config, environ)
    if expected is None:
        assert found is None
        return
    assert found is not None
    where, what = expected
    assert found.reason.startswith(f"{where}: {what}")
    assert found.kind == (MANAGED_IDENTITY if what == MSI else AZURE_CLI_IN_CLOUD_SHELL)


@pytest.mark.parametrize(
    ("config", "environ", "client_id", "endpoint"),
    [
        ({}, {"ARM_USE_MSI": "true"}, None, None),
        (
            {},
            {"ARM_USE_MSI": "true", "ARM_CLIENT_ID": CLIENT, "ARM_MSI_ENDPOINT": "https://msi/x"},
            CLIENT,
            "https://msi/x",
        ),
        (
            {"useMsi": "true", "clientId": CLIENT, "msiEndpoint": "https://stack/x"},
            {"ARM_CLIENT_ID": "c1e17000-0000-4000-8000-0000000000ff", "ARM_MSI_ENDPOINT": "https://env/x"},
            CLIENT,
            "https://stack/x",
        ),
    ],
    ids=["system-assigned", "user-assigned from the environment", "the stack's settings win"],
)
def test_the_managed_identity_the_provider_would_use(
    config: dict[str, str], environ: dict[str, str], client_id: str | None, endpoint: str | None
) -> None:
    found = unpinned(config, environ)
    assert found is not None
    assert (found.client_id, found.endpoint) == (client_id, endpoint)


# (id, stack's azuread: settings, environment, where the message starts, or None when the cloud is the stack's)
CLOUD_CASES: list[tuple[str, dict[str, str], dict[str, str], str | None]] = [
    ("nothing set", {}, {}, None),
    ("ARM_ENVIRONMENT naming the global cloud", {}, {"ARM_ENVIRONMENT": "public"}, None),
    ("ARM_ENVIRONMENT naming another cloud", {}, {"ARM_ENVIRONMENT": "usgovernment"}, "ARM_ENVIRONMENT=usgovernment"),
    ("ARM_ENVIRONMENT unknown", {}, {"ARM_ENVIRONMENT": "mars"}, "ARM_ENVIRONMENT=mars"),
    ("the stack's environment wins", {"environment": "global"}, {"ARM_ENVIRONMENT": "china"}, None),
    ("a metadata host in the stack", {"metadataHost": "login.microsoftonline.us"}, {}, "azuread:metadataHost"),
    ("a metadata host in the environment", {}, {"ARM_METADATA_HOSTNAME": "h.example"}, "ARM_METADATA_HOSTNAME"),
    ("empty variables are unset", {}, {"ARM_METADATA_HOSTNAME": " ", "ARM_ENVIRONMENT": ""}, None),
]


@pytest.mark.parametrize(("config", "environ", "where"), [c[1:] for c in CLOUD_CASES], ids=[c[0] for c in CLOUD_CASES])
def test_other_cloud(config: dict[str, str], environ: dict[str, str], where: str | None) -> None:
    reason = other_cloud(clouds.GLOBAL, config, environ)
    if where is None:
        assert reason is None
    else:
        assert reason is not None and reason.startswith(f"{where}: ")


def test_the_whole_reasons() -> None:
    msi = unpinned({}, {"ARM_USE_MSI": "true"})
    assert msi is not None and msi.reason == (
        "ARM_USE_MSI: the azuread provider's managed-identity token is for the identity's own tenant, whatever "
        "azuread:tenantId says (go-azure-sdk sdk/auth/auth.go gives the managed identity authorizer no tenant)"
    )
    shell = unpinned({}, CLOUD_SHELL)
    assert shell is not None and shell.reason == (
        "AZUREPS_HOST_ENVIRONMENT=cloud-shell/1.0: in Azure Cloud Shell the azuread provider asks the Azure CLI "
        "for its token without --tenant (go-azure-sdk sdk/auth/azure_cli_authorizer.go), so it acts in the "
        "tenant az is signed in to"
    )
