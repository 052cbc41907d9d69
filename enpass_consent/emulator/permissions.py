"""Which Microsoft Graph permissions each emulated endpoint accepts: the one table, with its sources.

Every row copies the permission table of the endpoint's Microsoft Learn API page (v1.0): the
"Least privileged" and "Higher privileged" columns together, application and delegated (work or
school account) kept apart. A token holding none of a row's permissions (app ``roles`` for app-only
tokens, ``scp`` for delegated ones) gets 403 ``Authorization_RequestDenied``, as Graph answers; so a
permission that this project's docs recommend but Graph would refuse fails a test.

Not modelled: a delegated call is also limited by the signed-in user's own directory role (Graph
intersects both); only the scopes are checked here. ``Directory.AccessAsUser.All`` is accepted
only where a page lists it.

Engineers adding an endpoint add its row here and the README's table, which a test keeps equal to
this one. A row whose page asks for two permissions together ("AuditLog.Read.All and Directory.Read.All")
names the second in ``together_with``: the token must hold it as well.
"""

from __future__ import annotations

from dataclasses import dataclass

_API = "https://learn.microsoft.com/graph/api/"


@dataclass(frozen=True)
class EndpointPermissions:
    """What one Graph endpoint accepts. An empty tuple means the permission type is not supported."""

    endpoint: str
    """How the README names it: method and path template."""
    application: tuple[str, ...]
    delegated: tuple[str, ...]
    source: str
    """The Microsoft Learn page whose permission table the row copies."""
    together_with: tuple[str, ...] = ()
    """Permissions the page requires in addition (all of them), for both permission types."""

    def allows(self, held: tuple[str, ...] | list[str], *, delegated: bool) -> bool:
        accepted = {permission.lower() for permission in (self.delegated if delegated else self.application)}
        holding = {permission.lower() for permission in held}
        return bool(accepted & holding) and all(p.lower() in holding for p in self.together_with)


def _row(
    endpoint: str,
    page: str,
    application: tuple[str, ...],
    delegated: tuple[str, ...],
    together_with: tuple[str, ...] = (),
) -> EndpointPermissions:
    return EndpointPermissions(endpoint, application, delegated, _API + page, together_with)


_SP_READ_DELEGATED = (
    "Application.Read.All",
    "Application.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
)
_GRANT_READ = ("Directory.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All")
_USER_READ_APP = ("User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All")
_USER_READ_DELEGATED = ("User.ReadBasic.All", *_USER_READ_APP)
_GROUP_READ = (
    "GroupMember.Read.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
)
_SKU_READ = (
    "LicenseAssignment.Read.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Organization.Read.All",
    "Organization.ReadWrite.All",
)
_POLICY_READ = ("Policy.Read.All", "Policy.ReadWrite.Authorization")
_ROLE_ASSIGNMENT_READ = (
    "RoleManagement.Read.Directory",
    "RoleManagement.Read.All",
    "Directory.Read.All",
    "RoleManagement.ReadWrite.Directory",
    "Directory.ReadWrite.All",
)
_ELIGIBILITY_READ = (
    "RoleEligibilitySchedule.Read.Directory",
    "RoleEligibilitySchedule.ReadWrite.Directory",
    "RoleManagement.Read.All",
    "RoleManagement.Read.Directory",
    "RoleManagement.ReadWrite.Directory",
)
# "Permissions for the signed-in user's memberships" (application permissions are not supported on /me).
_MY_MEMBERSHIPS = (
    "User.Read",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "Group.Read.All",
    "GroupMember.Read.All",
    "User.Read.All",
)

