"""Graph reads: every form audit, adopt and preflight send, as Graph documents it."""

from __future__ import annotations

from enpass_consent import catalog
from enpass_consent.catalog import (
    CONSENT_CAPABLE_ROLES,
    DEFAULT_ACCESS_APP_ROLE_ID,
    ENPASS_APP_ID,
    ENPASS_SCOPE_NAMES,
    MICROSOFT_GRAPH_APP_ID,
    SCOPES,
)
from enpass_consent.emulator import grant_id, scenarios
from enpass_consent.emulator.server import Emulator
from tests.enpass_consent.emulator.conftest import OTHER_TENANT_ID, TENANT_ID, GraphClient

SP_BY_APP_ID = f"servicePrincipals(appId='{ENPASS_APP_ID}')"


def test_doc_grant_id_matches_formula() -> None:
    doc = scenarios.DOC_GRANT
    assert grant_id(doc["clientId"], doc["resourceId"]) == doc["id"]


def test_service_principal_forms(graph: GraphClient, emulator: Emulator) -> None:
    sp = scenarios.enpass_sp(emulator.tenant(TENANT_ID))
    by_filter = graph.get("servicePrincipals", **{"$filter": f"appId eq '{ENPASS_APP_ID}'"}).json()
    assert [v["id"] for v in by_filter["value"]] == [sp.id]
    assert by_filter["@odata.context"].endswith("/v1.0/$metadata#servicePrincipals")
    by_key = graph.get(SP_BY_APP_ID).json()
    assert by_key["id"] == sp.id and by_key["appId"] == ENPASS_APP_ID
    assert set(scenarios.DOC_SERVICE_PRINCIPAL) <= set(by_key)  # the documented property set
    assert graph.get(f"servicePrincipals/{sp.id}").json()["displayName"] == "Enpass"


def test_select_returns_only_selected_and_id(graph: GraphClient) -> None:
    body = graph.get(SP_BY_APP_ID, **{"$select": "appRoleAssignmentRequired,accountEnabled"}).json()
    assert set(body) == {"@odata.context", "id", "appRoleAssignmentRequired", "accountEnabled"}
    graph_sp = graph.get("servicePrincipals", **{"$filter": f"appId eq '{MICROSOFT_GRAPH_APP_ID}'",
                                                 "$select": "id"}).json()  # fmt: skip
    assert list(graph_sp["value"][0]) == ["id"]
    assert graph.get(SP_BY_APP_ID, **{"$select": "noSuchProperty"}).status_code == 400


