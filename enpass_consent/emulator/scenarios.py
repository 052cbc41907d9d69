"""Tenant builders for tests and benchmarks.

The JSON they produce copies Microsoft's documented response examples (``doc_examples.py``, each
cited); the ``DOC_*`` constants are re-exported here for convenience.
"""

from __future__ import annotations

import copy

from enpass_consent import service_principal
from enpass_consent.catalog import (
    CONSENT_CAPABLE_ROLES,
    DEFAULT_ACCESS_APP_ROLE_ID,
    ENPASS_APP_ID,
    ENPASS_DISPLAY_NAME,
    ENPASS_REDIRECT_URI,
    ENPASS_SCOPE_NAMES,
    ENTERPRISE_APP_TAG,
    ENTRA_ID_P1_PLANS,
    MICROSOFT_GRAPH_APP_ID,
)
from enpass_consent.emulator.doc_examples import (
    DOC_ADMIN_CONSENT_REQUEST_POLICY,
    DOC_APP_ROLE_ASSIGNED_TO,
    DOC_APP_ROLE_ASSIGNMENT,
    DOC_AUTHORIZATION_POLICY,
    DOC_GRANT,
    DOC_GROUP,
    DOC_SERVICE_PRINCIPAL,
    DOC_SUBSCRIBED_SKU,
    GRAPH_APP_ROLE_IDS,
    GRAPH_SCOPE_IDS,
    SHAREPOINT_ASSIGNED_PLAN,
    SHAREPOINT_PLAN_2_ID,
    graph_app_roles,
    graph_permission_scopes,
)
from enpass_consent.emulator.state import (
    DEPLOYER_CLIENT_ROLES,
    TEST_CLIENT_ID,
    AppRoleAssignment,
    ClientApp,
    DirectoryRoleAssignment,
    Group,
    PermissionGrant,
    RoleEligibility,
    ServicePrincipal,
    Tenant,
    User,
    new_id,
)
from enpass_consent.settings import AssigneeKind, Settings

# The doc examples are re-exported: tests read ``scenarios.DOC_*``.
__all__ = [
    "DOC_ADMIN_CONSENT_REQUEST_POLICY",
    "DOC_APP_ROLE_ASSIGNED_TO",
    "DOC_APP_ROLE_ASSIGNMENT",
    "DOC_AUTHORIZATION_POLICY",
    "DOC_GRANT",
    "DOC_GROUP",
    "DOC_SERVICE_PRINCIPAL",
    "DOC_SUBSCRIBED_SKU",
    "GRAPH_APP_ROLE_IDS",
    "GRAPH_SCOPE_IDS",
    "SHAREPOINT_ASSIGNED_PLAN",
    "SHAREPOINT_PLAN_2_ID",
    "activate_role",
    "add_app_permission",
    "add_entra_id_p1",
    "add_foreign_grant",
    "add_group",
    "add_guest",
    "add_owner",
    "add_scope",
    "add_user",
    "add_user_grant",
    "assign",
    "consent_client",
    "disable_enpass",
    "empty_tenant",
    "enpass_service_principal",
    "enpass_sp",
    "give_directory_role",
    "give_role_through_group",
    "grant_gdap",
    "graph_app_roles",
    "graph_permission_scopes",
    "graph_service_principal",
    "graph_sp",
    "in_sync_tenant",
    "make_role_eligible",
    "remove_enpass",
    "remove_scope",
    "remove_tenant_wide_grant",
    "set_assignment_required",
    "set_scope",
    "set_user_consent",
    "tenant_as_described",
    "tenant_wide_grant",
]


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------
def graph_service_principal(tenant_id: str) -> ServicePrincipal:
    """Microsoft Graph's SP in ``tenant_id`` (its object id differs per tenant)."""
    return ServicePrincipal(
        id=new_id(tenant_id, "microsoft-graph"),
        app_id=MICROSOFT_GRAPH_APP_ID,
        display_name="Microsoft Graph",
        app_owner_organization_id="f8cdef31-a31e-4b4a-93e4-5f571e91255a",  # Microsoft Services' tenant
        app_roles=graph_app_roles(),
        oauth2_permission_scopes=graph_permission_scopes(),
        sign_in_audience=None,
    )