ENDPOINTS: dict[str, EndpointPermissions] = {
    "servicePrincipals.list": _row(
        "GET /servicePrincipals",
        "serviceprincipal-list",
        ("Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.Read.All"),
        _SP_READ_DELEGATED,
    ),
    "servicePrincipals.get": _row(
        "GET /servicePrincipals/{id}, /servicePrincipals(appId='{appId}')",
        "serviceprincipal-get",
        ("Application.Read.All", "Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.Read.All"),
        _SP_READ_DELEGATED,
    ),
    "servicePrincipals.oauth2PermissionGrants": _row(
        "GET /servicePrincipals/{id}/oauth2PermissionGrants",
        "serviceprincipal-list-oauth2permissiongrants",
        _GRANT_READ,
        _GRANT_READ,
    ),
    "servicePrincipals.appRoleAssignments": _row(
        "GET /servicePrincipals/{id}/appRoleAssignments",
        "serviceprincipal-list-approleassignments",
        (
            "Application.Read.All",
            "Application.ReadWrite.All",
            "Application.ReadWrite.OwnedBy",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ),
        _SP_READ_DELEGATED,
    ),
    "servicePrincipals.appRoleAssignedTo": _row(
        "GET /servicePrincipals/{id}/appRoleAssignedTo",
        "serviceprincipal-list-approleassignedto",
        (
            "Application.Read.All",
            "Application.ReadWrite.OwnedBy",
            "Directory.Read.All",
            "Application.ReadWrite.All",
            "Directory.ReadWrite.All",
        ),
        _SP_READ_DELEGATED,
    ),
    "servicePrincipals.owners": _row(
        "GET /servicePrincipals/{id}/owners",
        "serviceprincipal-list-owners",
        (
            "Application.Read.All",
            "Application.ReadWrite.All",
            "Application.ReadWrite.OwnedBy",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ),
        _SP_READ_DELEGATED,
    ),
    "oauth2PermissionGrants.list": _row(
        "GET /oauth2PermissionGrants", "oauth2permissiongrant-list", _GRANT_READ, _GRANT_READ
    ),
    "oauth2PermissionGrants.get": _row(
        "GET /oauth2PermissionGrants/{id}", "oauth2permissiongrant-get", _GRANT_READ, _GRANT_READ
    ),
    "groups.list": _row("GET /groups", "group-list", _GROUP_READ, _GROUP_READ),
    "groups.get": _row("GET /groups/{id}", "group-get", _GROUP_READ, _GROUP_READ),
    "groups.members": _row(
        "GET /groups/{id}/members",
        "group-list-members",
        (
            "GroupMember.Read.All",
            "Directory.Read.All",
            "Group.Read.All",
            "Group.ReadWrite.All",
            "GroupMember.ReadWrite.All",
        ),
        (
            "GroupMember.Read.All",
            "Directory.Read.All",
            "Group.Read.All",
            "Group.ReadWrite.All",
            "GroupMember.ReadWrite.All",
        ),
    ),
    "groups.transitiveMembers": _row(
        "GET /groups/{id}/transitiveMembers",
        "group-list-transitivemembers",
        (
            "GroupMember.ReadBasic.All",
            "Directory.Read.All",
            "Group.Read.All",
            "Group.ReadBasic.All",
            "Group.ReadWrite.All",
            "GroupMember.Read.All",
            "GroupMember.ReadWrite.All",
        ),
        (
            "GroupMember.ReadBasic.All",
            "Directory.Read.All",
            "Group.Read.All",
            "Group.ReadBasic.All",
            "Group.ReadWrite.All",
            "GroupMember.Read.All",
            "GroupMember.ReadWrite.All",
        ),
    ),
    "users.list": _row("GET /users", "user-list", _USER_READ_APP, _USER_READ_DELEGATED),
    "users.get": _row("GET /users/{id or userPrincipalName}", "user-get", _USER_READ_APP, _USER_READ_DELEGATED),
    "subscribedSkus.list": _row("GET /subscribedSkus", "subscribedsku-list", _SKU_READ, _SKU_READ),
    "subscribedSkus.get": _row("GET /subscribedSkus/{id}", "subscribedsku-get", _SKU_READ, _SKU_READ),
    "policies.authorizationPolicy": _row(
        "GET /policies/authorizationPolicy", "authorizationpolicy-get", _POLICY_READ, _POLICY_READ
    ),
    "policies.adminConsentRequestPolicy": _row(
        "GET /policies/adminConsentRequestPolicy",
        "adminconsentrequestpolicy-get",
        ("Policy.Read.All", "Policy.ReadWrite.ConsentRequest", "Directory.Read.All", "Directory.ReadWrite.All"),
        ("Policy.Read.All", "Policy.ReadWrite.ConsentRequest", "Directory.Read.All", "Directory.ReadWrite.All"),
    ),
    "roleManagement.roleAssignments": _row(
        "GET /roleManagement/directory/roleAssignments",
        "rbacapplication-list-roleassignments",
        _ROLE_ASSIGNMENT_READ,
        _ROLE_ASSIGNMENT_READ,
    ),
    # A function of the signed-in user: the page lists application permissions too, but an app-only token
    # has no current user, so it gets 400 here like /me.
    "roleManagement.myEligibleRoles": _row(
        "GET /roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
        "unifiedroleeligibilityscheduleinstance-filterbycurrentuser",
        (),
        _ELIGIBILITY_READ,
    ),
    "me.get": _row(
        "GET /me",
        "user-get",
        (),
        (
            "User.Read",
            "User.ReadWrite",
            "User.ReadBasic.All",
            "User.Read.All",
            "User.ReadWrite.All",
            "Directory.Read.All",
            "Directory.ReadWrite.All",
        ),
    ),
    "me.memberOf": _row("GET /me/memberOf", "user-list-memberof", (), _MY_MEMBERSHIPS),
    "me.transitiveMemberOf": _row("GET /me/transitiveMemberOf", "user-list-transitivememberof", (), _MY_MEMBERSHIPS),
    # "AuditLog.Read.All and Directory.Read.All", delegated and application; no higher privileged ones.
    "auditLogs.directoryAudits": _row(
        "GET /auditLogs/directoryAudits",
        "directoryaudit-list",
        ("AuditLog.Read.All",),
        ("AuditLog.Read.All",),
        together_with=("Directory.Read.All",),
    ),
    "organization.list": _row(
        "GET /organization",
        "organization-list",
        ("Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All", "Directory.ReadWrite.All"),
        (
            "User.Read",
            "Organization.Read.All",
            "Directory.Read.All",
            "Organization.ReadWrite.All",
            "Directory.ReadWrite.All",
        ),
    ),
}

# Reading a directoryRole's properties (displayName, roleTemplateId) inside a membership list needs a
# permission for that type; without one, Graph returns only its @odata.type and id ("Limited information
# returned for inaccessible member objects", user-list-transitivememberof).
DIRECTORY_ROLE_READ = _row(
    "GET /directoryRoles/{id}",
    "directoryrole-get",
    (
        "RoleManagement.Read.Directory",
        "Directory.Read.All",
        "RoleManagement.ReadWrite.Directory",
        "Directory.ReadWrite.All",
    ),
    (
        "RoleManagement.Read.Directory",
        "Directory.Read.All",
        "RoleManagement.ReadWrite.Directory",
        "Directory.ReadWrite.All",
    ),
)
LIMITED_INFORMATION_SOURCE = "https://learn.microsoft.com/graph/permissions-overview#limited-information-returned-for-inaccessible-member-objects"
