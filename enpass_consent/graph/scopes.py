"""The delegated Microsoft Graph scopes each command asks a signed-in person for: least privilege per request.

A device-code sign-in asks for these named scopes, never only ``/.default`` (which through a public
client like Microsoft Graph Command Line Tools yields just what someone consented to it before): an
administrator is then offered consent to exactly these on first use. Each :class:`Read` names one
kind of Graph request a command makes, the least privileged delegated permission Microsoft's API
page accepts for it, and the page. A command's scopes are the set of its reads' scopes.

Another command adds its reads here. ``--attribution``'s read of the audit log is deliberately not in
any command's scopes (:data:`AUDIT_LOG`): a sign-in that asked for ``AuditLog.Read.All`` would fail
in every tenant that has not consented to it, for the whole audit; it is acquired silently per tenant
instead (``graph/factory.py``). ``docs/permissions.md`` lists the same table; a test keeps them equal.
"""

from __future__ import annotations

from dataclasses import dataclass

_API = "https://learn.microsoft.com/graph/api/"


@dataclass(frozen=True)
class Read:
    """One kind of Graph request and the least privileged delegated scope that allows it."""

    what: str
    scope: str
    source: str


SERVICE_PRINCIPALS = Read(
    "service principals (Enpass's, Microsoft Graph's)", "Application.Read.All", _API + "serviceprincipal-get"
)
GRANTS = Read(
    "delegated permission grants",
    "Directory.Read.All",  # no narrower delegated permission is listed for reading grants
    _API + "serviceprincipal-list-oauth2permissiongrants",
)
APP_ROLE_ASSIGNMENTS = Read(
    "app role assignments of and to Enpass", "Application.Read.All", _API + "serviceprincipal-list-approleassignedto"
)
GROUPS = Read("groups by name or id, and their members", "GroupMember.Read.All", _API + "group-list")
# User.ReadBasic.All lists users but not assignedPlans, which is not a basic property (user resource page).
USERS = Read("users and their assigned licence plans", "User.Read.All", _API + "user-list")
SUBSCRIBED_SKUS = Read("the tenant's licences", "LicenseAssignment.Read.All", _API + "subscribedsku-list")
POLICIES = Read("the consent policies", "Policy.Read.All", _API + "authorizationpolicy-get")
MY_MEMBERSHIPS = Read(
    "the signed-in user's role and group memberships", "User.Read", _API + "user-list-transitivememberof"
)
# Without a permission to read directory roles a membership list returns only their type and id.
DIRECTORY_ROLES = Read(
    "the directory roles in those memberships, and direct role assignments",
    "RoleManagement.Read.Directory",
    _API + "rbacapplication-list-roleassignments",
)
MY_ELIGIBLE_ROLES = Read(
    "the signed-in user's PIM-eligible roles",
    "RoleEligibilitySchedule.Read.Directory",
    _API + "unifiedroleeligibilityscheduleinstance-filterbycurrentuser",
)

# The page names both: "AuditLog.Read.All and Directory.Read.All" (delegated and application).
AUDIT_LOG = Read(
    "the directory audit log (--attribution only, acquired silently)",
    "AuditLog.Read.All",
    _API + "directoryaudit-list",
)

_AUDIT: tuple[Read, ...] = (SERVICE_PRINCIPALS, GRANTS, APP_ROLE_ASSIGNMENTS, GROUPS)

COMMAND_READS: dict[str, tuple[Read, ...]] = {
    "audit": _AUDIT,
    "adopt": _AUDIT,  # adopt reads exactly what audit reads
    "fleet drift": _AUDIT,  # its audit part
    "init": _AUDIT,  # --from-tenant reads what audit reads (with no group names to look up)
    "preflight": (
        *_AUDIT,
        USERS,
        SUBSCRIBED_SKUS,
        POLICIES,
        MY_MEMBERSHIPS,
        DIRECTORY_ROLES,
        MY_ELIGIBLE_ROLES,
    ),
}


def for_command(command: str) -> tuple[str, ...]:
    """The sorted delegated scopes ``command`` asks for. Raises ``KeyError`` for a command without reads."""
    return tuple(sorted({read.scope for read in COMMAND_READS[command]}))


def every_scope() -> tuple[str, ...]:
    """Every scope any command asks for (a sign-in that serves them all)."""
    return tuple(sorted({read.scope for reads in COMMAND_READS.values() for read in reads}))


def attribution_scopes() -> tuple[str, ...]:
    """The delegated scopes of the token that reads the audit log: the page asks for both."""
    return (AUDIT_LOG.scope, GRANTS.scope)
