"""Where a signed-in user's directory roles come from, as the emulator shows them to Graph reads."""

from __future__ import annotations

from typing import Any

from enpass_consent import catalog
from enpass_consent.emulator import Emulator, scenarios
from enpass_consent.emulator.state import Tenant
from tests.enpass_consent.emulator.conftest import TENANT_ID, GraphClient

CLOUD_APP_ADMIN = next(
    r.template_id for r in catalog.CONSENT_CAPABLE_ROLES if r.name == "Cloud Application Administrator"
)
ROLE_READERS = ["User.Read", "RoleManagement.Read.Directory", "RoleEligibilitySchedule.Read.Directory"]


def signed_in(emulator: Emulator, tenant: Tenant, scopes: list[str] = ROLE_READERS) -> GraphClient:
    assert tenant.signed_in_user_id is not None
    token = emulator.issuer.issue(TENANT_ID, "fake-public-client", scopes=scopes, user_id=tenant.signed_in_user_id)
    return GraphClient(emulator, token)


def roles(items: list[dict[str, Any]]) -> list[Any]:
    return [item["roleTemplateId"] for item in items if item["@odata.type"] == "#microsoft.graph.directoryRole"]


def memberships(client: GraphClient) -> tuple[list[Any], list[Any], list[Any]]:
    direct = roles(client.get("me/memberOf").json()["value"])
    transitive = roles(client.get("me/transitiveMemberOf").json()["value"])
    eligible = client.get(
        "roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')"
    ).json()["value"]
    return direct, transitive, [(item["roleDefinitionId"], item["memberType"]) for item in eligible]


def test_direct_role(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    scenarios.give_directory_role(tenant, tenant.signed_in_user_id or "")
    assert memberships(signed_in(emulator, tenant)) == ([CLOUD_APP_ADMIN], [CLOUD_APP_ADMIN], [])


def test_role_through_a_role_assignable_group_is_transitive_only(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    group = scenarios.give_role_through_group(tenant, tenant.signed_in_user_id or "")
    assert group.to_graph()["isAssignableToRole"] is True
    assert memberships(signed_in(emulator, tenant)) == ([], [CLOUD_APP_ADMIN], [])
    # roleAssignments lists it under the group, not under the user.
    app = GraphClient(emulator, emulator.issue_token(TENANT_ID))
    by_user = app.get(
        "roleManagement/directory/roleAssignments", **{"$filter": f"principalId eq '{tenant.signed_in_user_id}'"}
    )
    assert by_user.json()["value"] == []


def test_eligible_only_and_activated(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    user_id = tenant.signed_in_user_id or ""
    scenarios.make_role_eligible(tenant, user_id)
    assert memberships(signed_in(emulator, tenant)) == ([], [], [(CLOUD_APP_ADMIN, "Direct")])
    scenarios.activate_role(tenant, user_id)
    direct, transitive, eligible = memberships(signed_in(emulator, tenant))
    assert (direct, transitive) == ([CLOUD_APP_ADMIN], [CLOUD_APP_ADMIN])
    assert (CLOUD_APP_ADMIN, "Direct") in eligible


def test_eligibility_through_a_group(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    group = scenarios.add_group(tenant, "PIM Admins", members=[tenant.signed_in_user_id or ""])
    group.is_assignable_to_role = True
    scenarios.make_role_eligible(tenant, group.id)
    assert memberships(signed_in(emulator, tenant)) == ([], [], [(CLOUD_APP_ADMIN, "Group")])


def test_administrative_unit_scope_is_no_role_membership(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    assignment = scenarios.give_directory_role(tenant, tenant.signed_in_user_id or "")
    assignment.directory_scope_id = "/administrativeUnits/0e0e0e0e-0000-4000-8000-000000000001"
    assert memberships(signed_in(emulator, tenant)) == ([], [], [])


def test_without_a_role_read_permission_only_type_and_id(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    scenarios.give_directory_role(tenant, tenant.signed_in_user_id or "")
    (role,) = signed_in(emulator, tenant, ["User.Read"]).get("me/transitiveMemberOf").json()["value"]
    assert role["@odata.type"] == "#microsoft.graph.directoryRole" and role["id"]
    assert role["roleTemplateId"] is None and role["displayName"] is None
