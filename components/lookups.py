"""What the program checks and looks up once, before any resource.

Each guard raises ``pulumi.RunError``: the user sees one message, not a traceback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping

import pulumi
import pulumi_azuread as azuread

from components import tenant_pinning
from enpass_consent import catalog, clouds
from enpass_consent.graph.azure_cli import AzureCliTokenSource
from enpass_consent.graph.credentials import AzureCli, ManagedIdentity
from enpass_consent.graph.errors import ConfigurationError, GraphClientError
from enpass_consent.graph.managed_identity import ManagedIdentityTokenSource, metadata_session
from enpass_consent.settings import GROUPS, SCOPES, Settings


def check_tenant_pinned(settings: Settings) -> None:
    """Fail when the provider would work in another cloud or tenant than the stack's (``tenant_pinning``).

    A managed identity and the Azure CLI in Cloud Shell choose their tenant themselves: the same sign-in is
    asked for a Graph token here, and its tenant must be the stack's.
    """
    config = pulumi.Config("azuread")
    provider_config = {key: value for key in tenant_pinning.PROVIDER_KEYS if (value := config.get(key)) is not None}
    elsewhere = tenant_pinning.other_cloud(settings.cloud, provider_config, os.environ)
    if elsewhere is not None:
        raise pulumi.RunError(elsewhere)
    found = tenant_pinning.unpinned(provider_config, os.environ)
    if found is None:
        return
    try:
        _get_token(found, settings, os.environ)
    except GraphClientError as exc:
        raise pulumi.RunError(
            f"{found.reason}; the token it gives must be for tenant {settings.tenant_id}, and checking that "
            f"failed: {exc}. Sign in with {tenant_pinning.FIXES}, or the Azure CLI outside Cloud Shell "
            f"(az login --tenant {settings.tenant_id})"
        ) from None
    pulumi.log.info(f"{found.kind} signs in to tenant {settings.tenant_id}, the stack's (checked with a Graph token)")


def _get_token(found: tenant_pinning.Unpinned, settings: Settings, environ: Mapping[str, str]) -> None:
    """A Graph token from the same sign-in the provider will use, through the CLI's token sources.

    Both sources raise when the token's tenant is not ``settings.tenant_id``.
    """
    resource = settings.cloud.graph_root
    if found.kind == tenant_pinning.MANAGED_IDENTITY:
        credential = ManagedIdentity(found.kind, client_id=found.client_id, endpoint=found.endpoint)
        with metadata_session(environ.get(clouds.CA_BUNDLE_ENV) or True) as session:
            ManagedIdentityTokenSource(credential, settings.tenant_id, resource, session).get_token()
        return
    executable = shutil.which("az", path=environ.get("PATH", ""))
    if executable is None:
        raise ConfigurationError("az is not on PATH")
    AzureCliTokenSource(AzureCli(found.kind, executable=executable), settings.tenant_id, resource, environ).get_token()


def graph_service_principal_object_id(settings: Settings) -> str:
    """Microsoft Graph's SP object id in this tenant, after checking it offers every configured scope."""
    graph = azuread.get_service_principal(client_id=catalog.MICROSOFT_GRAPH_APP_ID)
    offered = {name.lower() for name in (graph.oauth2_permission_scope_ids or {})}
    missing = [scope for scope in settings.scopes if scope.lower() not in offered]
    if missing:
        raise pulumi.RunError(
            f"{SCOPES}: {', '.join(missing)} is not a delegated scope of Microsoft Graph's service principal "
            f"in tenant {settings.tenant_id}"
        )
    if not graph.object_id:
        raise pulumi.RunError(f"Microsoft Graph has no service principal in tenant {settings.tenant_id}")
    return graph.object_id


def group_object_ids(settings: Settings) -> Mapping[str, str]:
    """Object id of each group given by display name (security groups only), keyed by the entry."""
    resolved: dict[str, str] = {}
    for group in settings.groups:
        if group.display_name is None:
            continue
        try:
            found = azuread.get_group(display_name=group.display_name, security_enabled=True)
        except Exception as exc:  # the provider's message says "not found" or "more than one"
            raise pulumi.RunError(
                f"{GROUPS}: cannot resolve security group {group.entry!r} in tenant {settings.tenant_id}: {exc}"
            ) from None
        resolved[group.entry] = found.object_id
    return resolved
