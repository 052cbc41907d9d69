"""Microsoft Graph v1.0 reads over the emulated tenants, and ``POST /$batch``."""

from __future__ import annotations

import datetime
import json
import random
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from enpass_consent.emulator.audit_events import retained_events
from enpass_consent.emulator.audit_filter import audit_matches, parse_audit_filter
from enpass_consent.emulator.faults import Fault, FaultKind, FaultPlan, retry_after_header
from enpass_consent.emulator.odata import (
    GraphError,
    Json,
    Query,
    apply_select,
    bad_request,
    error_body,
    make_skiptoken,
    matches,
    parse_filter,
    parse_query,
    read_skiptoken,
)
from enpass_consent.emulator.permissions import DIRECTORY_ROLE_READ, ENDPOINTS
from enpass_consent.emulator.records import Kind, Record, Recorder, decode_target
from enpass_consent.emulator.state import DirectoryRole, ServicePrincipal, Tenant
from enpass_consent.emulator.tokens import Identity

MAX_BATCH = 20

# Graph's default page size for the directory collections read here (servicePrincipals, users,
# groups, oauth2PermissionGrants, appRoleAssignedTo): 100, and 999 at most with $top
# (https://learn.microsoft.com/graph/paging, https://learn.microsoft.com/graph/api/user-list
# "$top ... 1 and 999"; https://learn.microsoft.com/graph/api/serviceprincipal-list). Paging
# therefore runs in every test that reads a collection of more than 100 objects.
DEFAULT_PAGE_SIZE = 100

SP_FILTERS = ("appId", "id", "displayName", "accountEnabled", "servicePrincipalType")
GRANT_FILTERS = ("clientId", "consentType", "resourceId", "principalId")
ASSIGNMENT_FILTERS = ("principalId", "resourceId", "appRoleId", "principalType")

# Navigation below one service principal -> the row of permissions.ENDPOINTS it needs ("" = the SP itself).
_SP_ENDPOINTS = {
    "": "servicePrincipals.get",
    "oauth2permissiongrants": "servicePrincipals.oauth2PermissionGrants",
    "approleassignments": "servicePrincipals.appRoleAssignments",
    "approleassignedto": "servicePrincipals.appRoleAssignedTo",
    "owners": "servicePrincipals.owners",
}
_APPID_KEY = re.compile(r"^(?P<set>\w+)\(appId='(?P<app_id>(?:[^']|'')*)'\)$", re.IGNORECASE)


@dataclass
class GraphResponse:
    status: int
    body: Json | str | None
    """A dict is sent as JSON; a str is sent verbatim (malformed-JSON faults)."""
    headers: dict[str, str] = field(default_factory=dict)


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def not_found(what: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{what}' does not exist or one of its queried reference-property objects are not present.",
    )


