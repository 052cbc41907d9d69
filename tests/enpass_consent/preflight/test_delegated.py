"""A signed-in administrator (device code, delegated token): the directory-role check."""

from __future__ import annotations

from pathlib import Path

from enpass_consent import catalog
from enpass_consent.emulator import Emulator, scenarios
from enpass_consent.graph.factory import GraphFactory
from enpass_consent.preflight.run import preflight_stack
from tests.enpass_consent.preflight.tenants import TENANT, write_stack


def identity_check(emulator: Emulator, project: Path) -> dict[str, str]:
    write_stack(project, "contoso", {"azuread:tenantId": TENANT})
    with GraphFactory(emulator.env(), concurrency=1, is_terminal=lambda: True, prompt=lambda _: None) as factory:
        result = preflight_stack(project, "contoso", factory, emulator.env())
    assert result.error is None, result.error
    return next(check.to_json() for check in result.checks if check.id == "identity")


def test_signed_in_user_with_a_consent_capable_role_passes(emulator: Emulator, tmp_path: Path) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    assert tenant.signed_in_user_id is not None
    scenarios.give_directory_role(tenant, tenant.signed_in_user_id)
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "pass" and "Cloud Application Administrator tenant-wide" in check["message"]


def test_signed_in_user_without_a_role_or_with_a_narrow_one_fails(emulator: Emulator, tmp_path: Path) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    assert tenant.signed_in_user_id is not None
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "fail" and "holds none of the roles" in check["message"]
    assignment = scenarios.give_directory_role(tenant, tenant.signed_in_user_id)
    assignment.directory_scope_id = "/administrativeUnits/0e0e0e0e-0000-4000-8000-000000000001"
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "fail" and "only on a narrower scope" in check["message"]
    assert "PIM" in check["fix"]


def test_role_read_refused_is_a_failed_permission_check(emulator: Emulator, tmp_path: Path) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    tenant.delegated_scopes = ["Application.Read.All", "Policy.Read.All"]
    check = identity_check(emulator, tmp_path)
    assert check["status"] == "fail" and "needs RoleManagement.Read.Directory" in check["message"]
    assert catalog.CONSENT_CAPABLE_ROLES  # the check compares template ids from the catalog
