"""The program's blocking lookups, done once before any resource (DESIGN §4 "Failing", §7).

Each guard raises ``pulumi.RunError``: the user sees one message, not a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_azuread as azuread

from enpass_consent import catalog
from enpass_consent.settings import GROUPS, SCOPES, TENANT_ID, Settings


def check_signed_in_tenant(settings: Settings) -> None:
    """Fail when the provider's identity is signed in to another tenant than the stack's.

    An Azure CLI sign-in into another customer would otherwise be caught only by the provider's
    own tenant pinning; this names both tenants.
    """
    signed_in = azuread.get_client_config().tenant_id
    if (signed_in or "").lower() != settings.tenant_id:
        raise pulumi.RunError(
            f"{TENANT_ID}: the stack manages tenant {settings.tenant_id}, but the deploying identity is "
            f"signed in to tenant {signed_in!r}; sign in to the stack's tenant (az login --tenant "
            f"{settings.tenant_id}) or fix the stack file"
        )


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
