"""Graph reads of preflight, batched: one ``$batch`` round trip, two when groups are given by name.

1. Everything that depends only on the settings: Microsoft Graph's scopes, the configured groups given
   by id and their members, enabled users with their licence plans, the licences (only when groups are
   assigned), both consent policies, (signed-in users only) the reads of the user's effective roles
   (:mod:`.roles`), and
   ``audit.collect``'s reads (the Enpass SP, its grants and assignments, the groups given by name),
   exactly as ``audit`` sends them.
2. Members of the groups given by name, whose object ids step 1 resolved.

A 403 on any read is kept as :class:`~.state.Denied` (a failed permission check, not an error); a 404
where absence is an answer as :class:`~.state.Missing`. Any other failure raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from enpass_consent import catalog
from enpass_consent.audit import collect as audit_collect
from enpass_consent.audit.collect import group_read_id as group_read_id
from enpass_consent.audit.state import TenantState
from enpass_consent.graph.client import BatchRequest, BatchResult, GraphClient
from enpass_consent.graph.errors import PermissionDeniedError
from enpass_consent.preflight import permissions, roles
from enpass_consent.preflight.permissions import Requirement
from enpass_consent.preflight.state import Denied, Found, Missing, Outcome, PreflightState
from enpass_consent.preflight.token_claims import SignedInIdentity
from enpass_consent.settings import Settings

GRAPH_SCOPES = "graphScopes"
USERS = "users"
SUBSCRIBED_SKUS = "subscribedSkus"
AUTHORIZATION_POLICY = "authorizationPolicy"
ADMIN_CONSENT_REQUEST_POLICY = "adminConsentRequestPolicy"

_GROUP_SELECT = "id,displayName,securityEnabled,groupTypes"
# Graph's largest page for directory collections; fewer pages for big tenants.
_PAGE = "$top=999"

# audit.collect's reads (other than the group name filters) -> what a 403 on them means.
_AUDIT_READS: dict[str, Requirement] = {
    audit_collect.SP: permissions.READ_SERVICE_PRINCIPALS,
    audit_collect.GRANTS: permissions.READ_GRANTS,
    audit_collect.APP_PERMISSIONS: permissions.READ_SERVICE_PRINCIPALS,
    audit_collect.ASSIGNED_TO: permissions.READ_SERVICE_PRINCIPALS,
    audit_collect.GRAPH_SP: permissions.READ_SERVICE_PRINCIPALS,
    audit_collect.OWNERS: permissions.READ_SERVICE_PRINCIPALS,
}


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
        # A group given by name is read by audit's name filter, under the same read id.
        if group.object_id is not None:
            url = f"/groups/{group.object_id}?$select={_GROUP_SELECT}"
            reads.append((BatchRequest(group_read_id(index), url), permissions.READ_GROUPS))
            reads.append((_members_request(group.object_id), permissions.READ_GROUPS))
    if settings.groups:
        reads.append((BatchRequest(SUBSCRIBED_SKUS, "/subscribedSkus"), permissions.READ_SUBSCRIBED_SKUS))
    if identity.delegated and identity.user_object_id:
        reads.extend(roles.requests_for(identity.user_object_id))
    return reads + _audit_reads(settings)


def _audit_reads(settings: Settings) -> list[tuple[BatchRequest, Requirement]]:
    named = audit_collect.named_groups(settings)
    return [
        (request, permissions.READ_GROUPS if request.id in named else _AUDIT_READS[request.id])
        for request in audit_collect.requests_for(settings)
    ]


def _members_request(group_object_id: str) -> BatchRequest:
    return BatchRequest(members_read_id(group_object_id), f"/groups/{group_object_id}/members?$select=id&{_PAGE}")


def collect(client: GraphClient, settings: Settings, identity: SignedInIdentity) -> PreflightState:
    """Read the tenant. Raises ``GraphClientError`` for anything but a 403 or an expected 404."""
    first = first_round(settings, identity)
    results = client.batch(request for request, _ in first)
    reads = _outcomes(results, first)
    enpass = _enpass(settings, results, reads)
    group_ids = _group_object_ids(settings, results, reads)

    named = [
        ids[0]
        for group in settings.groups
        if group.object_id is None and len(ids := group_ids.get(group.entry, ())) == 1
    ]
    if named:
        second = [(_members_request(i), permissions.READ_GROUPS) for i in named]
        reads.update(_outcomes(client.batch(request for request, _ in second), second))
    return PreflightState(identity=identity, reads=reads, enpass=enpass, group_object_ids=group_ids)


def _outcomes(results: Mapping[str, BatchResult], reads: list[tuple[BatchRequest, Requirement]]) -> dict[str, Outcome]:
    return {request.id: _outcome(results[request.id], requirement) for request, requirement in reads}


def _outcome(result: BatchResult, requirement: Requirement) -> Outcome:
    if result.status == 403:
        return Denied(requirement)
    if result.status == 404:
        return Missing()
    return Found(result.json_object())


def _enpass(
    settings: Settings, results: Mapping[str, BatchResult], reads: Mapping[str, Outcome]
) -> TenantState | Denied:
    """Audit's view of the tenant, or the permission its first refused read needs.

    ``state_from`` decides whether a refused read matters (none does when Enpass has no SP yet).
    """
    try:
        return audit_collect.state_from(results, settings)
    except PermissionDeniedError:
        outcomes = (reads[request.id] for request in audit_collect.requests_for(settings))
        first = next((outcome for outcome in outcomes if isinstance(outcome, Denied)), None)
        if first is None:
            raise
        return first


def _group_object_ids(
    settings: Settings, results: Mapping[str, BatchResult], reads: Mapping[str, Outcome]
) -> dict[str, tuple[str, ...]]:
    """Object ids per ``groups`` entry: the group itself when it exists, or every security group of that name."""
    resolved: dict[str, tuple[str, ...]] = {}
    for index, group in enumerate(settings.groups):
        read_id = group_read_id(index)
        if not isinstance(reads.get(read_id), Found):
            resolved[group.entry] = ()
        elif group.object_id is not None:
            resolved[group.entry] = (group.object_id,)
        else:
            resolved[group.entry] = audit_collect.matching_group_ids(results[read_id])
    return resolved
