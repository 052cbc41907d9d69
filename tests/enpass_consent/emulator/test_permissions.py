"""Every Graph endpoint answers 403 unless the token holds a permission its Learn page lists (apps and users apart)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from enpass_consent import catalog
from enpass_consent.emulator import Emulator, scenarios
from enpass_consent.emulator.permissions import ENDPOINTS
from enpass_consent.emulator.state import Tenant
from tests.enpass_consent.emulator.conftest import TENANT_ID, GraphClient

README = Path(__file__).parents[3] / "enpass_consent" / "emulator" / "README.md"

Path_ = Callable[[Tenant], str]


def _sp(tenant: Tenant) -> str:
    return scenarios.enpass_sp(tenant).id


def _group(tenant: Tenant) -> str:
    return next(iter(tenant.groups.values())).id


def _admin(tenant: Tenant) -> str:
    assert tenant.signed_in_user_id is not None
    return tenant.signed_in_user_id


# (endpoint row, path, a permission the page lists for apps, one it does not list for apps,
#  a delegated scope it lists, a delegated scope it does not list). Written out from the Learn pages.
CASES: list[tuple[str, Path_, str, str, str, str]] = [
    ("servicePrincipals.list", lambda t: "servicePrincipals", "Application.Read.All", "Policy.Read.All",
     "Application.Read.All", "User.Read"),
    ("servicePrincipals.get", lambda t: f"servicePrincipals(appId='{catalog.ENPASS_APP_ID}')",
     "Application.ReadWrite.OwnedBy", "Directory.ReadWrite.All", "Directory.Read.All", "Application.ReadWrite.OwnedBy"),
    ("servicePrincipals.oauth2PermissionGrants", lambda t: f"servicePrincipals/{_sp(t)}/oauth2PermissionGrants",
     "Directory.Read.All", "DelegatedPermissionGrant.Read.All", "DelegatedPermissionGrant.ReadWrite.All",
     "Application.Read.All"),
    ("servicePrincipals.appRoleAssignments", lambda t: f"servicePrincipals/{_sp(t)}/appRoleAssignments",
     "Application.ReadWrite.OwnedBy", "AppRoleAssignment.ReadWrite.All", "Application.Read.All",
     "AppRoleAssignment.ReadWrite.All"),
    ("servicePrincipals.appRoleAssignedTo", lambda t: f"servicePrincipals/{_sp(t)}/appRoleAssignedTo",
     "Application.Read.All", "AppRoleAssignment.ReadWrite.All", "Directory.Read.All", "User.Read"),
    ("servicePrincipals.owners", lambda t: f"servicePrincipals/{_sp(t)}/owners", "Application.ReadWrite.OwnedBy",
     "AppRoleAssignment.ReadWrite.All", "Application.Read.All", "User.Read"),
    ("oauth2PermissionGrants.list", lambda t: "oauth2PermissionGrants", "DelegatedPermissionGrant.ReadWrite.All",
     "DelegatedPermissionGrant.Read.All", "Directory.Read.All", "Application.Read.All"),
    ("oauth2PermissionGrants.get", lambda t: f"oauth2PermissionGrants/{t.grants[0].id}", "Directory.Read.All",
     "Application.Read.All", "Directory.ReadWrite.All", "DelegatedPermissionGrant.Read.All"),
    ("groups.list", lambda t: "groups", "GroupMember.Read.All", "User.Read.All", "Group.Read.All", "User.Read"),
    ("groups.get", lambda t: f"groups/{_group(t)}", "Group.Read.All", "GroupMember.ReadBasic.All",
     "GroupMember.Read.All", "User.Read.All"),
    ("groups.members", lambda t: f"groups/{_group(t)}/members", "GroupMember.Read.All", "User.Read.All",
     "GroupMember.ReadWrite.All", "GroupMember.ReadBasic.All"),
    ("groups.transitiveMembers", lambda t: f"groups/{_group(t)}/transitiveMembers", "GroupMember.ReadBasic.All",
     "User.Read.All", "Group.ReadBasic.All", "User.Read"),
    ("users.list", lambda t: "users", "User.Read.All", "User.ReadBasic.All", "User.ReadBasic.All", "User.Read"),
    ("users.get", lambda t: f"users/{_admin(t)}", "Directory.Read.All", "User.ReadBasic.All", "User.ReadBasic.All",
     "GroupMember.Read.All"),
    ("subscribedSkus.list", lambda t: "subscribedSkus", "LicenseAssignment.Read.All", "User.Read.All",
     "Organization.Read.All", "User.Read"),
    ("subscribedSkus.get", lambda t: f"subscribedSkus/{t.subscribed_skus[0]['id']}", "Organization.Read.All",
     "Policy.Read.All", "LicenseAssignment.Read.All", "User.Read.All"),
    ("policies.authorizationPolicy", lambda t: "policies/authorizationPolicy", "Policy.Read.All",
     "Directory.Read.All", "Policy.ReadWrite.Authorization", "Directory.Read.All"),
    ("policies.adminConsentRequestPolicy", lambda t: "policies/adminConsentRequestPolicy",
     "Policy.ReadWrite.ConsentRequest", "Application.Read.All", "Directory.Read.All", "Policy.ReadWrite.Authorization"),
    ("roleManagement.roleAssignments",
     lambda t: f"roleManagement/directory/roleAssignments?$filter=principalId eq '{_admin(t)}'",
     "RoleManagement.Read.Directory", "RoleEligibilitySchedule.Read.Directory", "RoleManagement.Read.All",
     "User.Read"),
    ("organization.list", lambda t: "organization", "Organization.Read.All", "User.Read", "User.Read",
     "Application.Read.All"),
]  # fmt: skip

# Signed-in-user endpoints: application permissions are not supported there.
DELEGATED_ONLY: list[tuple[str, str, str, str]] = [
    ("me.get", "me", "User.Read", "Application.Read.All"),
    ("me.memberOf", "me/memberOf", "GroupMember.Read.All", "Policy.Read.All"),
    ("me.transitiveMemberOf", "me/transitiveMemberOf", "User.Read", "RoleManagement.Read.Directory"),
    (
        "roleManagement.myEligibleRoles",
        "roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
        "RoleEligibilitySchedule.Read.Directory",
        "User.Read",
    ),
]


def _tenant(emulator: Emulator) -> Tenant:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    scenarios.add_group(tenant, "Enpass Users", members=[_admin(tenant)])
    return tenant


def _status(emulator: Emulator, path: str, *, roles: list[str] | None = None, scopes: list[str] | None = None) -> int:
    if scopes is not None:
        token = emulator.issuer.issue(
            TENANT_ID, "fake-public-client", scopes=scopes, user_id=_admin(emulator.tenant(TENANT_ID))
        )
    else:
        token = emulator.issue_token(TENANT_ID, roles=roles)
    client = GraphClient(emulator, token)
    try:
        return client.get(path).status_code
    finally:
        client.session.close()


@pytest.mark.parametrize(("endpoint", "path", "app_ok", "app_refused", "user_ok", "user_refused"), CASES)
def test_app_and_user_permissions_per_learn_page(
    emulator: Emulator, endpoint: str, path: Path_, app_ok: str, app_refused: str, user_ok: str, user_refused: str
) -> None:
    url = path(_tenant(emulator))
    assert _status(emulator, url, roles=[app_ok]) == 200
    assert _status(emulator, url, roles=[app_refused]) == 403
    assert _status(emulator, url, roles=[]) == 403
    assert _status(emulator, url, scopes=[user_ok]) == 200
    assert _status(emulator, url, scopes=[user_refused]) == 403
    assert app_ok in ENDPOINTS[endpoint].application and user_ok in ENDPOINTS[endpoint].delegated


@pytest.mark.parametrize(("endpoint", "path", "user_ok", "user_refused"), DELEGATED_ONLY)
def test_signed_in_user_endpoints(
    emulator: Emulator, endpoint: str, path: str, user_ok: str, user_refused: str
) -> None:
    _tenant(emulator)
    assert _status(emulator, path, scopes=[user_ok]) == 200
    assert _status(emulator, path, scopes=[user_refused]) == 403
    assert _status(emulator, path, roles=["Directory.ReadWrite.All"]) == 400  # app-only: no signed-in user
    assert ENDPOINTS[endpoint].application == ()


def test_audit_log_needs_both_permissions_its_page_names(emulator: Emulator) -> None:
    """directoryaudit-list: "AuditLog.Read.All and Directory.Read.All", for apps and signed-in users alike."""
    _tenant(emulator)
    path = "auditLogs/directoryAudits"
    assert _status(emulator, path, roles=["AuditLog.Read.All", "Directory.Read.All"]) == 200
    assert _status(emulator, path, roles=["AuditLog.Read.All"]) == 403
    assert _status(emulator, path, roles=["Directory.Read.All"]) == 403
    assert _status(emulator, path, scopes=["AuditLog.Read.All", "Directory.Read.All"]) == 200
    assert _status(emulator, path, scopes=["Directory.Read.All"]) == 403


AUDIT_LOG_ROWS = {"auditLogs.directoryAudits"}  # tested above: two permissions together


def test_every_served_endpoint_is_covered_here() -> None:
    covered = {case[0] for case in CASES} | {case[0] for case in DELEGATED_ONLY} | AUDIT_LOG_ROWS
    assert covered == set(ENDPOINTS)


def test_refused_before_a_missing_object_is_looked_up(emulator: Emulator) -> None:
    _tenant(emulator)
    missing_sp = "servicePrincipals(appId='00000000-0000-4000-8000-000000000404')"
    assert _status(emulator, missing_sp, roles=["Policy.Read.All"]) == 403
    assert _status(emulator, missing_sp, roles=["Application.Read.All"]) == 404
    assert _status(emulator, "groups/00000000-0000-4000-8000-000000000404/members", roles=["User.Read.All"]) == 403


def test_readme_table_is_the_module_table() -> None:
    rows = re.findall(r"^\| `([^`]+)` \| (.*?) \| (.*?) \| \[[^\]]+\]\((https://[^)]+)\) \|$", README.read_text(), re.M)
    documented = {
        endpoint: (tuple(re.findall(r"`([^`]+)`", app)), tuple(re.findall(r"`([^`]+)`", delegated)), source)
        for endpoint, app, delegated, source in rows
    }
    expected = {
        row.endpoint: (
            row.application + (row.together_with if row.application else ()),
            row.delegated + (row.together_with if row.delegated else ()),
            row.source,
        )
        for row in ENDPOINTS.values()
    }
    assert documented == expected
