"""Will the azuread provider act in the stack's tenant? A guard that a real mistake can trip.

The provider passes ``azuread:tenantId`` to every authorizer of go-azure-sdk and tries them in this
order: client certificate, client secret, OIDC (a token, Azure DevOps, GitHub), managed identity,
Azure CLI (terraform-provider-azuread v3.9.0 ``internal/provider/provider.go`` ``providerConfigure``;
its vendored go-azure-sdk ``sdk/auth/auth.go`` ``NewAuthorizerFromCredentials``). The certificate,
secret and OIDC authorizers get their tokens from that tenant, and the Azure CLI one runs
``az account get-access-token --tenant <tenantId>`` (``sdk/auth/azure_cli_authorizer.go``), except:

- **managed identity** (``azuread:useMsi`` / ``ARM_USE_MSI``): the authorizer is given no tenant, so the
  token is for the identity's own tenant (the provider's own description of ``tenant_id``: "Works with all
  authentication methods except Managed Identity");
- **Azure CLI in Azure Cloud Shell** (``AZUREPS_HOST_ENVIRONMENT`` starting with ``cloud-shell/``):
  ``--tenant`` is left out (``sdk/auth/azure_cli_authorizer.go``), so the token is for whichever tenant az
  is signed in to.

An Azure CLI signed in as a managed identity (``az login --identity``) is given ``--tenant`` and refuses it
("Tenant shouldn't be specified for managed identity account", Azure/azure-cli
``src/azure-cli-core/azure/cli/core/_profile.py`` ``Profile.get_raw_token``): the provider fails to sign
in, it never acts in another tenant, so that case needs no guard.

``get_client_config().tenant_id`` reports the configured tenant in every case
(``internal/clients/builder.go``, ``internal/services/serviceprincipals/client_config_data_source.go``),
so comparing it with the stack can never fail. This module instead tells the two cases above from the
same configuration and environment the provider reads, and the program then asks that same sign-in for
a Graph token and compares the token's tenant with the stack's (``components/lookups.py``): a managed
identity of the stack's own tenant, or a Cloud Shell signed in to it, is fine; anything else stops the
run before any lookup or resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from enpass_consent import clouds
from enpass_consent.clouds import Cloud
from enpass_consent.graph.azure_cli import CLOUD_SHELL_VARIABLE, in_cloud_shell

# Provider setting (Pulumi config key) -> the environment variables the provider falls back to
# (provider.go, each argument's DefaultFunc).
CLIENT_ID = ("clientId", "ARM_CLIENT_ID")
CLIENT_ID_FILE = ("clientIdFilePath", "ARM_CLIENT_ID_FILE_PATH")
CLIENT_CERTIFICATE = ("clientCertificate", "ARM_CLIENT_CERTIFICATE")
CLIENT_CERTIFICATE_PATH = ("clientCertificatePath", "ARM_CLIENT_CERTIFICATE_PATH")
CLIENT_SECRET = ("clientSecret", "ARM_CLIENT_SECRET")
CLIENT_SECRET_FILE = ("clientSecretFilePath", "ARM_CLIENT_SECRET_FILE_PATH")
USE_OIDC = ("useOidc", "ARM_USE_OIDC")
USE_AKS_WORKLOAD_IDENTITY = ("useAksWorkloadIdentity", "ARM_USE_AKS_WORKLOAD_IDENTITY")
OIDC_TOKEN = ("oidcToken", "ARM_OIDC_TOKEN")
OIDC_TOKEN_FILE = ("oidcTokenFilePath", "ARM_OIDC_TOKEN_FILE_PATH")
OIDC_REQUEST_URL = ("oidcRequestUrl", "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL", "SYSTEM_OIDCREQUESTURI")
OIDC_REQUEST_TOKEN = (
    "oidcRequestToken",
    "ARM_OIDC_REQUEST_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "SYSTEM_ACCESSTOKEN",
)
USE_MSI = ("useMsi", "ARM_USE_MSI")
MSI_ENDPOINT = ("msiEndpoint", "ARM_MSI_ENDPOINT")
ENVIRONMENT = ("environment", "ARM_ENVIRONMENT")
# ARM_METADATA_HOSTNAME: terraform-provider-azuread's documented variable for metadata_host (provider
# arguments reference); pulumi-azuread's own config reads only azuread:metadataHost.
METADATA_HOST = ("metadataHost", "ARM_METADATA_HOSTNAME")
USE_CLI = ("useCli", "ARM_USE_CLI")

PROVIDER_KEYS = tuple(
    setting[0]
    for setting in (
        CLIENT_ID,
        CLIENT_ID_FILE,
        CLIENT_CERTIFICATE,
        CLIENT_CERTIFICATE_PATH,
        CLIENT_SECRET,
        CLIENT_SECRET_FILE,
        USE_OIDC,
        USE_AKS_WORKLOAD_IDENTITY,
        OIDC_TOKEN,
        OIDC_TOKEN_FILE,
        OIDC_REQUEST_URL,
        OIDC_REQUEST_TOKEN,
        USE_MSI,
        MSI_ENDPOINT,
        USE_CLI,
        ENVIRONMENT,
        METADATA_HOST,
    )
)
"""The ``azuread:`` settings the guard reads (the program passes their values in)."""

# strconv.ParseBool, which the provider's boolean settings go through.
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})


def _source(
    setting: tuple[str, ...], provider_config: Mapping[str, str], environ: Mapping[str, str]
) -> tuple[str, str] | None:
    """(where it is set, its value): the stack's setting wins over the environment, as in the provider."""
    key, *variables = setting
    if provider_config.get(key, "").strip():
        return f"azuread:{key}", provider_config[key].strip()
    for variable in variables:
        if environ.get(variable, "").strip():
            return variable, environ[variable].strip()
    return None


