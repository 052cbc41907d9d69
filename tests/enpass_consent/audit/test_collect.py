"""``audit.collect``: the reads of one tenant and the pure parser of their answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from enpass_consent import catalog, settings
from enpass_consent.audit import collect
from enpass_consent.audit.state import AppRoleAssignment, Grant, Owner
from enpass_consent.graph.client import BatchResult
from enpass_consent.graph.errors import BadResponseError, NotFoundError, PermissionDeniedError

TENANT = "10000000-0000-4000-8000-000000000001"
GROUP_ID = "0e0e0e0e-0000-4000-8000-000000000001"
TWIN_1 = "0E0E0E0E-0000-4000-8000-0000000000A1"
TWIN_2 = "0e0e0e0e-0000-4000-8000-0000000000a2"
SP_ID = "5e5e5e5e-0000-4000-8000-000000000001"


def parse(groups: list[str]) -> settings.Settings:
    return settings.parse({settings.TENANT_ID: TENANT, settings.GROUPS: json.dumps(groups)})


def answers(config: settings.Settings, **overrides: BatchResult) -> dict[str, BatchResult]:
    bodies: dict[str, Any] = {
        collect.SP: {"id": SP_ID, "appId": "x", "accountEnabled": True, "appRoleAssignmentRequired": True},
        collect.GRANTS: {"value": []},
        collect.APP_PERMISSIONS: {"value": []},
        collect.ASSIGNED_TO: {"value": []},
        collect.GRAPH_SP: {"id": "9a9a9a9a-0000-4000-8000-000000000001"},
        collect.OWNERS: {"value": []},
    }
    results = {
        request.id: BatchResult(request.id, 200, {}, bodies.get(request.id)) for request in collect.requests_for(config)
    }
    for read_id in collect.named_groups(config):
        results[read_id] = BatchResult(read_id, 200, {}, {"value": []})
    return {**results, **overrides}


def test_group_filters_are_keyed_by_the_entrys_position_in_the_settings() -> None:
    config = parse([GROUP_ID, "Twins", "Bob's Team"])
    groups = {r.id: r.url for r in collect.requests_for(config) if r.id.startswith("group")}
    assert list(groups) == [collect.group_read_id(1), collect.group_read_id(2)]
    assert {group.entry for group in collect.named_groups(config).values()} == {"Twins", "Bob's Team"}
    assert "Bob%27%27s%20Team" in groups[collect.group_read_id(2)]


def test_state_from_pairs_each_name_with_its_own_answer() -> None:
    config = parse([GROUP_ID, "Twins", "Nobody"])
    twins = BatchResult("group:1", 200, {}, {"value": [{"id": TWIN_1}, {"id": TWIN_2}]})
    state = collect.state_from(answers(config, **{"group:1": twins}), config)
    assert state.service_principal is not None and state.service_principal.object_id == SP_ID
    assert state.group_matches == {"Twins": (TWIN_1.lower(), TWIN_2), "Nobody": ()}


def test_no_sp_needs_no_other_answer() -> None:
    config = parse(["Twins"])
    refused = BatchResult("group:0", 403, {}, None)
    state = collect.state_from(answers(config, sp=BatchResult("sp", 404, {}, None), **{"group:0": refused}), config)
    assert state.service_principal is None


def test_failed_reads_raise_typed_errors_naming_the_item() -> None:
    config = parse([])
    body = {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges."}}
    with pytest.raises(PermissionDeniedError) as raised:
        collect.state_from(answers(config, grants=BatchResult("grants", 403, {}, body)), config)
    assert str(raised.value) == (
        "Graph returned 403 for $batch item grants (Authorization_RequestDenied: Insufficient privileges.)"
    )
    with pytest.raises(NotFoundError, match=r"^Graph returned 404 for \$batch item graphSp$"):
        collect.state_from(answers(config, graphSp=BatchResult("graphSp", 404, {}, "not json")), config)
    with pytest.raises(BadResponseError, match="batch item assignedTo: expected a 'value' list"):
        collect.state_from(answers(config, assignedTo=BatchResult("assignedTo", 200, {}, {"value": 1})), config)


def test_the_service_principals_properties_and_owners_are_read_in_the_same_batch() -> None:
    config = parse([])
    urls = {request.id: request.url for request in collect.requests_for(config)}
    enpass = f"/servicePrincipals(appId='{catalog.ENPASS_APP_ID}')"
    selected = urls[collect.SP].split("$select=", 1)[1].split(",")
    # Every property `pulumi up` writes to an existing SP (enpass_consent.service_principal) is read.
    assert set(selected) >= {
        "accountEnabled",
        "appRoleAssignmentRequired",
        "tags",
        "notes",
        "notificationEmailAddresses",
        "description",
        "loginUrl",
        "preferredSingleSignOnMode",
        "alternativeNames",
    }
    assert urls[collect.OWNERS] == f"{enpass}/owners?$select=id,displayName"
    assert not any("$expand" in url for url in urls.values())
    owner = {"@odata.type": "#microsoft.graph.user", "id": "AB000000-0000-4000-8000-000000000001", "displayName": "Ann"}
    sp_body = {
        "id": SP_ID,
        "appId": catalog.ENPASS_APP_ID,
        "accountEnabled": False,
        "appRoleAssignmentRequired": False,
        "tags": ["HideApp", "Custom"],
        "notes": None,
        "notificationEmailAddresses": ["it@contoso.com"],
        "description": "set by hand",
        "loginUrl": None,
        "preferredSingleSignOnMode": None,
        "alternativeNames": [],
    }
    state = collect.state_from(
        answers(
            config,
            sp=BatchResult("sp", 200, {}, sp_body),
            owners=BatchResult("owners", 200, {}, {"value": [owner]}),
        ),
        config,
    )
    sp = state.service_principal
    assert sp is not None
    assert (sp.account_enabled, sp.tags, sp.notes, sp.notification_email_addresses, sp.description) == (
        False,
        ("HideApp", "Custom"),
        "",
        ("it@contoso.com",),
        "set by hand",
    )
    assert sp.owners == (Owner("ab000000-0000-4000-8000-000000000001", "#microsoft.graph.user", "Ann"),)


def test_microsoft_graphs_app_roles_are_read_in_the_same_batch_and_named() -> None:
    config = parse([])
    (graph_read,) = [r for r in collect.requests_for(config) if r.id == collect.GRAPH_SP]
    assert graph_read.url.endswith("?$select=id,appRoles")
    roles = [
        {"id": "810C84A8-4A9E-49E6-BF7D-12D183F40D01", "value": "Mail.Read", "isEnabled": True},
        {"id": "df021288-bdef-4463-88db-98f22de89214", "value": "User.Read.All"},
        {"id": "00000000-0000-4000-8000-00000000000a", "value": None},  # a role without a value: no name
        {"value": "No.Id"},
        "not a role",
    ]
    body = {"id": "9a9a9a9a-0000-4000-8000-000000000001", "appRoles": roles}
    state = collect.state_from(answers(config, graphSp=BatchResult("graphSp", 200, {}, body)), config)
    assert state.graph_app_role_names == {
        "810c84a8-4a9e-49e6-bf7d-12d183f40d01": "Mail.Read",
        "df021288-bdef-4463-88db-98f22de89214": "User.Read.All",
    }
    weird = {"id": "9a9a9a9a-0000-4000-8000-000000000001", "appRoles": {"not": "a list"}}
    assert (
        collect.state_from(answers(config, graphSp=BatchResult("graphSp", 200, {}, weird)), config).graph_app_role_names
        == {}
    )


def test_a_group_name_filter_url_in_full() -> None:
    # $filter value percent-encoded whole (quote, slash included); OData doubles the single quote.
    assert collect.group_filter_url("Bob's Team/EU") == (
        "/groups?$filter=displayName%20eq%20%27Bob%27%27s%20Team%2FEU%27%20and%20securityEnabled%20eq%20true"
        "&$select=id,displayName"
    )
    assert collect.odata_string("it's") == "'it''s'"
    assert collect.odata_string("") == "''"


class RecordingClient:
    """Stands in for GraphClient: records the batch it is given and answers from a table."""

    def __init__(self, answers: dict[str, BatchResult]) -> None:
        self.answers = answers
        self.requested: list[tuple[str, str]] = []

    def batch(self, requests_: Any) -> dict[str, BatchResult]:
        self.requested = [(request.id, request.url) for request in requests_]
        return self.answers


def test_collect_sends_the_reads_of_the_settings_and_parses_their_answers() -> None:
    config = parse(["Twins"])
    twins = BatchResult("group:0", 200, {}, {"value": [{"id": TWIN_2}]})
    client = RecordingClient(answers(config, **{"group:0": twins}))
    state = collect.collect(client, config)  # type: ignore[arg-type]
    enpass = f"/servicePrincipals(appId='{catalog.ENPASS_APP_ID}')"
    assert dict(client.requested) == {
        "sp": f"{enpass}?$select=id,appId,accountEnabled,appRoleAssignmentRequired,tags,notes,"
        "notificationEmailAddresses,description,loginUrl,preferredSingleSignOnMode,alternativeNames",
        "grants": f"{enpass}/oauth2PermissionGrants",
        "appPermissions": f"{enpass}/appRoleAssignments",
        "assignedTo": f"{enpass}/appRoleAssignedTo",
        "owners": f"{enpass}/owners?$select=id,displayName",
        "graphSp": f"/servicePrincipals(appId='{catalog.MICROSOFT_GRAPH_APP_ID}')?$select=id,appRoles",
        "group:0": "/groups?$filter=displayName%20eq%20%27Twins%27%20and%20securityEnabled%20eq%20true"
        "&$select=id,displayName",
    }
    assert len(client.requested) == 7  # one read each, none twice
    assert state.service_principal is not None and state.service_principal.object_id == SP_ID
    assert state.group_matches == {"Twins": (TWIN_2,)}


def test_state_from_parses_every_collection_in_graphs_order() -> None:
    config = parse([])
    grants = [
        {
            "id": "g-2",
            "consentType": "AllPrincipals",
            "resourceId": "9A9A9A9A-0000-4000-8000-000000000001",
            "scope": "User.Read",
        },
        {
            "id": "g-1",
            "consentType": "Principal",
            "principalId": "AB000000-0000-4000-8000-000000000001",
            "resourceId": "x",
            "scope": "a b",
        },
    ]
    permissions = [
        {"id": "p-1", "appRoleId": "R1", "principalId": SP_ID, "principalType": "ServicePrincipal", "resourceId": "x"}
    ]
    assigned = [
        {"id": "as-2", "appRoleId": "R0", "principalId": "U2", "principalType": "User", "resourceId": SP_ID},
        {"id": "as-1", "appRoleId": "R0", "principalId": "G1", "principalType": "Group", "resourceId": SP_ID},
    ]
    state = collect.state_from(
        answers(
            config,
            grants=BatchResult("grants", 200, {}, {"value": grants}),
            appPermissions=BatchResult("appPermissions", 200, {}, {"value": permissions}),
            assignedTo=BatchResult("assignedTo", 200, {}, {"value": assigned}),
        ),
        config,
    )
    assert state.graph_service_principal_id == "9a9a9a9a-0000-4000-8000-000000000001"
    assert state.grants == (
        Grant("g-2", "AllPrincipals", None, "9a9a9a9a-0000-4000-8000-000000000001", ("User.Read",)),
        Grant("g-1", "Principal", "ab000000-0000-4000-8000-000000000001", "x", ("a", "b")),
    )
    assert state.app_permissions == (AppRoleAssignment("p-1", "r1", SP_ID, "ServicePrincipal", "", "x"),)
    assert state.assigned_to == (
        AppRoleAssignment("as-2", "r0", "u2", "User", "", SP_ID),
        AppRoleAssignment("as-1", "r0", "g1", "Group", "", SP_ID),
    )


@pytest.mark.parametrize("graph_body", [{}, {"id": None}, {"id": ""}], ids=["no id", "null id", "empty id"])
def test_microsoft_graphs_sp_without_an_id_is_no_graph_sp(graph_body: dict[str, Any]) -> None:
    config = parse([])
    state = collect.state_from(answers(config, graphSp=BatchResult("graphSp", 200, {}, graph_body)), config)
    assert state.graph_service_principal_id is None
