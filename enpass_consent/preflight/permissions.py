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

CREATE_SERVICE_PRINCIPAL = Requirement(
    "create the Enpass service principal",
    ("Application.ReadWrite.OwnedBy", "Application.ReadWrite.All", "Directory.ReadWrite.All"),
    _API + "serviceprincipal-post-serviceprincipals",
)
# An SP created by an earlier click-through is not owned by the deploying app, so OwnedBy cannot update it.
UPDATE_EXISTING_SERVICE_PRINCIPAL = Requirement(
    "adopt and update the existing Enpass service principal (not owned by this app)",
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


def writer_requirements(*, service_principal_exists: bool, assigns: bool) -> tuple[Requirement, ...]:
    """What ``pulumi up`` needs for a stack: SP (create, or adopt one it does not own), grants, assignments."""
    needs = [
        UPDATE_EXISTING_SERVICE_PRINCIPAL if service_principal_exists else CREATE_SERVICE_PRINCIPAL,
        WRITE_GRANTS,
        READ_SERVICE_PRINCIPALS,
    ]
    if assigns:
        needs.append(WRITE_ASSIGNMENTS)
    return tuple(needs)


def missing(requirements: Iterable[Requirement], held: Iterable[str]) -> list[Requirement]:
    held_list = list(held)
    return [requirement for requirement in requirements if not requirement.satisfied_by(held_list)]


# The least-privileged sets docs/permissions.md recommends (a test compares them with the page).
WRITER_PERMISSIONS: tuple[str, ...] = (
    CREATE_SERVICE_PRINCIPAL.least_privileged,
    WRITE_GRANTS.least_privileged,
    WRITE_ASSIGNMENTS.least_privileged,
    READ_SERVICE_PRINCIPALS.least_privileged,
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