def other_cloud(cloud: Cloud, provider_config: Mapping[str, str], environ: Mapping[str, str]) -> str | None:
    """Why the provider would work in another cloud than the stack's settings name, or None.

    The settings parser checks ``azuread:environment`` in the stack file; the provider also takes
    ``ARM_ENVIRONMENT`` when the stack does not set it, and a metadata host replaces the environment
    altogether (pulumi-azuread 6.11.1 ``sdk/python/pulumi_azuread/config/vars.py``: ``environment`` falls
    back to ``ARM_ENVIRONMENT`` and is "Not used ... when ``metadata_host`` is specified"). The CLI would
    audit one cloud while ``pulumi up`` changes another.
    """
    metadata_host = _source(METADATA_HOST, provider_config, environ)
    if metadata_host is not None:
        return (
            f"{metadata_host[0]}: a metadata host makes the azuread provider discover its cloud there instead of "
            f"using azuread:environment; Enpass exists only in the {cloud.name} cloud, remove it"
        )
    environment = _source(ENVIRONMENT, provider_config, environ)
    if environment is not None and clouds.lookup(environment[1]) != cloud:
        return (
            f"{environment[0]}={environment[1]}: the azuread provider would work in that cloud while the stack's "
            f"settings name the {cloud.name} cloud; unset it or set azuread:environment in the stack file"
        )
    return None


MANAGED_IDENTITY = "managed identity"
AZURE_CLI_IN_CLOUD_SHELL = "Azure CLI in Cloud Shell"
FIXES = (
    "OIDC federation (ARM_USE_OIDC=true with ARM_CLIENT_ID; a user-assigned managed identity can be federated), "
    "a client certificate or secret with ARM_CLIENT_ID"
)
"""Sign-ins that always request the token for ``azuread:tenantId``, for messages."""


@dataclass(frozen=True)
class Unpinned:
    """A sign-in whose token is for a tenant the provider does not choose: it must be checked before use."""

    kind: str
    """``MANAGED_IDENTITY`` or ``AZURE_CLI_IN_CLOUD_SHELL``."""
    reason: str
    """Which setting makes it so, and the provider source that says why."""
    client_id: str | None = None
    """The user-assigned identity's client id (``azuread:clientId``/``ARM_CLIENT_ID``), managed identity only."""
    endpoint: str | None = None
    """``azuread:msiEndpoint``/``ARM_MSI_ENDPOINT``, managed identity only."""


def unpinned(provider_config: Mapping[str, str], environ: Mapping[str, str]) -> Unpinned | None:
    """The sign-in whose token may not be for ``azuread:tenantId``, or None when it will be (as far as can be told).

    ``provider_config``: the stack's ``azuread:`` settings without the namespace (``useMsi`` -> ``"true"``).
    """

    def source(setting: tuple[str, ...]) -> tuple[str, str] | None:
        return _source(setting, provider_config, environ)

    def is_set(*settings: tuple[str, ...]) -> bool:
        return any(source(setting) is not None for setting in settings)

    def is_true(setting: tuple[str, ...]) -> bool:
        found = source(setting)
        return found is not None and found[1] in _TRUE

    client_id = is_set(CLIENT_ID, CLIENT_ID_FILE)
    oidc = (is_true(USE_OIDC) or is_true(USE_AKS_WORKLOAD_IDENTITY)) and (
        is_set(OIDC_TOKEN, OIDC_TOKEN_FILE) or (is_set(OIDC_REQUEST_URL) and is_set(OIDC_REQUEST_TOKEN))
    )
    if client_id and (is_set(CLIENT_CERTIFICATE, CLIENT_CERTIFICATE_PATH, CLIENT_SECRET, CLIENT_SECRET_FILE) or oidc):
        return None  # an app credential comes first, and it signs in to the configured tenant
    msi = source(USE_MSI)
    if msi is not None and msi[1] in _TRUE:
        client = source(CLIENT_ID)
        endpoint = source(MSI_ENDPOINT)
        return Unpinned(
            MANAGED_IDENTITY,
            f"{msi[0]}: the azuread provider's managed-identity token is for the identity's own tenant, whatever "
            "azuread:tenantId says (go-azure-sdk sdk/auth/auth.go gives the managed identity authorizer no tenant)",
            client_id=client[1] if client else None,
            endpoint=endpoint[1] if endpoint else None,
        )
    cli = source(USE_CLI)
    cli_enabled = cli is None or cli[1] in _TRUE
    if cli_enabled and in_cloud_shell(environ):
        return Unpinned(
            AZURE_CLI_IN_CLOUD_SHELL,
            f"{CLOUD_SHELL_VARIABLE}={environ[CLOUD_SHELL_VARIABLE]}: in Azure Cloud Shell the azuread provider asks "
            "the Azure CLI for its token without --tenant (go-azure-sdk sdk/auth/azure_cli_authorizer.go), so it "
            "acts in the tenant az is signed in to",
        )
    return None
