"""Scenario builders produce the tenant shapes the audit tests rely on."""

from __future__ import annotations

import json

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


def test_tenant_as_described_uses_the_adopted_ids_and_the_stacks_client() -> None:
    from enpass_consent import settings
    from enpass_consent.emulator import ClientApp
    from enpass_consent.emulator.state import DEPLOYER_CLIENT_ROLES

    user, client = "5b000000-0000-4000-8000-0000000000b1", "c1000000-0000-4000-8000-00000000c1c1"
    sp_id = "8e000000-0000-4000-8000-0000000000e1"
    adopt = {"servicePrincipalObjectId": sp_id, "grantId": "AbCd", "assignmentIds": {user: "ZyXw"}}
    described = settings.parse(
        {
            settings.TENANT_ID: TENANT_ID,
            settings.CLIENT_ID: client,
            settings.USERS: json.dumps([user]),
            settings.ADOPT: json.dumps(adopt),
        }
    )
    tenant = scenarios.tenant_as_described(described, display_name="mine")
    sp = scenarios.enpass_sp(tenant)
    assert (sp.id, sp.app_role_assignment_required, tenant.display_name) == (
        adopt["servicePrincipalObjectId"],
        True,
        "mine",
    )
    assert [(g.id, g.client_id, g.consent_type) for g in tenant.grants] == [("AbCd", sp.id, "AllPrincipals")]
    assert [(a.id, a.principal_id, a.resource_id) for a in tenant.app_role_assignments] == [("ZyXw", user, sp.id)]
    assert tenant.clients[client] == ClientApp(client, roles=list(DEPLOYER_CLIENT_ROLES))
    assert tenant.subscribed_skus == [scenarios.DOC_SUBSCRIBED_SKU]  # no groups: no Entra ID P1 needed


def test_add_entra_id_p1_lists_the_plan_preflight_looks_for() -> None:
    from enpass_consent.catalog import ENTRA_ID_P1_PLANS

    tenant = scenarios.empty_tenant(TENANT_ID)
    scenarios.add_entra_id_p1(tenant, seats=10)
    sku = tenant.subscribed_skus[-1]
    assert (sku["skuPartNumber"], sku["skuId"], sku["prepaidUnits"]["enabled"]) == (
        "AAD_PREMIUM",
        "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
        10,
    )
    assert [plan["servicePlanId"] for plan in sku["servicePlans"]] == [ENTRA_ID_P1_PLANS[0].service_plan_id]