def enpass_service_principal(tenant_id: str, *, account_enabled: bool = True) -> ServicePrincipal:
    """The Enpass SP as consent creates it: multi-tenant app, no app roles, no scopes of its own."""
    return ServicePrincipal(
        id=new_id(tenant_id, "enpass"),
        app_id=ENPASS_APP_ID,
        display_name=ENPASS_DISPLAY_NAME,
        account_enabled=account_enabled,
        app_owner_organization_id=new_id("enpass-publisher-tenant"),  # unpublished: no source names Enpass's tenant
        reply_urls=[ENPASS_REDIRECT_URI],
        tags=[ENTERPRISE_APP_TAG],
    )


def empty_tenant(tenant_id: str, *, client_roles: list[str] | None = None, display_name: str = "Contoso") -> Tenant:
    """A tenant with Microsoft Graph's SP, the policies and SKU of the doc examples, an admin user and the
    default test client; no Enpass SP (what ``SP_MISSING`` looks like)."""
    tenant = Tenant(tenant_id=tenant_id, display_name=display_name)
    tenant.add_sp(graph_service_principal(tenant_id))
    tenant.authorization_policy = copy.deepcopy(DOC_AUTHORIZATION_POLICY)
    tenant.admin_consent_request_policy = copy.deepcopy(DOC_ADMIN_CONSENT_REQUEST_POLICY)
    tenant.subscribed_skus = [copy.deepcopy(DOC_SUBSCRIBED_SKU)]
    admin = tenant.add_user(
        User(
            new_id(tenant_id, "user", "admin"),
            "MOD Administrator",
            f"admin@{tenant_id[:8]}.example.test",
            assigned_plans=[dict(SHAREPOINT_ASSIGNED_PLAN)],
        )
    )
    tenant.signed_in_user_id = admin.id
    client = tenant.add_client(ClientApp(TEST_CLIENT_ID))
    if client_roles is not None:
        client.roles = list(client_roles)
    return tenant


def in_sync_tenant(
    tenant_id: str,
    *,
    scopes: tuple[str, ...] | list[str] = ENPASS_SCOPE_NAMES,
    assignment_required: bool = False,
    client_roles: list[str] | None = None,
) -> Tenant:
    """What the default stack settings describe: the Enpass SP and one AllPrincipals grant with ``scopes``."""
    tenant = empty_tenant(tenant_id, client_roles=client_roles)
    sp = tenant.add_sp(enpass_service_principal(tenant_id))
    sp.app_role_assignment_required = assignment_required
    tenant.add_grant(PermissionGrant(sp.id, graph_sp(tenant).id, " ".join(scopes)))
    return tenant


# --- lookups --------------------------------------------------------------------------------------
def graph_sp(tenant: Tenant) -> ServicePrincipal:
    sp = tenant.sp_by_app_id(MICROSOFT_GRAPH_APP_ID)
    if sp is None:
        raise LookupError("tenant has no Microsoft Graph service principal")
    return sp


def enpass_sp(tenant: Tenant) -> ServicePrincipal:
    sp = tenant.sp_by_app_id(ENPASS_APP_ID)
    if sp is None:
        raise LookupError("tenant has no Enpass service principal")
    return sp


def tenant_wide_grant(tenant: Tenant) -> PermissionGrant | None:
    sp = tenant.sp_by_app_id(ENPASS_APP_ID)
    graph = graph_sp(tenant)
    return next(
        (
            g
            for g in tenant.grants
            if sp and g.client_id == sp.id and g.resource_id == graph.id and g.consent_type == "AllPrincipals"
        ),
        None,
    )


# --- mutators -------------------------------------------------------------------------------------
def add_scope(tenant: Tenant, *names: str) -> PermissionGrant:
    """Add scopes to the tenant-wide grant (e.g. ``Mail.Read`` for ``SCOPE_EXTRA``)."""
    grant = _require_grant(tenant)
    grant.scope = " ".join([*grant.scope.split(), *names])
    return grant


def remove_scope(tenant: Tenant, *names: str) -> PermissionGrant:
    grant = _require_grant(tenant)
    drop = {n.lower() for n in names}
    grant.scope = " ".join(s for s in grant.scope.split() if s.lower() not in drop)
    return grant


def set_scope(tenant: Tenant, scope: str) -> PermissionGrant:
    grant = _require_grant(tenant)
    grant.scope = scope
    return grant


