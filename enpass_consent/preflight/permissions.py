"""Microsoft Graph application permissions: what each operation needs (the source of truth).

Each :class:`Requirement` lists the permissions Microsoft's API pages accept for one operation, least
privileged first ("Least privileged permissions", then "Higher privileged permissions" of the page's
permission table). A broader permission satisfies a requirement only where Microsoft's table says so.
``docs/permissions.md`` shows the same sets; a test pins the two equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_API = "https://learn.microsoft.com/graph/api/"


@dataclass(frozen=True)
class Requirement:
    """One thing an identity must be allowed to do: any of ``accepted`` is enough."""

    purpose: str
    accepted: tuple[str, ...]
    """Application permissions that satisfy it, least privileged first."""
    source: str

    @property
    def least_privileged(self) -> str:
        return self.accepted[0]

    def satisfied_by(self, held: Iterable[str]) -> bool:
        held_lower = {permission.lower() for permission in held}
        return any(permission.lower() in held_lower for permission in self.accepted)

    def describe(self) -> str:
        """``A`` or ``A (or B, C)``: what to grant, with the broader alternatives Microsoft accepts."""
        if len(self.accepted) == 1:
            return self.least_privileged
        return f"{self.least_privileged} (or {', '.join(self.accepted[1:])})"


# --- what `pulumi up` writes (the writer identity) --------------------------------------------------

# Application.ReadWrite.OwnedBy is deliberately not accepted, although Microsoft lists it as least privileged
# for creating and updating service principals: it covers only apps the caller owns ("It cannot update any
# apps that it is not an owner of", https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby),
# and Enpass's app registration lives in Enpass's tenant, so no identity in a customer tenant can own it.
# Creating its SP with OwnedBy is refused with 403 "When using this permission, the backing application of
# the service principal being created must in the local tenant", which the azuread provider retries as
# replication lag until its 10-minute create timeout; and after creating an SP the provider removes the
# caller from its owners (removeCallerOwner), so every later update needs .All anyway
# (terraform-provider-azuread v3.9.0 internal/services/serviceprincipals/service_principal_resource.go,
# servicePrincipalResourceCreate).
OWNED_BY = "Application.ReadWrite.OwnedBy"
WRITE_SERVICE_PRINCIPAL = Requirement(
    "create, or adopt and update, the Enpass service principal (Enpass's app is registered in Enpass's tenant, "
    f"so no identity here owns it and {OWNED_BY} cannot manage it)",
    ("Application.ReadWrite.All", "Directory.ReadWrite.All"),
    _API + "serviceprincipal-update",
)
WRITE_GRANTS = Requirement(
    "create, update and delete the delegated permission grants",
    ("DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"),
    _API + "oauth2permissiongrant-post",
)
WRITE_ASSIGNMENTS = Requirement(
    "assign groups and users to Enpass",
    ("AppRoleAssignment.ReadWrite.All",),
    _API + "serviceprincipal-post-approleassignedto",
)
# The assignment page asks for AppRoleAssignment.ReadWrite.All *and* one of these; the program also
# needs them to look up Microsoft Graph's service principal (get_service_principal).
READ_SERVICE_PRINCIPALS = Requirement(
    "read service principals (Microsoft Graph's, Enpass's, their assignments)",
    ("Application.Read.All", "Directory.Read.All", "Application.ReadWrite.All"),
    _API + "serviceprincipal-get",
)

# --- what the CLI reads (audit, preflight, adopt) ---------------------------------------------------

READ_GRANTS = Requirement(
    "read the delegated permission grants",
    ("Directory.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"),
    _API + "oauth2permissiongrant-get",
)
READ_GROUPS = Requirement(
    "read groups and their members",
    ("GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"),
    _API + "group-get",
)
READ_USERS = Requirement(
    "read users and their assigned licence plans",
    ("User.Read.All", "Directory.Read.All", "User.ReadWrite.All", "Directory.ReadWrite.All"),
    _API + "user-list",
)
READ_SUBSCRIBED_SKUS = Requirement(
    "read the tenant's licences (subscribedSkus)",
    ("LicenseAssignment.Read.All", "Organization.Read.All", "Directory.Read.All"),
    _API + "subscribedsku-list",
)
READ_POLICIES = Requirement(
    "read the consent policies",
    ("Policy.Read.All",),
    _API + "authorizationpolicy-get",
)
READ_ROLE_ASSIGNMENTS = Requirement(
    "read directory role assignments",
    ("RoleManagement.Read.Directory", "RoleManagement.Read.All", "Directory.Read.All"),
    _API + "rbacapplication-list-roleassignments",
)


def writer_requirements(*, assigns: bool, groups_by_name: bool = False) -> tuple[Requirement, ...]:
    """What ``pulumi up`` needs for a stack: the SP, the grants, assignments, group names (``get_group``)."""
    needs = [WRITE_SERVICE_PRINCIPAL, WRITE_GRANTS, READ_SERVICE_PRINCIPALS]
    if assigns:
        needs.append(WRITE_ASSIGNMENTS)
    if groups_by_name:
        needs.append(READ_GROUPS)
    return tuple(needs)


def missing(requirements: Iterable[Requirement], held: Iterable[str]) -> list[Requirement]:
    held_list = list(held)
    return [requirement for requirement in requirements if not requirement.satisfied_by(held_list)]


# The least-privileged sets docs/permissions.md recommends (a test compares them with the page).
# Application.ReadWrite.All also satisfies READ_SERVICE_PRINCIPALS; READ_GROUPS only for groups given by name.
WRITER_PERMISSIONS: tuple[str, ...] = (
    WRITE_SERVICE_PRINCIPAL.least_privileged,
    WRITE_GRANTS.least_privileged,
    WRITE_ASSIGNMENTS.least_privileged,
    READ_GROUPS.least_privileged,
)
AUDITOR_PERMISSIONS: tuple[str, ...] = (
    READ_SERVICE_PRINCIPALS.least_privileged,
    READ_GRANTS.least_privileged,
    READ_GROUPS.least_privileged,
)
PREFLIGHT_READ_PERMISSIONS: tuple[str, ...] = (
    *AUDITOR_PERMISSIONS,
    READ_POLICIES.least_privileged,
    READ_SUBSCRIBED_SKUS.least_privileged,
    READ_USERS.least_privileged,
)
