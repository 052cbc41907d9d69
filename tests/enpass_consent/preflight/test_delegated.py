"""A signed-in administrator (device code, delegated token): the directory-role check from effective roles."""

from __future__ import annotations

from pathlib import Path

import pytest

from enpass_consent import catalog
from enpass_consent.emulator import Emulator, FaultScope, Kind, scenarios
from enpass_consent.emulator.state import Tenant
from enpass_consent.graph.factory import GraphFactory
from enpass_consent.preflight.run import preflight_stack
from tests.enpass_consent.preflight.tenants import TENANT, write_stack
from tests.support.golden import validate

CLI_TOOLS = catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID
PRIVILEGED_ROLE_ADMIN = next(r.template_id for r in catalog.CONSENT_CAPABLE_ROLES if r.name.startswith("Privileged"))


def identity_check(emulator: Emulator, project: Path) -> dict[str, str]:
    write_stack(project, "contoso", {"azuread:tenantId": TENANT})
    with GraphFactory(
        emulator.env(), concurrency=1, command="preflight", is_terminal=lambda: True, prompt=lambda _: None
    ) as factory:
        result = preflight_stack(project, "contoso", factory, emulator.env())
    assert result.error is None, result.error
    validate({"schema": "enpass-consent.preflight/v1", "generatedAt": "2026-01-01T00:00:00Z",
              "tenants": [result.to_json()], "summary": {"tenants": 1, "pass": 0, "warn": 0, "fail": 0, "error": 0}},
             "preflight")  # fmt: skip
    return next(check.to_json() for check in result.checks if check.id == "identity")


def admin(tenant: Tenant) -> str:
    assert tenant.signed_in_user_id is not None
    return tenant.signed_in_user_id


@pytest.mark.parametrize(
    "grant_role",
    [
        lambda tenant: scenarios.give_directory_role(tenant, admin(tenant)),
        lambda tenant: scenarios.give_role_through_group(tenant, admin(tenant)),
        lambda tenant: scenarios.activate_role(tenant, admin(tenant)),
        lambda tenant: scenarios.give_directory_role(tenant, admin(tenant), PRIVILEGED_ROLE_ADMIN),
    ],
    ids=["direct", "role-assignable group", "PIM-activated", "another consent-capable role"],
)
def test_an_active_role_from_any_source_passes(emulator: Emulator, tmp_path: Path, grant_role: object) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    grant_role(tenant)  # type: ignore[operator]
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "pass", check
    assert "as an active tenant-wide role" in check["message"]


def test_the_reads_are_in_preflights_one_batch(emulator: Emulator, tmp_path: Path) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    scenarios.give_role_through_group(tenant, admin(tenant))
    identity_check(emulator, tmp_path)
    items = {record.path.split("?")[0] for record in emulator.recorder.items(TENANT)}
    assert {
        "/v1.0/me/transitiveMemberOf",
        "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')",
        "/v1.0/roleManagement/directory/roleAssignments",
    } <= items
    assert emulator.recorder.count(TENANT, Kind.BATCH) == 1
    assert emulator.recorder.count(kind=Kind.DEVICE_CODE) == 1
    # The sign-in asked for preflight's named scopes, which the administrator consented on first use.
    assert tenant.consented(CLI_TOOLS) == {
        "Application.Read.All", "Directory.Read.All", "GroupMember.Read.All", "LicenseAssignment.Read.All",
        "Policy.Read.All", "RoleEligibilitySchedule.Read.Directory", "RoleManagement.Read.Directory",
        "User.Read", "User.Read.All",
    }  # fmt: skip


@pytest.mark.parametrize("through_group", [False, True], ids=["direct", "through a group"])
def test_eligible_only_fails_with_activate_first(emulator: Emulator, tmp_path: Path, through_group: bool) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    if through_group:
        group = scenarios.add_group(tenant, "PIM Admins", members=[admin(tenant)])
        group.is_assignable_to_role = True
        scenarios.make_role_eligible(tenant, group.id)
    else:
        scenarios.make_role_eligible(tenant, admin(tenant))
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "fail"
    assert "only eligible for Cloud Application Administrator" in check["message"]
    assert check["fix"].startswith("Activate Cloud Application Administrator in PIM first")


def test_no_role_or_a_narrow_one_fails(emulator: Emulator, tmp_path: Path) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "fail" and "holds none of the roles" in check["message"]
    assignment = scenarios.give_directory_role(tenant, admin(tenant))
    assignment.directory_scope_id = "/administrativeUnits/0e0e0e0e-0000-4000-8000-000000000001"
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "fail" and "only on a narrower scope" in check["message"]
    assert "PIM" in check["fix"]


def test_roles_refused_are_unknown_never_fail(emulator: Emulator, tmp_path: Path) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    emulator.faults.forbidden(r"/me/transitiveMemberOf", scope=FaultScope.ITEM, count=None)
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "unknown"
    assert "Graph refused to read the signed-in user's memberships (403" in check["message"]
    assert "consent the delegated scopes User.Read and RoleManagement.Read.Directory" in check["fix"]
    assert tenant.signed_in_user_id is not None


def test_gdap_technician_is_unknown_with_the_reason(emulator: Emulator, tmp_path: Path) -> None:
    partner = emulator.add_tenant(scenarios.empty_tenant("99999999-0000-4000-8000-000000000001"))
    technician = partner.users[(partner.signed_in_user_id or "").lower()]
    customer = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    scenarios.grant_gdap(customer, technician)
    emulator.login.device_user = technician.user_principal_name
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "unknown"
    assert "no user object in this tenant, as for a GDAP technician" in check["message"]
    assert "GDAP, that the relationship includes that role" in check["fix"]


def test_a_person_who_cannot_consent_the_named_scopes_gets_the_reason(emulator: Emulator, tmp_path: Path) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    scenarios.give_directory_role(tenant, admin(tenant))
    tenant.consent_on_sign_in = False  # the person cannot consent; the client was consented User.Read only
    scenarios.consent_client(tenant, CLI_TOOLS, "User.Read")
    write_stack(tmp_path, "contoso", {"azuread:tenantId": TENANT})
    with GraphFactory(emulator.env(), 1, command="preflight", is_terminal=lambda: True, prompt=lambda _: None) as f:
        result = preflight_stack(tmp_path, "contoso", f, emulator.env())
    # Named scopes that nobody consented and nobody can consent: the sign-in itself is refused.
    assert result.error is not None and "AADSTS65001" in result.error
