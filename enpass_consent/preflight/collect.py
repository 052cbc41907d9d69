"""Graph reads of preflight, batched: two ``$batch`` round trips, three when groups are given by name.

1. Everything that depends only on the settings: Microsoft Graph's scopes, the configured groups (by
   id, or the name filter) and the members of those given by id, enabled users with their licence
   plans, the licences (only when groups are assigned), both consent policies, and (signed-in users
   only) the user's directory role assignments.
2. ``audit.collect``: the Enpass SP, its grants and assignments, exactly as ``audit`` reads them.
3. Members of the groups given by name, whose object ids step 1 resolved.

A 403 on any read is kept as :class:`~.state.Denied` (a failed permission check, not an error); a 404
where absence is an answer as :class:`~.state.Missing`. Any other failure raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from enpass_consent import catalog
from enpass_consent.audit import collect as audit_collect
from enpass_consent.audit.state import TenantState
from enpass_consent.graph.client import BatchRequest, BatchResult, GraphClient
from enpass_consent.graph.errors import BadResponseError, PermissionDeniedError
from enpass_consent.preflight import permissions
from enpass_consent.preflight.permissions import Requirement
from enpass_consent.preflight.state import Denied, Found, Missing, Outcome, PreflightState
from enpass_consent.preflight.token_claims import SignedInIdentity
from enpass_consent.settings import Settings

GRAPH_SCOPES = "graphScopes"
USERS = "users"
SUBSCRIBED_SKUS = "subscribedSkus"
AUTHORIZATION_POLICY = "authorizationPolicy"
ADMIN_CONSENT_REQUEST_POLICY = "adminConsentRequestPolicy"
ROLE_ASSIGNMENTS = "roleAssignments"

_GROUP_SELECT = "id,displayName,securityEnabled,groupTypes"
# Graph's largest page for directory collections; fewer pages for big tenants.
_PAGE = "$top=999"

# audit.collect's batch item ids -> what a 403 on them means.
_AUDIT_READS: dict[str, Requirement] = {
    audit_collect.SP: permissions.READ_SERVICE_PRINCIPALS,
    audit_collect.GRANTS: permissions.READ_GRANTS,
    audit_collect.APP_PERMISSIONS: permissions.READ_SERVICE_PRINCIPALS,
    audit_collect.ASSIGNED_TO: permissions.READ_SERVICE_PRINCIPALS,
    audit_collect.GRAPH_SP: permissions.READ_SERVICE_PRINCIPALS,
}


def group_read_id(index: int) -> str:
    """The read of the ``index``-th ``groups`` entry (the group itself, or the name filter)."""
    return f"group:{index}"


def members_read_id(group_object_id: str) -> str:
    return f"members:{group_object_id.lower()}"


def _filter(expression: str) -> str:
    return "$filter=" + quote(expression, safe="")


def first_round(settings: Settings, identity: SignedInIdentity) -> list[tuple[BatchRequest, Requirement]]:
    """The reads that depend only on the settings, each with the permission a 403 means is missing."""
    reads = [
        (
            BatchRequest(
                GRAPH_SCOPES,
                f"/servicePrincipals(appId='{catalog.MICROSOFT_GRAPH_APP_ID}')?$select=id,oauth2PermissionScopes",
            ),
            permissions.READ_SERVICE_PRINCIPALS,
        ),
        (
            BatchRequest(
                USERS, f"/users?{_filter('accountEnabled eq true')}&$select=id,assignedPlans,userType&{_PAGE}"
            ),
            permissions.READ_USERS,
        ),
        (BatchRequest(AUTHORIZATION_POLICY, "/policies/authorizationPolicy"), permissions.READ_POLICIES),
        (BatchRequest(ADMIN_CONSENT_REQUEST_POLICY, "/policies/adminConsentRequestPolicy"), permissions.READ_POLICIES),
    ]
    for index, group in enumerate(settings.groups):
        if group.object_id is not None:
            url = f"/groups/{group.object_id}?$select={_GROUP_SELECT}"
            reads.append((BatchRequest(group_read_id(index), url), permissions.READ_GROUPS))
            reads.append((_members_request(group.object_id), permissions.READ_GROUPS))
        else:
            name = audit_collect.odata_string(group.display_name or "")
            url = f"/groups?{_filter(f'displayName eq {name} and securityEnabled eq true')}&$select={_GROUP_SELECT}"
            reads.append((BatchRequest(group_read_id(index), url), permissions.READ_GROUPS))
    if settings.groups:
        reads.append((BatchRequest(SUBSCRIBED_SKUS, "/subscribedSkus"), permissions.READ_SUBSCRIBED_SKUS))
    if identity.delegated and identity.user_object_id:
        url = (
            f"/roleManagement/directory/roleAssignments?{_filter(f'principalId eq {_quoted(identity.user_object_id)}')}"
        )
        reads.append((BatchRequest(ROLE_ASSIGNMENTS, url), permissions.READ_ROLE_ASSIGNMENTS))
    return reads


def _quoted(value: str) -> str:
    return audit_collect.odata_string(value)


def _members_request(group_object_id: str) -> BatchRequest:
    return BatchRequest(members_read_id(group_object_id), f"/groups/{group_object_id}/members?$select=id&{_PAGE}")


def collect(client: GraphClient, settings: Settings, identity: SignedInIdentity) -> PreflightState:
    """Read the tenant. Raises ``GraphClientError`` for anything but a 403 or an expected 404."""
    first = first_round(settings, identity)
    reads = _outcomes(client, first)
    group_ids = _group_object_ids(settings, reads)

    enpass: TenantState | Denied
    try:
        enpass = audit_collect.collect(client, settings)
    except PermissionDeniedError as exc:
        item = exc.path.removeprefix("$batch item ")
        enpass = Denied(_AUDIT_READS.get(item, permissions.READ_GROUPS))

    named = [
        ids[0]
        for index, group in enumerate(settings.groups)
        if group.object_id is None and len(ids := group_ids.get(group.entry, ())) == 1
    ]
    if named:
        reads.update(_outcomes(client, [(_members_request(i), permissions.READ_GROUPS) for i in named]))
    return PreflightState(identity=identity, reads=reads, enpass=enpass, group_object_ids=group_ids)


def _outcomes(client: GraphClient, reads: list[tuple[BatchRequest, Requirement]]) -> dict[str, Outcome]:
    results = client.batch(request for request, _ in reads)
    return {request.id: _outcome(results[request.id], requirement) for request, requirement in reads}


def _outcome(result: BatchResult, requirement: Requirement) -> Outcome:
    if result.status == 403:
        return Denied(requirement)
    if result.status == 404:
        return Missing()
    if not result.ok:
        raise audit_collect.item_error(result)
    if not isinstance(result.body, Mapping):
        raise BadResponseError(f"batch item {result.id}: expected a JSON object")
    return Found(result.body)


def _group_object_ids(settings: Settings, reads: Mapping[str, Outcome]) -> dict[str, tuple[str, ...]]:
    """Object ids per ``groups`` entry: the group itself when it exists, or every security group of that name."""
    resolved: dict[str, tuple[str, ...]] = {}
    for index, group in enumerate(settings.groups):
        outcome = reads.get(group_read_id(index))
        if not isinstance(outcome, Found):
            resolved[group.entry] = ()
        elif group.object_id is not None:
            resolved[group.entry] = (group.object_id,)
        else:
            resolved[group.entry] = tuple(str(item.get("id", "")).lower() for item in outcome.values)
    return resolved