def remove_tenant_wide_grant(tenant: Tenant) -> None:
    grant = _require_grant(tenant)
    tenant.grants.remove(grant)


def _require_grant(tenant: Tenant) -> PermissionGrant:
    grant = tenant_wide_grant(tenant)
    if grant is None:
        raise LookupError("tenant has no tenant-wide Enpass grant")
    return grant


def add_user(
    tenant: Tenant, name: str, *, licensed: bool = True, account_enabled: bool = True, user_id: str | None = None
) -> User:
    slug = "".join(ch for ch in name.lower() if ch.isalnum()) or "user"
    return tenant.add_user(
        User(
            user_id or new_id(tenant.tenant_id, "user", name),
            name,
            f"{slug}@{tenant.tenant_id[:8]}.example.test",
            account_enabled=account_enabled,
            assigned_plans=[dict(SHAREPOINT_ASSIGNED_PLAN)] if licensed else [],
        )
    )


def add_group(
    tenant: Tenant,
    name: str,
    *,
    security: bool = True,
    unified: bool = False,
    members: list[str] | None = None,
    group_id: str | None = None,
) -> Group:
    """A security group (default) or a Microsoft 365 group (``unified=True``: mail-enabled, not security)."""
    kind = "unified" if unified else ("security" if security else "distribution")
    return tenant.add_group(
        Group(
            group_id or new_id(tenant.tenant_id, "group", kind, name),
            name,
            security_enabled=security and not unified,
            mail_enabled=unified or not security,
            group_types=["Unified"] if unified else [],
            member_ids=list(members or []),
        )
    )


def add_user_grant(
    tenant: Tenant, user_id: str, scopes: tuple[str, ...] | list[str] = ("User.Read",)
) -> PermissionGrant:
    """A per-user (``Principal``) grant from Enpass on Microsoft Graph (user consent)."""
    return tenant.add_grant(
        PermissionGrant(enpass_sp(tenant).id, graph_sp(tenant).id, " ".join(scopes), "Principal", user_id)
    )


def add_foreign_grant(
    tenant: Tenant, resource_name: str = "Contoso Line-of-Business API", scope: str = "user_impersonation"
) -> PermissionGrant:
    """A grant from Enpass on another resource SP (created if needed)."""
    resource = tenant.sp_by_app_id(new_id("foreign-app", resource_name)) or tenant.add_sp(
        ServicePrincipal(
            id=new_id(tenant.tenant_id, "foreign-sp", resource_name),
            app_id=new_id("foreign-app", resource_name),
            display_name=resource_name,
            oauth2_permission_scopes=[
                {
                    "adminConsentDescription": "Access the API as the signed-in user.",
                    "adminConsentDisplayName": "Access the API",
                    "id": new_id("foreign-scope", resource_name, scope),
                    "isEnabled": True,
                    "type": "User",
                    "userConsentDescription": "Access the API as you.",
                    "userConsentDisplayName": "Access the API",
                    "value": scope,
                }
            ],
        )
    )
    return tenant.add_grant(PermissionGrant(enpass_sp(tenant).id, resource.id, scope))


def add_app_permission(tenant: Tenant, role: str = "Mail.Read") -> AppRoleAssignment:
    """An application permission of Microsoft Graph granted TO Enpass (``APP_PERMISSION``)."""
    sp, graph = enpass_sp(tenant), graph_sp(tenant)
    assignment = AppRoleAssignment(
        principal_id=sp.id,
        principal_type="ServicePrincipal",
        principal_display_name=sp.display_name,
        resource_id=graph.id,
        resource_display_name=graph.display_name,
        app_role_id=GRAPH_APP_ROLE_IDS[role],
    )
    tenant.app_role_assignments.append(assignment)
    return assignment


def assign(tenant: Tenant, principal: User | Group, app_role_id: str = DEFAULT_ACCESS_APP_ROLE_ID) -> AppRoleAssignment:
    """Assign a user or group to Enpass (appRoleAssignedTo of the Enpass SP)."""
    sp = enpass_sp(tenant)
    assignment = AppRoleAssignment(
        principal_id=principal.id,
        principal_type="User" if isinstance(principal, User) else "Group",
        principal_display_name=principal.display_name,
        resource_id=sp.id,
        resource_display_name=sp.display_name,
        app_role_id=app_role_id,
    )
    tenant.app_role_assignments.append(assignment)
    return assignment


