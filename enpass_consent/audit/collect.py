"""Graph reads of one tenant: every read in one ``$batch`` (3 round trips per tenant: discovery, token, batch).

The Enpass SP is addressed by its app id (``servicePrincipals(appId='…')/…``) so its grants,
assignments and owners can be read in the same batch as the SP itself, without first learning its
object id (https://learn.microsoft.com/graph/api/serviceprincipal-get and the list pages of each
navigation document the ``(appId='…')`` form). ``$expand`` is not used: owners are their own read
(https://learn.microsoft.com/graph/api/serviceprincipal-list-owners).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from enpass_consent import catalog
from enpass_consent.audit.state import AppRoleAssignment, Grant, ServicePrincipal, TenantState
from enpass_consent.graph.client import BatchRequest, BatchResult, GraphClient
from enpass_consent.graph.errors import BadResponseError
from enpass_consent.settings import Assignee, Settings

_ENPASS = f"/servicePrincipals(appId='{catalog.ENPASS_APP_ID}')"
# Every property `pulumi up` sets on an existing SP (enpass_consent.service_principal), so adopt and
# preflight can show its current value (https://learn.microsoft.com/graph/api/resources/serviceprincipal).
_SP_SELECT = (
    "id,appId,accountEnabled,appRoleAssignmentRequired,tags,notes,notificationEmailAddresses,"
    "description,loginUrl,preferredSingleSignOnMode,alternativeNames"
)

SP = "sp"
GRANTS = "grants"
APP_PERMISSIONS = "appPermissions"
ASSIGNED_TO = "assignedTo"
GRAPH_SP = "graphSp"
OWNERS = "owners"


def odata_string(value: str) -> str:
    """An OData string literal: single quotes doubled (``Bob's`` -> ``'Bob''s'``)."""
    return "'" + value.replace("'", "''") + "'"


def group_filter_url(display_name: str) -> str:
    query = f"displayName eq {odata_string(display_name)} and securityEnabled eq true"
    return f"/groups?$filter={quote(query, safe='')}&$select=id,displayName"


def group_read_id(index: int) -> str:
    """The read of the ``index``-th ``groups`` entry (counting every entry, so ids stay apart from the other reads')."""
    return f"group:{index}"


def named_groups(settings: Settings) -> dict[str, Assignee]:
    """The ``groups`` entries given by display name, keyed by the id of their name filter's read."""
    return {
        group_read_id(index): group for index, group in enumerate(settings.groups) if group.display_name is not None
    }


def requests_for(settings: Settings) -> list[BatchRequest]:
    requests = [
        BatchRequest(SP, f"{_ENPASS}?$select={_SP_SELECT}"),
        BatchRequest(GRANTS, f"{_ENPASS}/oauth2PermissionGrants"),
        BatchRequest(APP_PERMISSIONS, f"{_ENPASS}/appRoleAssignments"),
        BatchRequest(ASSIGNED_TO, f"{_ENPASS}/appRoleAssignedTo"),
        BatchRequest(OWNERS, f"{_ENPASS}/owners?$select=id,displayName"),
        # appRoles: an APP_PERMISSION on Microsoft Graph is named (Mail.Read), in the same batch.
        BatchRequest(GRAPH_SP, f"/servicePrincipals(appId='{catalog.MICROSOFT_GRAPH_APP_ID}')?$select=id,appRoles"),
    ]
    for read_id, group in named_groups(settings).items():
        requests.append(BatchRequest(read_id, group_filter_url(group.display_name or "")))
    return requests


def collect(client: GraphClient, settings: Settings) -> TenantState:
    """Read the tenant. Raises ``GraphClientError`` subclasses (the tenant is then ``error``)."""
    return state_from(client.batch(requests_for(settings)), settings)


def state_from(results: Mapping[str, BatchResult], settings: Settings) -> TenantState:
    """The tenant state in the answers to :func:`requests_for`. Raises ``GraphClientError`` for a failed read."""
    sp_result = results[SP]
    if sp_result.status == 404:
        return TenantState(service_principal=None)
    sp = ServicePrincipal.from_graph(sp_result.json_object(), _values(results[OWNERS]))
    group_matches = {
        group.entry: matching_group_ids(results[read_id]) for read_id, group in named_groups(settings).items()
    }
    graph_body = results[GRAPH_SP].json_object()
    return TenantState(
        service_principal=sp,
        graph_service_principal_id=str(graph_body.get("id") or "") or None,
        graph_app_role_names=app_role_names(graph_body),
        grants=tuple(Grant.from_graph(item) for item in _values(results[GRANTS])),
        app_permissions=tuple(AppRoleAssignment.from_graph(item) for item in _values(results[APP_PERMISSIONS])),
        assigned_to=tuple(AppRoleAssignment.from_graph(item) for item in _values(results[ASSIGNED_TO])),
        group_matches=group_matches,
    )


def app_role_names(service_principal: Mapping[str, Any]) -> dict[str, str]:
    """App role id (lower case) -> its ``value``, the permission's name (``Mail.Read``), of one SP.

    ``value`` is what the ``roles`` claim carries (https://learn.microsoft.com/graph/api/resources/approle);
    a role without one, or an answer of another shape, is left out: the finding then shows the id alone.
    """
    roles = service_principal.get("appRoles")
    if not isinstance(roles, list):
        return {}
    return {
        str(role["id"]).lower(): role["value"]
        for role in roles
        if isinstance(role, Mapping) and role.get("id") and isinstance(role.get("value"), str) and role["value"]
    }


def matching_group_ids(result: BatchResult) -> tuple[str, ...]:
    """Object ids (lower case) of the security groups a name filter of :func:`requests_for` found."""
    return tuple(str(item["id"]).lower() for item in _values(result))


def _values(result: BatchResult) -> list[Mapping[str, Any]]:
    value = result.json_object().get("value")
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise BadResponseError(f"batch item {result.id}: expected a 'value' list")
    return value
