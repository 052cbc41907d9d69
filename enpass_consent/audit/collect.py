"""Graph reads of one tenant: every read in one ``$batch`` (DESIGN §5 and §7: 3 round trips per tenant).

The Enpass SP is addressed by its app id (``servicePrincipals(appId='…')/…``) so its grants and
assignments can be read in the same batch as the SP itself, without first learning its object id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from enpass_consent import catalog
from enpass_consent.audit.state import AppRoleAssignment, Grant, ServicePrincipal, TenantState
from enpass_consent.graph.client import BatchRequest, BatchResult, GraphClient
from enpass_consent.graph.errors import (
    BadResponseError,
    GraphRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnauthorizedError,
)
from enpass_consent.settings import Settings

_ENPASS = f"/servicePrincipals(appId='{catalog.ENPASS_APP_ID}')"
_SP_SELECT = "id,appId,accountEnabled,appRoleAssignmentRequired"

SP = "sp"
GRANTS = "grants"
APP_PERMISSIONS = "appPermissions"
ASSIGNED_TO = "assignedTo"
GRAPH_SP = "graphSp"


def odata_string(value: str) -> str:
    """An OData string literal: single quotes doubled (``Bob's`` -> ``'Bob''s'``)."""
    return "'" + value.replace("'", "''") + "'"


def group_filter_url(display_name: str) -> str:
    query = f"displayName eq {odata_string(display_name)} and securityEnabled eq true"
    return f"/groups?$filter={quote(query, safe='')}&$select=id,displayName"


def requests_for(settings: Settings) -> list[BatchRequest]:
    requests = [
        BatchRequest(SP, f"{_ENPASS}?$select={_SP_SELECT}"),
        BatchRequest(GRANTS, f"{_ENPASS}/oauth2PermissionGrants"),
        BatchRequest(APP_PERMISSIONS, f"{_ENPASS}/appRoleAssignments"),
        BatchRequest(ASSIGNED_TO, f"{_ENPASS}/appRoleAssignedTo"),
        BatchRequest(GRAPH_SP, f"/servicePrincipals(appId='{catalog.MICROSOFT_GRAPH_APP_ID}')?$select=id"),
    ]
    for index, group in enumerate(g for g in settings.groups if g.display_name is not None):
        requests.append(BatchRequest(f"group{index}", group_filter_url(group.display_name or "")))
    return requests


def collect(client: GraphClient, settings: Settings) -> TenantState:
    """Read the tenant. Raises ``GraphClientError`` subclasses (the tenant is then ``error``)."""
    requests = requests_for(settings)
    results = client.batch(requests)
    sp_result = results[SP]
    if sp_result.status == 404:
        return TenantState(service_principal=None)
    sp = ServicePrincipal.from_graph(_body(sp_result))
    named_groups = [g for g in settings.groups if g.display_name is not None]
    group_matches = {
        group.entry: tuple(str(item["id"]) for item in _values(results[f"group{index}"]))
        for index, group in enumerate(named_groups)
    }
    graph_body = _body(results[GRAPH_SP])
    return TenantState(
        service_principal=sp,
        graph_service_principal_id=str(graph_body.get("id") or "") or None,
        grants=tuple(Grant.from_graph(item) for item in _values(results[GRANTS])),
        app_permissions=tuple(AppRoleAssignment.from_graph(item) for item in _values(results[APP_PERMISSIONS])),
        assigned_to=tuple(AppRoleAssignment.from_graph(item) for item in _values(results[ASSIGNED_TO])),
        group_matches=group_matches,
    )


def _body(result: BatchResult) -> Mapping[str, Any]:
    if not result.ok:
        raise item_error(result)
    if not isinstance(result.body, Mapping):
        raise BadResponseError(f"batch item {result.id}: expected a JSON object")
    return result.body


_ITEM_ERRORS: dict[int, type[GraphRequestError]] = {
    401: UnauthorizedError,
    403: PermissionDeniedError,
    404: NotFoundError,
}


def item_error(result: BatchResult) -> GraphRequestError:
    """The typed error for a failed batch item (a 403 is a PermissionDeniedError, as for a whole request)."""
    error = result.body.get("error") if isinstance(result.body, Mapping) else None
    error = error if isinstance(error, Mapping) else {}
    return _ITEM_ERRORS.get(result.status, GraphRequestError)(
        result.status,
        code=str(error.get("code") or "") or None,
        message=str(error.get("message") or "") or None,
        path=f"$batch item {result.id}",
    )


def _values(result: BatchResult) -> list[Mapping[str, Any]]:
    value = _body(result).get("value")
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise BadResponseError(f"batch item {result.id}: expected a 'value' list")
    return value