def add_owner(tenant: Tenant, principal: User | ServicePrincipal) -> None:
    """Make a user or service principal an owner of the Enpass SP (as the portal's Owners blade does)."""
    enpass_sp(tenant).owner_ids.append(principal.id)


def set_assignment_required(tenant: Tenant, required: bool = True) -> None:
    enpass_sp(tenant).app_role_assignment_required = required


def disable_enpass(tenant: Tenant) -> None:
    enpass_sp(tenant).account_enabled = False


def remove_enpass(tenant: Tenant) -> None:
    """Delete the Enpass SP with its grants and assignments (what ``SP_MISSING`` looks like)."""
    tenant.remove_sp(enpass_sp(tenant).id)


def set_user_consent(tenant: Tenant, *policies: str) -> None:
    """Replace ``permissionGrantPoliciesAssigned`` (no argument: user consent disabled)."""
    tenant.authorization_policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"] = list(policies)


def _role_template(role_template_id: str | None) -> tuple[str, str]:
    """(template id, display name); default Cloud Application Administrator, from the catalog."""
    if role_template_id is None:
        role_template_id = next(
            r.template_id for r in CONSENT_CAPABLE_ROLES if r.name == "Cloud Application Administrator"
        )
    name = next((r.name for r in CONSENT_CAPABLE_ROLES if r.template_id == role_template_id), "Directory role")
    return role_template_id, name


def give_directory_role(
    tenant: Tenant, principal_id: str, role_template_id: str | None = None, *, assignment_type: str = "Assigned"
) -> DirectoryRoleAssignment:
    """An active directory role for a user, an SP or a role-assignable group (default: Cloud Application
    Administrator, from the catalog).

    Shows in ``roleManagement/directory/roleAssignments`` (under the principal's own id: a group's
    members are not listed there) and, while tenant-wide, in the members' ``/me/memberOf`` (direct) and
    ``/me/transitiveMemberOf`` (also through groups).
    """
    role_template_id, name = _role_template(role_template_id)
    role = tenant.directory_role(role_template_id)
    role.display_name = name
    assignment = DirectoryRoleAssignment(principal_id, role_template_id, assignment_type=assignment_type)
    tenant.directory_role_assignments.append(assignment)
    return assignment


# Microsoft Entra ID P1 as /subscribedSkus lists it: skuPartNumber AAD_PREMIUM, skuId
# 078d2b04-f1bd-4111-bbd4-b4b1b354cef4, service plan AAD_PREMIUM (catalog), per
# https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference; the object's shape
# follows DOC_SUBSCRIBED_SKU (subscribedsku-list.md).
def add_entra_id_p1(tenant: Tenant, *, seats: int = 25) -> None:
    """A Microsoft Entra ID P1 subscription (group assignment needs it)."""
    plan = ENTRA_ID_P1_PLANS[0]
    sku_id = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4"
    tenant.subscribed_skus.append(
        {
            "capabilityStatus": "Enabled",
            "consumedUnits": min(seats, len(tenant.users)),
            "id": f"{tenant.tenant_id}_{sku_id}",
            "prepaidUnits": {"enabled": seats, "suspended": 0, "warning": 0},
            "servicePlans": [
                {
                    "servicePlanId": plan.service_plan_id,
                    "servicePlanName": plan.name,
                    "provisioningStatus": "Success",
                    "appliesTo": "User",
                }
            ],
            "skuId": sku_id,
            "skuPartNumber": "AAD_PREMIUM",
            "appliesTo": "User",
        }
    )


