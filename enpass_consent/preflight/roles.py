"""A signed-in person's effective directory roles: may they grant tenant-wide consent right now?

Sources, each read with the person's own (delegated) token:

- **active roles**: the ``directoryRole`` entries of ``/me/transitiveMemberOf``: "groups, directory
  roles, and administrative units that the user is a member of through either direct or transitive
  membership" (https://learn.microsoft.com/graph/api/user-list-transitivememberof). A role held
  directly, through a role-assignable group ("only users and role-enabled groups can be members of
  directory roles", https://learn.microsoft.com/graph/api/directoryobject-getmemberobjects), or
  through a PIM activation (an active assignment while it lasts) makes the user a member of the
  activated role. Roles scoped to an administrative unit are scoped memberships, not role
  memberships (https://learn.microsoft.com/graph/api/resources/scopedrolemembership), so every
  role found here is tenant-wide. Without a permission to read directory roles Graph returns them
  with only their type and id (limited information for inaccessible member objects); then this
  source cannot decide.
- **PIM-eligible roles**: ``roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')``,
  "the instances of eligible roles for the calling principal"
  (https://learn.microsoft.com/graph/api/unifiedroleeligibilityscheduleinstance-filterbycurrentuser),
  direct or through a group (``memberType``).
- **narrower assignments** (for the message only): ``roleManagement/directory/roleAssignments``
  filtered on the user (https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments),
  whose ``directoryScopeId`` says when a role is held on an administrative unit only.

When the memberships cannot be read (403; 404 because the account has no object in the tenant, as
for a GDAP technician whose account lives in the partner tenant and whose roles come from the GDAP
relationship; roles without their template id) the verdict is *unknown* with the reason, never a
false *fail*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from enpass_consent import catalog
from enpass_consent.graph import scopes
from enpass_consent.graph.client import BatchRequest
from enpass_consent.preflight.permissions import Requirement
from enpass_consent.preflight.state import Denied, Found, Missing, Outcome

MY_MEMBERSHIPS = "myMemberships"
MY_ELIGIBLE_ROLES = "myEligibleRoles"
MY_ROLE_ASSIGNMENTS = "roleAssignments"

_TENANT_SCOPE = "/"
_DIRECTORY_ROLE = "#microsoft.graph.directoryRole"

READ_MY_MEMBERSHIPS = Requirement(
    "read the signed-in user's role memberships", (scopes.MY_MEMBERSHIPS.scope,), scopes.MY_MEMBERSHIPS.source
)
READ_MY_ELIGIBLE_ROLES = Requirement(
    "read the signed-in user's PIM-eligible roles", (scopes.MY_ELIGIBLE_ROLES.scope,), scopes.MY_ELIGIBLE_ROLES.source
)
READ_MY_ROLE_ASSIGNMENTS = Requirement(
    "read the signed-in user's role assignments", (scopes.DIRECTORY_ROLES.scope,), scopes.DIRECTORY_ROLES.source
)


def requests_for(user_object_id: str) -> list[tuple[BatchRequest, Requirement]]:
    """The reads of a signed-in user's roles, each with what a 403 on it means."""
    principal = "'" + user_object_id.replace("'", "''") + "'"
    assignments = "$filter=" + quote(f"principalId eq {principal}", safe="")
    return [
        (BatchRequest(MY_MEMBERSHIPS, "/me/transitiveMemberOf?$top=999"), READ_MY_MEMBERSHIPS),
        (
            BatchRequest(
                MY_ELIGIBLE_ROLES,
                "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
            ),
            READ_MY_ELIGIBLE_ROLES,
        ),
        (BatchRequest(MY_ROLE_ASSIGNMENTS, f"/roleManagement/directory/roleAssignments?{assignments}"),
         READ_MY_ROLE_ASSIGNMENTS),
    ]  # fmt: skip


@dataclass(frozen=True)
class RoleVerdict:
    """What the reads say about the consent-capable roles (names from the catalog, in its order)."""

    active: tuple[str, ...]
    """Held now, tenant-wide."""
    eligible: tuple[str, ...]
    """Eligible in PIM (tenant-wide) but not active."""
    narrow: tuple[str, ...]
    """Held only on a narrower scope (an administrative unit), which cannot consent tenant-wide."""
    unreadable: str | None
    """Why the active roles cannot be known (None when they were read)."""
    eligibility_unreadable: bool = False


def _names(template_ids: set[str]) -> tuple[str, ...]:
    return tuple(role.name for role in catalog.CONSENT_CAPABLE_ROLES if role.template_id in template_ids)


def _values(outcome: Outcome | None) -> list[Mapping[str, Any]]:
    return outcome.values if isinstance(outcome, Found) else []


def evaluate(reads: Mapping[str, Outcome]) -> RoleVerdict:
    """The verdict from the three reads (pure)."""
    memberships = reads.get(MY_MEMBERSHIPS)
    active: set[str] = set()
    unreadable: str | None = None
    if isinstance(memberships, Found):
        roles = [item for item in memberships.values if item.get("@odata.type") == _DIRECTORY_ROLE]
        if any(not item.get("roleTemplateId") for item in roles):
            unreadable = (
                "Graph listed the user's directory roles without their template ids: the sign-in cannot read "
                f"directory roles (the delegated scope {scopes.DIRECTORY_ROLES.scope} is missing)"
            )
        active = {str(item.get("roleTemplateId", "")).lower() for item in roles}
    elif isinstance(memberships, Missing):
        unreadable = (
            "the signed-in account has no user object in this tenant, as for a GDAP technician whose account "
            "lives in the partner tenant: those roles come from the GDAP relationship and cannot be read here"
        )
    elif isinstance(memberships, Denied):
        unreadable = (
            "Graph refused to read the signed-in user's memberships (403; the delegated scope "
            f"{scopes.MY_MEMBERSHIPS.scope} is missing, or the tenant restricts it)"
        )
    else:
        unreadable = "the signed-in user's memberships were not read"

    eligibility = reads.get(MY_ELIGIBLE_ROLES)
    eligible = {
        str(item.get("roleDefinitionId", "")).lower()
        for item in _values(eligibility)
        if (item.get("directoryScopeId") or _TENANT_SCOPE) == _TENANT_SCOPE
    }
    narrow = {
        str(item.get("roleDefinitionId", "")).lower()
        for item in _values(reads.get(MY_ROLE_ASSIGNMENTS))
        if (item.get("directoryScopeId") or _TENANT_SCOPE) != _TENANT_SCOPE
    }
    return RoleVerdict(
        active=_names(active),
        eligible=_names(eligible - active),
        narrow=_names(narrow - active),
        unreadable=unreadable,
        eligibility_unreadable=not isinstance(eligibility, Found),
    )
