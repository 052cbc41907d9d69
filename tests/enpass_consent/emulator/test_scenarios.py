"""Scenario builders produce the tenant shapes the audit tests rely on."""

from __future__ import annotations

from enpass_consent.catalog import ENPASS_APP_ID, ENPASS_SCOPE_NAMES, MICROSOFT_GRAPH_APP_ID
from enpass_consent.emulator import grant_id, scenarios
from enpass_consent.emulator.server import Emulator
from tests.enpass_consent.emulator.conftest import TENANT_ID, GraphClient


def test_in_sync_tenant_shape() -> None:
    tenant = scenarios.in_sync_tenant(TENANT_ID)
    enpass, graph = scenarios.enpass_sp(tenant), scenarios.graph_sp(tenant)
    assert enpass.app_id == ENPASS_APP_ID and graph.app_id == MICROSOFT_GRAPH_APP_ID
    assert [g.id for g in tenant.grants] == [grant_id(enpass.id, graph.id)]
    assert tenant.grants[0].scope.split() == list(ENPASS_SCOPE_NAMES)
    scope_ids = [s["id"] for s in graph.oauth2_permission_scopes]
    assert len(scope_ids) == len(set(scope_ids))
    assert tenant.app_role_assignments == []
    # Object ids differ per tenant, as in Entra.
    other = scenarios.in_sync_tenant("22222222-2222-3333-4444-555555555555")
    assert scenarios.graph_sp(other).id != graph.id


def test_drift_builders_are_visible_through_graph(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    scenarios.add_scope(tenant, "Mail.Read")
    scenarios.remove_scope(tenant, "Group.Read.All")
    foreign = scenarios.add_foreign_grant(tenant)
    scenarios.disable_enpass(tenant)
    scenarios.set_assignment_required(tenant, True)
    scenarios.set_user_consent(tenant)
    sp = graph.get(f"servicePrincipals(appId='{ENPASS_APP_ID}')").json()
    assert (sp["accountEnabled"], sp["appRoleAssignmentRequired"]) == (False, True)
    grants = {g["id"]: g for g in graph.get(f"servicePrincipals/{sp['id']}/oauth2PermissionGrants").json()["value"]}
    tenant_wide = grants[grant_id(sp["id"], scenarios.graph_sp(tenant).id)]
    assert "Mail.Read" in tenant_wide["scope"].split() and "Group.Read.All" not in tenant_wide["scope"].split()
    assert grants[foreign.id]["resourceId"] != scenarios.graph_sp(tenant).id
    policy = graph.get("policies/authorizationPolicy").json()
    assert policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"] == []


def test_remove_enpass_drops_its_grants_and_assignments() -> None:
    tenant = scenarios.in_sync_tenant(TENANT_ID)
    scenarios.assign(tenant, scenarios.add_user(tenant, "Alice"))
    scenarios.add_app_permission(tenant)
    scenarios.remove_enpass(tenant)
    assert tenant.sp_by_app_id(ENPASS_APP_ID) is None
    assert tenant.grants == [] and tenant.app_role_assignments == []
    assert scenarios.tenant_wide_grant(tenant) is None