def test_owners_and_the_properties_pulumi_up_writes(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    sp = scenarios.enpass_sp(tenant)
    assert graph.get(f"{SP_BY_APP_ID}/owners").json()["value"] == []
    ann = scenarios.add_user(tenant, "Ann")
    scenarios.add_owner(tenant, ann)
    scenarios.add_owner(tenant, scenarios.graph_sp(tenant))
    owners = graph.get(f"{SP_BY_APP_ID}/owners", **{"$select": "id,displayName"}).json()["value"]
    assert owners == [
        {"@odata.type": "#microsoft.graph.user", "id": ann.id, "displayName": "Ann"},
        {
            "@odata.type": "#microsoft.graph.servicePrincipal",
            "id": scenarios.graph_sp(tenant).id,
            "displayName": "Microsoft Graph",
        },
    ]
    assert graph.get(f"servicePrincipals/{sp.id}/owners").json()["value"][0]["id"] == ann.id
    sp.notes, sp.login_url = "n", "https://x.example/"
    body = graph.get(SP_BY_APP_ID, **{"$select": "notes,description,loginUrl,preferredSingleSignOnMode,tags"}).json()
    assert (body["notes"], body["description"], body["loginUrl"], body["preferredSingleSignOnMode"]) == (
        "n",
        None,
        "https://x.example/",
        None,
    )
    assert body["tags"] == [catalog.ENTERPRISE_APP_TAG]


def test_missing_sp_404_and_empty_filter(graph: GraphClient, emulator: Emulator) -> None:
    scenarios.remove_enpass(emulator.tenant(TENANT_ID))
    response = graph.get(SP_BY_APP_ID)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "Request_ResourceNotFound"
    assert graph.get("servicePrincipals", **{"$filter": f"appId eq '{ENPASS_APP_ID}'"}).json()["value"] == []
    assert graph.get("servicePrincipals/not-a-guid").status_code == 400


def test_graph_sp_has_catalog_scopes_and_more(graph: GraphClient) -> None:
    body = graph.get(f"servicePrincipals(appId='{MICROSOFT_GRAPH_APP_ID}')", **{"$select": "oauth2PermissionScopes"})
    values = {s["value"] for s in body.json()["oauth2PermissionScopes"]}
    assert {s.name for s in SCOPES} <= values
    assert "Mail.Read" in values


def test_grant_forms(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    sp = scenarios.enpass_sp(tenant)
    user = scenarios.add_user(tenant, "Bob")
    user_grant = scenarios.add_user_grant(tenant, user.id)
    expected = {scenarios.tenant_wide_grant(tenant).id, user_grant.id}  # type: ignore[union-attr]
    for path, params in (
        (f"servicePrincipals/{sp.id}/oauth2PermissionGrants", {}),
        (f"{SP_BY_APP_ID}/oauth2PermissionGrants", {}),
        ("oauth2PermissionGrants", {"$filter": f"clientId eq '{sp.id}'"}),
    ):
        assert {g["id"] for g in graph.get(path, **params).json()["value"]} == expected, path
    all_principals = graph.get(
        "oauth2PermissionGrants", **{"$filter": f"clientId eq '{sp.id}' and consentType eq 'AllPrincipals'"}
    ).json()["value"]
    assert len(all_principals) == 1
    assert all_principals[0]["scope"].split() == list(ENPASS_SCOPE_NAMES)
    assert all_principals[0]["resourceId"] == scenarios.graph_sp(tenant).id
    assert user_grant.id == grant_id(sp.id, scenarios.graph_sp(tenant).id, user.id)


def test_app_role_assignments_both_views(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    sp = scenarios.enpass_sp(tenant)
    held = scenarios.add_app_permission(tenant, "Mail.Read")
    group = scenarios.add_group(tenant, "Enpass users")
    assigned = scenarios.assign(tenant, group)
    for prefix in (f"servicePrincipals/{sp.id}", SP_BY_APP_ID):
        to_sp = graph.get(f"{prefix}/appRoleAssignments").json()["value"]
        on_sp = graph.get(f"{prefix}/appRoleAssignedTo").json()["value"]
        assert [a["id"] for a in to_sp] == [held.id]
        assert [a["id"] for a in on_sp] == [assigned.id]
    assert on_sp[0]["appRoleId"] == DEFAULT_ACCESS_APP_ROLE_ID
    assert on_sp[0]["principalType"] == "Group"
    assert set(scenarios.DOC_APP_ROLE_ASSIGNED_TO) == set(on_sp[0])
    # The Graph SP's appRoleAssignedTo lists Enpass as holder of the app permission.
    graph_sp_id = scenarios.graph_sp(tenant).id
    assert graph.get(f"servicePrincipals/{graph_sp_id}/appRoleAssignedTo").json()["value"][0]["id"] == held.id


def test_groups_by_name_with_quotes_and_security_filter(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    security = scenarios.add_group(tenant, "Bob's team")
    scenarios.add_group(tenant, "Bob's team", unified=True)
    url = "/groups?$filter=displayName eq 'Bob''s team' and securityEnabled eq true"
    items = graph.batch_by_id([{"id": "g", "method": "GET", "url": url}])["g"]["body"]["value"]
    assert [g["id"] for g in items] == [security.id]
    direct = graph.get("groups", **{"$filter": "displayName eq 'Bob''s team'"}).json()["value"]
    assert len(direct) == 2
    encoded = graph.get(
        f"{emulator.graph_base}/groups?$filter=displayName%20eq%20%27Bob%27%27s%20team%27%20and%20securityEnabled%20eq%20true"
    )
    assert [g["id"] for g in encoded.json()["value"]] == [security.id]
    entity = graph.get(f"groups/{security.id}").json()
    assert set(scenarios.DOC_GROUP) <= set(entity)


def test_group_members_and_transitive_members(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    alice, bob = scenarios.add_user(tenant, "Alice"), scenarios.add_user(tenant, "Bob")
    inner = scenarios.add_group(tenant, "Inner", members=[bob.id])
    outer = scenarios.add_group(tenant, "Outer", members=[alice.id, inner.id])
    members = graph.get(f"groups/{outer.id}/members").json()["value"]
    assert [(m["@odata.type"], m["id"]) for m in members] == [
        ("#microsoft.graph.user", alice.id),
        ("#microsoft.graph.group", inner.id),
    ]
    transitive = {m["id"] for m in graph.get(f"groups/{outer.id}/transitiveMembers").json()["value"]}
    assert transitive == {alice.id, inner.id, bob.id}


def test_users_licences_and_policies(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    licensed = scenarios.add_user(tenant, "Licensed")
    scenarios.add_user(tenant, "Disabled", account_enabled=False)
    users = graph.get("users", **{"$select": "id,assignedPlans", "$filter": "accountEnabled eq true"}).json()["value"]
    assert licensed.id in {u["id"] for u in users} and len(users) == 2  # the admin and Licensed
    plans = graph.get(f"users/{licensed.id}", **{"$select": "assignedPlans"}).json()["assignedPlans"]
    assert plans[0]["servicePlanId"] == scenarios.SHAREPOINT_PLAN_2_ID
    assert graph.get("subscribedSkus").json()["value"] == [scenarios.DOC_SUBSCRIBED_SKU]
    auth = graph.get("policies/authorizationPolicy").json()
    assert auth["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"] == ["just-user-read"]
    assert graph.get("policies/adminConsentRequestPolicy").json()["isEnabled"] is True


def test_role_assignments_and_me(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    admin_id = tenant.signed_in_user_id
    assert admin_id is not None
    scenarios.give_directory_role(tenant, admin_id)
    cloud_app_admin = next(r for r in CONSENT_CAPABLE_ROLES if r.name == "Cloud Application Administrator")
    app = GraphClient(emulator, emulator.issue_token(TENANT_ID))
    roles = app.get("roleManagement/directory/roleAssignments", **{"$filter": f"principalId eq '{admin_id}'"})
    assert [r["roleDefinitionId"] for r in roles.json()["value"]] == [cloud_app_admin.template_id]
    assert app.get("roleManagement/directory/roleAssignments").status_code == 400  # filter required
    assert app.get("me/memberOf").status_code == 400  # app-only token
    user = GraphClient(
        emulator,
        emulator.issuer.issue(TENANT_ID, "fake-public-client", scopes=["Directory.Read.All"], user_id=admin_id),
    )
    member_of = user.get("me/memberOf").json()["value"]
    assert member_of[0]["@odata.type"] == "#microsoft.graph.directoryRole"
    assert member_of[0]["roleTemplateId"] == cloud_app_admin.template_id


def test_rejected_query_options_and_unknown_paths(graph: GraphClient) -> None:
    for option in ("$expand", "$search", "$orderby", "$count", "$skip"):
        response = graph.get("servicePrincipals", **{option: "x"})
        assert response.status_code == 400, option
    assert graph.get("servicePrincipals", **{"$filter": "startswith(displayName,'E')"}).status_code == 400
    assert graph.get("servicePrincipals", **{"$filter": "appId ne 'x'"}).status_code == 400
    assert graph.get("applications").status_code == 400
    assert graph.get("policies/noSuchPolicy").status_code == 404
    unknown = graph.session.get(f"{graph.emulator.base_url}/nothing/here", timeout=10)
    assert unknown.status_code == 404


def test_authentication_required_and_tenant_from_token(graph: GraphClient, emulator: Emulator) -> None:
    session = emulator.session()
    assert session.get(f"{emulator.graph_base}/{SP_BY_APP_ID}").status_code == 401
    forged = session.get(f"{emulator.graph_base}/{SP_BY_APP_ID}", headers={"Authorization": "Bearer a.b.c"})
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "InvalidAuthenticationToken"
    emulator.add_tenant(scenarios.empty_tenant(OTHER_TENANT_ID))
    other = GraphClient(emulator, emulator.issue_token(OTHER_TENANT_ID))
    assert other.get(SP_BY_APP_ID).status_code == 404  # the other tenant has no Enpass SP


def test_missing_permission_is_403(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID, client_roles=["Application.Read.All"]))
    client = GraphClient(emulator, emulator.issue_token(TENANT_ID))
    assert client.get(SP_BY_APP_ID).status_code == 200
    denied = client.get("policies/authorizationPolicy")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "Authorization_RequestDenied"
    emulator.graph.enforce_permissions = False
    assert client.get("policies/authorizationPolicy").status_code == 200


def test_writes_are_not_emulated(graph: GraphClient) -> None:
    response = graph.session.post(f"{graph.emulator.graph_base}/oauth2PermissionGrants", json={}, timeout=10)
    assert response.status_code == 405