def graph_fault_response(fault: Fault) -> GraphResponse:
    """A Graph-shaped answer for an injected fault."""
    retry = retry_after_header(fault.retry_after)
    if fault.kind is FaultKind.THROTTLE:
        message = "Too many requests."
        return GraphResponse(429, error_body("TooManyRequests", message), retry)
    if fault.kind is FaultKind.UNAVAILABLE:
        return GraphResponse(503, error_body("serviceNotAvailable", "Service unavailable."), retry)
    if fault.kind is FaultKind.FORBIDDEN:
        body = error_body("Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
        return GraphResponse(403, body)
    if fault.kind is FaultKind.MALFORMED_JSON:
        return GraphResponse(200, '{"value": [{"id": "truncated', {})
    if fault.kind is FaultKind.STATUS:
        return GraphResponse(fault.status, error_body(fault.code or "Error", "Injected fault."))
    if fault.kind is FaultKind.INVALID_CLIENT:
        return GraphResponse(401, error_body("InvalidAuthenticationToken", "Access token validation failure."))
    return GraphResponse(500, error_body("generalException", "An internal server error occurred (injected)."))


class GraphService:
    """Routes Graph GETs for the tenant of a verified token. Reads state, never writes it."""

    def __init__(
        self,
        tenants: dict[str, Tenant],
        faults: FaultPlan,
        recorder: Recorder,
        base_url: Callable[[], str],
    ) -> None:
        self.tenants = tenants
        self.faults = faults
        self.recorder = recorder
        self._base_url = base_url
        self.page_size = DEFAULT_PAGE_SIZE
        self.enforce_permissions = True
        self.batch_order = "shuffle"
        """Order of ``$batch`` responses: ``shuffle`` (deterministic per batch), ``reverse`` or ``request``."""

    @property
    def root(self) -> str:
        return f"{self._base_url()}/v1.0"

    # -------------------------------------------------------------------------------------------
    # entry points
    # -------------------------------------------------------------------------------------------
    def get(self, identity: Identity, path_and_query: str) -> GraphResponse:
        """One GET below ``/v1.0`` (``path_and_query`` starts after ``/v1.0``)."""
        try:
            return self._get(identity, path_and_query)
        except GraphError as error:
            return GraphResponse(error.status, error.body(), error.headers)

    def batch(self, identity: Identity, raw_body: bytes) -> GraphResponse:
        try:
            items = self._parse_batch(raw_body)
        except GraphError as error:
            return GraphResponse(error.status, error.body())
        responses = [self._batch_item(identity, item) for item in items]
        if self.batch_order == "reverse":
            responses.reverse()
        elif self.batch_order == "shuffle":
            random.Random(",".join(str(i["id"]) for i in items)).shuffle(responses)
        return GraphResponse(200, {"responses": responses})

    # -------------------------------------------------------------------------------------------
    # $batch
    # -------------------------------------------------------------------------------------------
    def _parse_batch(self, raw_body: bytes) -> list[Json]:
        try:
            payload = json.loads(raw_body or b"null")
        except ValueError:
            raise bad_request("Invalid batch payload format: the body is not JSON.") from None
        requests = payload.get("requests") if isinstance(payload, dict) else None
        if not isinstance(requests, list) or not requests:
            raise bad_request("Invalid batch payload format: 'requests' must be a non-empty array.")
        if len(requests) > MAX_BATCH:
            raise bad_request(f"Number of batch request steps exceeds the maximum of {MAX_BATCH}.")
        seen: set[str] = set()
        for item in requests:
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "method", "url")):
                raise bad_request("Invalid batch payload format: every request needs string id, method and url.")
            key = item["id"].lower()
            if key in seen:
                raise bad_request(f"Batch request contains duplicate IDs: '{item['id']}'.")
            seen.add(key)
        for item in requests:
            depends = item.get("dependsOn") or []
            if not isinstance(depends, list) or any(str(d).lower() not in seen for d in depends):
                raise bad_request(f"Batch request '{item['id']}' depends on an unknown id.")
            if "body" in item and not any(k.lower() == "content-type" for k in (item.get("headers") or {})):
                raise bad_request(f"Batch request '{item['id']}' has a body but no Content-Type header.")
        return requests

    def _batch_item(self, identity: Identity, item: Json) -> Json:
        item_id, method, url = item["id"], item["method"].upper(), item["url"]
        path_and_query = url if url.startswith("/") else f"/{url}"
        raw_path = f"/v1.0{path_and_query}"
        record_path = decode_target(raw_path)
        if url.lower().startswith(("http://", "https://")) or path_and_query.lower().startswith("/v1.0/"):
            response = GraphResponse(
                400, error_body("BadRequest", f"Batch item url must be relative to the version root: '{url}'.")
            )
        else:
            decision = self.faults.decide(method, record_path, identity.tenant_id, is_item=True)
            if decision.delay:
                time.sleep(decision.delay)
            if decision.fault is not None:
                response = graph_fault_response(decision.fault)
            elif method != "GET":
                response = GraphResponse(405, error_body("MethodNotAllowed", "The emulator serves reads only."))
            else:
                response = self.get(identity, path_and_query)
        self.recorder.add(
            Record(
                method,
                record_path,
                identity.tenant_id,
                response.status,
                Kind.BATCH_ITEM,
                identity.client_id,
                item_id,
                raw_path=raw_path,
            )
        )
        # A str body (malformed-JSON fault) is embedded as a string, which no JSON-object reader accepts.
        headers = {"Content-Type": "application/json", **response.headers}
        out: Json = {"id": item_id, "status": response.status, "headers": headers}
        if response.body is not None:
            out["body"] = response.body
        return out

    # -------------------------------------------------------------------------------------------
    # routing
    # -------------------------------------------------------------------------------------------
    def _get(self, identity: Identity, path_and_query: str) -> GraphResponse:
        tenant = self.tenants.get(identity.tenant_id.lower())
        if tenant is None:
            raise GraphError(401, "InvalidAuthenticationToken", "The tenant of the access token is unknown.")
        split = urlsplit(path_and_query)
        path = unquote(split.path).rstrip("/")
        query = parse_query(parse_qsl(split.query, keep_blank_values=True))
        segments = [s for s in path.split("/") if s]
        if not segments:
            raise not_found(path)
        return _Route(self, tenant, identity, path, segments, query).dispatch()


