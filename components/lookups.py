"""What the program checks and looks up once, before any resource.

Each guard raises ``pulumi.RunError``: the user sees one message, not a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import pulumi
import pulumi_azuread as azuread

from components import tenant_pinning
from enpass_consent import catalog
from enpass_consent.settings import GROUPS, SCOPES, Settings


def check_tenant_pinned(settings: Settings, environ: Mapping[str, str] | None = None) -> None:
    """Fail when the provider would request its token for another tenant than the stack's (``tenant_pinning``)."""
    config = pulumi.Config("azuread")
    provider_config = {key: value for key in tenant_pinning.PROVIDER_KEYS if (value := config.get(key)) is not None}
    reason = tenant_pinning.unpinned_reason(
        settings.tenant_id, provider_config, os.environ if environ is None else environ
    )
    if reason is not None:
        raise pulumi.RunError(reason)


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
