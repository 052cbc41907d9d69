"""Graph's JSON -> the audit's records, field by field, for a full answer and for one that leaves fields out."""

from __future__ import annotations

from enpass_consent.audit.state import AppRoleAssignment, Grant, Owner, ServicePrincipal, TenantState
from enpass_consent.settings import Assignee, AssigneeKind


def test_an_owner_full_and_limited() -> None:
    full = {"id": "AB12CD34-0000-4000-8000-000000000001", "@odata.type": "#microsoft.graph.user", "displayName": "Ann"}
    assert Owner.from_graph(full) == Owner("ab12cd34-0000-4000-8000-000000000001", "#microsoft.graph.user", "Ann")
    # Graph's limited information about an object type the reader may not read: the id alone, or nulls.
    assert Owner.from_graph({"id": "x1"}) == Owner("x1", "", "")
    assert Owner.from_graph({"id": "x1", "@odata.type": None, "displayName": None}) == Owner("x1", "", "")


def test_an_app_role_assignment_full_and_sparse() -> None:
    full = {
        "id": "Assign-ID_1",
        "appRoleId": "AAAA0000-0000-4000-8000-000000000001",
        "principalId": "BBBB0000-0000-4000-8000-000000000001",
        "principalType": "Group",
        "principalDisplayName": "Team (EU)",
        "resourceId": "CCCC0000-0000-4000-8000-000000000001",
        "resourceDisplayName": "Microsoft Graph",
    }
    assert AppRoleAssignment.from_graph(full) == AppRoleAssignment(
        "Assign-ID_1",
        "aaaa0000-0000-4000-8000-000000000001",
        "bbbb0000-0000-4000-8000-000000000001",
        "Group",
        "Team (EU)",
        "cccc0000-0000-4000-8000-000000000001",
        "Microsoft Graph",
    )
    assert AppRoleAssignment.from_graph({"id": "a"}) == AppRoleAssignment("a", "", "", "", "", "", "")
    nulls = {"id": "a", "principalDisplayName": None, "resourceDisplayName": None}
    assert AppRoleAssignment.from_graph(nulls) == AppRoleAssignment("a", "", "", "", "", "", "")


def test_a_grant_full_and_sparse() -> None:
    body = {
        "id": "Grant_1",
        "consentType": "Principal",
        "principalId": "DDDD0000-0000-4000-8000-000000000001",
        "resourceId": "EEEE0000-0000-4000-8000-000000000001",
        "scope": " User.Read  offline_access ",
    }
    assert Grant.from_graph(body) == Grant(
        "Grant_1",
        "Principal",
        "dddd0000-0000-4000-8000-000000000001",
        "eeee0000-0000-4000-8000-000000000001",
        ("User.Read", "offline_access"),
    )
    assert Grant.from_graph({"id": "g", "principalId": None, "scope": None}) == Grant("g", "", None, "", ())


def test_a_service_principal_sparse_takes_graphs_defaults() -> None:
    assert ServicePrincipal.from_graph({"id": "sp"}) == ServicePrincipal("sp", "", True, False)
    nulls = {
        "id": "sp",
        "notes": None,
        "description": None,
        "loginUrl": None,
        "preferredSingleSignOnMode": None,
        "tags": None,
        "alternativeNames": None,
        "notificationEmailAddresses": None,
    }
    assert ServicePrincipal.from_graph(nulls) == ServicePrincipal("sp", "", True, False)


def test_a_service_principal_full_with_its_owners() -> None:
    body = {
        "id": "5E5E5E5E-0000-4000-8000-000000000001",
        "appId": "0ABC0000-0000-4000-8000-000000000001",
        "accountEnabled": False,
        "appRoleAssignmentRequired": True,
        "tags": ["HideApp", "WindowsAzureActiveDirectoryIntegratedApp"],
        "notes": "Owned by IT",
        "notificationEmailAddresses": ["it@contoso.com", "sec@contoso.com"],
        "description": "Password manager",
        "loginUrl": "https://contoso.enpass.io/login",
        "preferredSingleSignOnMode": "oidc",
        "alternativeNames": ["enpass-alt"],
    }
    owners = [
        {"id": "AB000000-0000-4000-8000-000000000001", "@odata.type": "#microsoft.graph.user", "displayName": "Ann"}
    ]
    # The SP's own ids keep Graph's spelling (only owners and grant/assignment references are lower-cased).
    assert ServicePrincipal.from_graph(body, owners) == ServicePrincipal(
        object_id="5E5E5E5E-0000-4000-8000-000000000001",
        app_id="0ABC0000-0000-4000-8000-000000000001",
        account_enabled=False,
        app_role_assignment_required=True,
        tags=("HideApp", "WindowsAzureActiveDirectoryIntegratedApp"),
        notes="Owned by IT",
        notification_email_addresses=("it@contoso.com", "sec@contoso.com"),
        description="Password manager",
        login_url="https://contoso.enpass.io/login",
        preferred_single_sign_on_mode="oidc",
        alternative_names=("enpass-alt",),
        owners=(Owner("ab000000-0000-4000-8000-000000000001", "#microsoft.graph.user", "Ann"),),
    )


def test_grant_lookups_without_a_match_are_none() -> None:
    graph = "a0000000-0000-4000-8000-000000000001"
    user = "aaaaaaaa-0000-4000-8000-000000000001"
    other_user = "aaaaaaaa-0000-4000-8000-000000000002"
    foreign_tenant_wide = Grant("g-1", "AllPrincipals", None, "d0000000-0000-4000-8000-000000000001", ("x",))
    foreign_user = Grant("g-2", "Principal", user, "d0000000-0000-4000-8000-000000000001", ("x",))
    other_users = Grant("g-3", "Principal", other_user, graph, ("User.Read",))
    state = TenantState(None, graph_service_principal_id=graph, grants=(foreign_tenant_wide, foreign_user, other_users))
    assert state.tenant_wide_grant() is None
    assert state.user_grant(user) is None
    assert TenantState(None, graph_service_principal_id=graph).tenant_wide_grant() is None


def test_principal_ids_of_each_kind_of_entry() -> None:
    named = Assignee("Team", AssigneeKind.GROUP, None, "Team")
    state = TenantState(None, group_matches={"Team": ("AAAA0000-0000-4000-8000-000000000001", "b")})
    assert state.principal_ids(named) == ("aaaa0000-0000-4000-8000-000000000001", "b")
    assert TenantState(None).principal_ids(named) == ()
    by_id = Assignee("X", AssigneeKind.USER, "cccc0000-0000-4000-8000-000000000001", None)
    assert TenantState(None).principal_ids(by_id) == ("cccc0000-0000-4000-8000-000000000001",)