class _Route:
    """One GET: resolves the segments, checks permissions, applies the query options."""

    def __init__(
        self, service: GraphService, tenant: Tenant, identity: Identity, path: str, segments: list[str], query: Query
    ) -> None:
        self.service = service
        self.tenant = tenant
        self.identity = identity
        self.path = path
        self.segments = segments
        self.query = query

    # --- helpers --------------------------------------------------------------------------------
    def require(self, endpoint: str) -> None:
        """403 unless the token holds a permission ``permissions.ENDPOINTS[endpoint]`` accepts (Learn's table)."""
        if not self.service.enforce_permissions:
            return
        if not ENDPOINTS[endpoint].allows(self._held(), delegated=self.identity.delegated):
            raise GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")

    def _held(self) -> tuple[str, ...]:
        return self.identity.scopes if self.identity.delegated else self.identity.roles

    def no_options(self, *names: str) -> None:
        for name in names:
            if getattr(self.query, name) is not None:
                raise bad_request(f"Query option '${name}' is not supported on '{self.path}'.")

    def entity(self, context: str, item: Json, *, keep_type: bool = False) -> GraphResponse:
        self.no_options("filter", "top", "skiptoken")
        body = apply_select(item, self.query.select, keep_type=keep_type)
        selected = f"({','.join(self.query.select)})" if self.query.select else ""
        return GraphResponse(
            200, {"@odata.context": f"{self.service.root}/$metadata#{context}{selected}/$entity", **body}
        )

    def collection(
        self,
        context: str,
        items: list[Json],
        *,
        filterable: tuple[str, ...] = (),
        keep_type: bool = False,
        filter_required: bool = False,
        filtered: bool = False,
    ) -> GraphResponse:
        """``filtered``: the caller has applied ``$filter`` itself (a grammar of its own)."""
        if self.query.filter is not None and not filtered:
            if not filterable:
                raise bad_request(f"$filter is not supported on '{self.path}'.", code="Request_UnsupportedQuery")
            conditions = parse_filter(self.query.filter, filterable)
            items = [i for i in items if matches(i, conditions)]
        elif filter_required and self.query.filter is None:
            raise bad_request(f"A $filter on one of {', '.join(filterable)} is required on '{self.path}'.")
        items = [apply_select(i, self.query.select, keep_type=keep_type) for i in items]
        size = self.query.top or self.service.page_size
        offset = read_skiptoken(self.path, self.query.skiptoken) if self.query.skiptoken else 0
        page = items[offset : offset + size]
        selected = f"({','.join(self.query.select)})" if self.query.select else ""
        body: Json = {"@odata.context": f"{self.service.root}/$metadata#{context}{selected}", "value": page}
        if offset + size < len(items):
            pairs = [(k, v) for k, v in self.query.pairs if k.lower() != "$skiptoken"]
            pairs.append(("$skiptoken", make_skiptoken(self.path, offset + size)))
            query = urlencode(pairs, quote_via=quote, safe="$',()")
            path = quote(self.path, safe="/$',()=")
            body["@odata.nextLink"] = f"{self.service.root}{path}?{query}"
        return GraphResponse(200, body)

    def service_principal(self, segment: str, rest: list[str]) -> tuple[ServicePrincipal, list[str]]:
        """The SP addressed by ``servicePrincipals(appId='…')`` or ``servicePrincipals/{id}``."""
        keyed = _APPID_KEY.match(segment)
        if keyed:
            app_id = keyed.group("app_id").replace("''", "'")
            sp = self.tenant.sp_by_app_id(app_id)
            if sp is None:
                raise not_found(f"servicePrincipals(appId='{app_id}')")
            return sp, rest
        if not rest:
            raise not_found(self.path)
        object_id = rest[0]
        if not _is_guid(object_id):
            raise bad_request(f"Invalid object identifier '{object_id}'.", code="Request_BadRequest")
        found = self.tenant.sp_by_id(object_id)
        if found is None:
            raise not_found(object_id)
        return found, rest[1:]

    # --- dispatch -------------------------------------------------------------------------------
    def dispatch(self) -> GraphResponse:
        head, rest = self.segments[0], self.segments[1:]
        name = head.split("(", 1)[0].lower()
        handler = {
            "serviceprincipals": self.service_principals,
            "oauth2permissiongrants": self.grants,
            "groups": self.groups,
            "users": self.users,
            "subscribedskus": self.subscribed_skus,
            "policies": self.policies,
            "rolemanagement": self.role_management,
            "me": self.me,
            "organization": self.organization,
            "auditlogs": self.audit_logs,
        }.get(name)
        if handler is None or ("(" in head and name != "serviceprincipals"):
            raise GraphError(400, "BadRequest", f"Resource not found for the segment '{head}'.")
        return handler(head, rest)

    def service_principals(self, head: str, rest: list[str]) -> GraphResponse:
        if "(" not in head and not rest:
            self.require("servicePrincipals.list")
            items = [sp.to_graph() for sp in self.tenant.service_principals.values()]
            return self.collection("servicePrincipals", items, filterable=SP_FILTERS)
        # Graph checks the permission before it looks the object up: a 403 comes before a 404.
        navigation = (rest if _APPID_KEY.match(head) else rest[1:])[:1]
        endpoint = _SP_ENDPOINTS.get(navigation[0].lower() if navigation else "")
        if endpoint is not None:
            self.require(endpoint)
        sp, rest = self.service_principal(head, rest)
        if not rest:
            return self.entity("servicePrincipals", sp.to_graph())
        if len(rest) > 1:
            raise not_found(self.path)
        nav = rest[0].lower()
        if nav == "oauth2permissiongrants":
            grants = [g.to_graph() for g in self.tenant.grants if g.client_id.lower() == sp.id.lower()]
            return self.collection("oauth2PermissionGrants", grants, filterable=GRANT_FILTERS)
        assignments = self.tenant.app_role_assignments
        if nav == "approleassignments":
            items = [a.to_graph() for a in assignments if a.principal_id.lower() == sp.id.lower()]
            return self.collection(
                f"servicePrincipals('{sp.id}')/appRoleAssignments", items, filterable=ASSIGNMENT_FILTERS
            )
        if nav == "approleassignedto":
            items = [a.to_graph() for a in assignments if a.resource_id.lower() == sp.id.lower()]
            return self.collection(
                f"servicePrincipals('{sp.id}')/appRoleAssignedTo", items, filterable=ASSIGNMENT_FILTERS
            )
        if nav == "owners":
            # serviceprincipal-list-owners: users and service principals, typed (directoryObject collection).
            owners = [obj for obj in (self.tenant.directory_object(i) for i in sp.owner_ids) if obj is not None]
            return self.collection("directoryObjects", owners, keep_type=True)
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{rest[0]}'.")

    def grants(self, head: str, rest: list[str]) -> GraphResponse:
        if not rest:
            self.require("oauth2PermissionGrants.list")
            items = [g.to_graph() for g in self.tenant.grants]
            return self.collection("oauth2PermissionGrants", items, filterable=GRANT_FILTERS)
        if len(rest) == 1:
            self.require("oauth2PermissionGrants.get")
            grant = next((g for g in self.tenant.grants if g.id == rest[0]), None)
            if grant is None:
                raise not_found(rest[0])
            return self.entity("oauth2PermissionGrants", grant.to_graph())
        raise not_found(self.path)

    def groups(self, head: str, rest: list[str]) -> GraphResponse:
        if not rest:
            self.require("groups.list")
            items = [g.to_graph() for g in self.tenant.groups.values()]
            filterable = ("displayName", "securityEnabled", "mailEnabled", "id", "mailNickname")
            return self.collection("groups", items, filterable=filterable)
        if not _is_guid(rest[0]):
            raise bad_request(f"Invalid object identifier '{rest[0]}'.", code="Request_BadRequest")
        nav = rest[1].lower() if len(rest) == 2 else ""
        endpoint = {"": "groups.get", "members": "groups.members", "transitivemembers": "groups.transitiveMembers"}
        if len(rest) > 2 or nav not in endpoint:
            raise not_found(self.path)
        self.require(endpoint[nav])
        group = self.tenant.groups.get(rest[0].lower())
        if group is None:
            raise not_found(rest[0])
        if len(rest) == 1:
            return self.entity("groups", group.to_graph())
        if nav in ("members", "transitivemembers"):
            ids = group.member_ids if nav == "members" else self._transitive_members(group.id)
            items = [obj for obj in (self.tenant.directory_object(i) for i in ids) if obj is not None]
            return self.collection("directoryObjects", items, keep_type=True)
        raise not_found(self.path)

    def _transitive_members(self, group_id: str) -> list[str]:
        seen: list[str] = []
        stack = [group_id.lower()]
        visited = set(stack)
        while stack:
            group = self.tenant.groups.get(stack.pop())
            for member in group.member_ids if group else []:
                key = member.lower()
                if key in visited:
                    continue
                visited.add(key)
                seen.append(member)
                if key in self.tenant.groups:
                    stack.append(key)
        return seen

    def users(self, head: str, rest: list[str]) -> GraphResponse:
        if not rest:
            self.require("users.list")
            items = [u.to_graph() for u in self.tenant.users.values()]
            filterable = ("accountEnabled", "id", "userPrincipalName", "displayName", "mail")
            return self.collection("users", items, filterable=filterable)
        self.require("users.get")
        key = rest[0].lower()
        user = self.tenant.users.get(key) or next(
            (u for u in self.tenant.users.values() if u.user_principal_name.lower() == key), None
        )
        if user is None:
            if not _is_guid(rest[0]) and "@" not in rest[0]:
                raise bad_request(f"Invalid object identifier '{rest[0]}'.", code="Request_BadRequest")
            raise not_found(rest[0])
        if len(rest) == 1:
            return self.entity("users", user.to_graph())
        raise not_found(self.path)

    def subscribed_skus(self, head: str, rest: list[str]) -> GraphResponse:
        self.require("subscribedSkus.get" if rest else "subscribedSkus.list")
        if rest:
            sku = next((s for s in self.tenant.subscribed_skus if s.get("id") == rest[0]), None)
            if sku is None or len(rest) > 1:
                raise not_found(rest[0])
            return self.entity("subscribedSkus", dict(sku))
        return self.collection("subscribedSkus", [dict(s) for s in self.tenant.subscribed_skus])

    def policies(self, head: str, rest: list[str]) -> GraphResponse:
        if len(rest) == 1 and rest[0].lower() == "authorizationpolicy":
            self.require("policies.authorizationPolicy")
            return self.entity("policies/authorizationPolicy", dict(self.tenant.authorization_policy))
        if len(rest) == 1 and rest[0].lower() == "adminconsentrequestpolicy":
            self.require("policies.adminConsentRequestPolicy")
            return self.entity("policies/adminConsentRequestPolicy", dict(self.tenant.admin_consent_request_policy))
        raise not_found(self.path)

    def role_management(self, head: str, rest: list[str]) -> GraphResponse:
        lowered = [s.lower() for s in rest]
        if lowered == ["directory", "roleassignments"]:
            self.require("roleManagement.roleAssignments")
            items = [a.to_graph() for a in self.tenant.directory_role_assignments]
            return self.collection(
                "roleManagement/directory/roleAssignments",
                items,
                filterable=("principalId", "roleDefinitionId"),
                filter_required=True,
            )
        if lowered == ["directory", "roleeligibilityscheduleinstances", "filterbycurrentuser(on='principal')"]:
            return self.my_eligible_roles()
        raise not_found(self.path)

    def my_eligible_roles(self) -> GraphResponse:
        """Eligible (PIM) roles of the signed-in user, also those that come through a group (memberType Group)."""
        if not self.identity.delegated or self.identity.user_id is None:
            raise bad_request("filterByCurrentUser is only valid with delegated authentication flow.")
        self.require("roleManagement.myEligibleRoles")
        user_id = self.identity.user_id
        groups = {group.id.lower() for group in self.tenant.groups_of(user_id)}
        items: list[Json] = []
        for eligibility in self.tenant.role_eligibilities:
            principal = eligibility.principal_id.lower()
            if principal == user_id.lower():
                items.append(eligibility.instance_for(user_id, "Direct"))
            elif principal in groups:
                items.append(eligibility.instance_for(user_id, "Group"))
        return self.collection("Collection(unifiedRoleEligibilityScheduleInstance)", items)

    def me(self, head: str, rest: list[str]) -> GraphResponse:
        if not self.identity.delegated or self.identity.user_id is None:
            raise bad_request("/me request is only valid with delegated authentication flow.")
        lowered = tuple(s.lower() for s in rest)
        endpoint = {(): "me.get", ("memberof",): "me.memberOf", ("transitivememberof",): "me.transitiveMemberOf"}
        if lowered not in endpoint:
            raise not_found(self.path)
        self.require(endpoint[lowered])
        user = self.tenant.users.get(self.identity.user_id.lower())
        if user is None:
            # A GDAP technician has no object in the customer's directory: /me resolves to nothing there.
            raise not_found(self.identity.user_id)
        if not lowered:
            return self.entity("users", user.to_graph())
        transitive = lowered == ("transitivememberof",)
        roles = [
            self._membership_role(self.tenant.directory_role(template))
            for template in self.tenant.active_roles_of(user.id, transitive=transitive)
        ]
        if transitive:
            groups = self.tenant.groups_of(user.id)
        else:
            groups = [g for g in self.tenant.groups.values() if user.id in g.member_ids]
        return self.collection("directoryObjects", roles + [g.to_graph() for g in groups], keep_type=True)

    def _membership_role(self, role: DirectoryRole) -> Json:
        """A directoryRole in a membership list; without a permission to read roles, only its type and id."""
        rendered = role.to_graph()
        if self.service.enforce_permissions and not DIRECTORY_ROLE_READ.allows(
            self._held(), delegated=self.identity.delegated
        ):
            rendered = {key: (value if key in ("@odata.type", "id") else None) for key, value in rendered.items()}
        return rendered

    def audit_logs(self, head: str, rest: list[str]) -> GraphResponse:
        """``auditLogs/directoryAudits``: the events the tenant's licence still keeps, newest first."""
        if [segment.lower() for segment in rest] != ["directoryaudits"]:
            raise not_found(self.path)
        self.require("auditLogs.directoryAudits")
        items = retained_events(self.tenant, datetime.datetime.now(datetime.UTC))
        if self.query.filter is not None:
            clauses = parse_audit_filter(self.query.filter)
            items = [item for item in items if audit_matches(item, clauses)]
        return self.collection("auditLogs/directoryAudits", items, filtered=True)

    def organization(self, head: str, rest: list[str]) -> GraphResponse:
        self.require("organization.list")
        if rest:
            raise not_found(self.path)
        org: dict[str, Any] = {"id": self.tenant.tenant_id, "displayName": self.tenant.display_name}
        return self.collection("organization", [org])