def tenant_as_described(settings: Settings, *, display_name: str = "Contoso") -> Tenant:
    """The tenant exactly as a stack's settings describe it after ``pulumi up``: an audit finds it in sync.

    Groups and users the settings name are created (a group given by name as a security group with
    one licensed member); ids recorded under ``enpass-consent:adopt`` are the objects' ids; the
    stack's ``azuread:clientId`` (or the default test client) signs in with ``TEST_CLIENT_SECRET`` and
    holds ``DEPLOYER_CLIENT_ROLES``. Entra ID P1 is present when groups are assigned.
    """
    tenant_id = settings.tenant_id
    tenant = empty_tenant(tenant_id, client_roles=list(DEPLOYER_CLIENT_ROLES), display_name=display_name)
    if settings.client_id is not None:
        tenant.add_client(ClientApp(settings.client_id, roles=list(DEPLOYER_CLIENT_ROLES)))
    adopted = settings.adopt
    sp = enpass_service_principal(tenant_id, account_enabled=settings.account_enabled)
    if adopted.service_principal_object_id:
        sp.id = adopted.service_principal_object_id
    declared = service_principal.declared(settings)
    sp.app_role_assignment_required = declared.app_role_assignment_required
    sp.notification_email_addresses = list(declared.notification_email_addresses)
    sp.tags, sp.notes = list(declared.tags), declared.notes
    tenant.add_sp(sp)
    graph = graph_sp(tenant)
    scope = " ".join(settings.scopes)
    if settings.tenant_wide_consent:
        tenant.add_grant(PermissionGrant(sp.id, graph.id, scope, id=adopted.grant_id or ""))
    for user_id in settings.consent_user_ids:
        add_user(tenant, f"User {user_id[:8]}", user_id=user_id)
        grant = adopted.user_grant_ids.get(user_id.lower(), "")
        tenant.add_grant(PermissionGrant(sp.id, graph.id, scope, "Principal", user_id, id=grant))
    for assignee in settings.assignees:
        principal: User | Group
        if assignee.kind is AssigneeKind.GROUP:
            member = add_user(tenant, f"Member of {assignee.entry}")
            name = assignee.display_name or f"Group {assignee.entry[:8]}"
            principal = add_group(tenant, name, members=[member.id], group_id=assignee.object_id)
        else:
            user_id = assignee.object_id or assignee.entry
            principal = tenant.users.get(user_id.lower()) or add_user(tenant, f"User {user_id[:8]}", user_id=user_id)
        assignment = assign(tenant, principal)
        if assignee.entry in adopted.assignment_ids:
            assignment.id = adopted.assignment_ids[assignee.entry]
    if settings.groups:
        add_entra_id_p1(tenant)
    return tenant


def give_role_through_group(
    tenant: Tenant, user_id: str, role_template_id: str | None = None, *, group_name: str = "Enpass Admins"
) -> Group:
    """A role-assignable group holding the role, with ``user_id`` as a member (a role through a group)."""
    group = add_group(tenant, group_name, members=[user_id])
    group.is_assignable_to_role = True
    give_directory_role(tenant, group.id, role_template_id)
    return group


def make_role_eligible(tenant: Tenant, principal_id: str, role_template_id: str | None = None) -> RoleEligibility:
    """A PIM eligible assignment only: nothing is active until the person activates it."""
    role_template_id, _ = _role_template(role_template_id)
    eligibility = RoleEligibility(principal_id, role_template_id)
    tenant.role_eligibilities.append(eligibility)
    return eligibility


def activate_role(tenant: Tenant, user_id: str, role_template_id: str | None = None) -> DirectoryRoleAssignment:
    """An eligible assignment the user has activated in PIM (now an active ``Activated`` assignment)."""
    make_role_eligible(tenant, user_id, role_template_id)
    return give_directory_role(tenant, user_id, role_template_id, assignment_type="Activated")


def consent_client(tenant: Tenant, client_id: str, *scopes: str) -> None:
    """Tenant-wide consent of delegated Graph ``scopes`` for a public client (e.g. Graph Command Line Tools)."""
    tenant.consent(client_id, *scopes)


def add_guest(tenant: Tenant, home_user: User, *, home_tenant_id: str) -> User:
    """``home_user`` invited into ``tenant`` (B2B guest): an object of its own, signed in with the home account."""
    slug = home_user.user_principal_name.replace("@", "_")
    return tenant.add_user(
        User(
            new_id(tenant.tenant_id, "guest", home_tenant_id, home_user.id),
            home_user.display_name,
            f"{slug}#EXT#@{tenant.tenant_id[:8]}.example.test",
            user_type="Guest",
            account=home_user.sign_in_name,
        )
    )


def grant_gdap(tenant: Tenant, home_user: User) -> None:
    """``home_user`` (an MSP technician) may sign in to ``tenant`` through GDAP: no object of their own here."""
    tenant.gdap_accounts[home_user.sign_in_name] = home_user.id
