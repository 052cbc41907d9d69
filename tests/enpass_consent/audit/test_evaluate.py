"""The evaluator table: each finding code with the objectId/expected/actual of docs/reference.md#finding-codes."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from enpass_consent import catalog, settings
from enpass_consent.audit.evaluate import evaluate
from enpass_consent.audit.state import AppRoleAssignment, Grant, ServicePrincipal, TenantState
from enpass_consent.findings import CODES

TENANT = "11111111-2222-3333-4444-555555555555"
SP = "e0000000-0000-4000-8000-000000000001"
GRAPH = "a0000000-0000-4000-8000-000000000001"
OTHER_API = "d0000000-0000-4000-8000-000000000001"
USER_A = "aaaaaaaa-0000-4000-8000-000000000001"
USER_B = "aaaaaaaa-0000-4000-8000-000000000002"
GROUP_1 = "bbbbbbbb-0000-4000-8000-000000000001"
GROUP_2 = "bbbbbbbb-0000-4000-8000-000000000002"
TENANT_GRANT = Grant("grant-all", "AllPrincipals", None, GRAPH, catalog.ENPASS_SCOPE_NAMES)


def stack(**project: Any) -> settings.Settings:
    config = {settings.TENANT_ID: TENANT}
    config.update({f"enpass-consent:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in project.items()})
    return settings.parse(config)


def tenant(**changes: Any) -> TenantState:
    base = TenantState(
        service_principal=ServicePrincipal(SP, catalog.ENPASS_APP_ID, True, False),
        graph_service_principal_id=GRAPH,
        grants=(TENANT_GRANT,),
    )
    return replace(base, **changes)


def assignment(
    assignment_id: str, principal: str, kind: str = "Group", role: str = catalog.DEFAULT_ACCESS_APP_ROLE_ID
) -> AppRoleAssignment:
    return AppRoleAssignment(assignment_id, role, principal, kind, "", SP)


def rows(desired: settings.Settings, state: TenantState) -> list[tuple[Any, ...]]:
    return [(f.code, f.severity.value, f.object_id, f.expected, f.actual) for f in evaluate(desired, state)]


def sp_with(**changes: Any) -> ServicePrincipal:
    return replace(ServicePrincipal(SP, catalog.ENPASS_APP_ID, True, False), **changes)


CASES: list[tuple[str, settings.Settings, TenantState, list[tuple[Any, ...]]]] = [
    ("in sync, defaults", stack(), tenant(), []),
    (
        "in sync, scopes in another case and order",
        stack(),
        tenant(grants=(replace(TENANT_GRANT, scopes=tuple(s.upper() for s in reversed(catalog.ENPASS_SCOPE_NAMES))),)),
        [],
    ),
    (
        "in sync, groups by id and name, a user",
        stack(groups=[GROUP_1, "Enpass Users"], users=[USER_A]),
        tenant(
            service_principal=sp_with(app_role_assignment_required=True),
            assigned_to=(assignment("as-1", GROUP_1), assignment("as-2", GROUP_2), assignment("as-3", USER_A, "User")),
            group_matches={"Enpass Users": (GROUP_2,)},
        ),
        [],
    ),
    (
        "SP missing is the only finding",
        stack(groups=[GROUP_1]),
        TenantState(service_principal=None),
        [("SP_MISSING", "high", None, catalog.ENPASS_APP_ID, None)],
    ),
    (
        "SP disabled while the stack enables it",
        stack(),
        tenant(service_principal=sp_with(account_enabled=False)),
        [("SP_DISABLED", "high", SP, None, None)],
    ),
    (
        "SP disabled on purpose (accountEnabled false) is in sync",
        stack(accountEnabled=False),
        tenant(service_principal=sp_with(account_enabled=False)),
        [],
    ),
    (
        "SP enabled while the stack turns Enpass off",
        stack(accountEnabled=False),
        tenant(),
        [("SP_ENABLED", "high", SP, False, True)],
    ),
    (
        "assignment required mismatch",
        stack(),
        tenant(service_principal=sp_with(app_role_assignment_required=True)),
        [("ASSIGNMENT_REQUIRED_MISMATCH", "medium", SP, False, True)],
    ),
    ("grant missing is one finding", stack(), tenant(grants=()), [("GRANT_MISSING", "high", None, None, None)]),
    (
        "grant unexpected when per-user only",
        stack(tenantWideConsent=False, consentUsers=[USER_A]),
        tenant(grants=(TENANT_GRANT, Grant("grant-a", "Principal", USER_A, GRAPH, catalog.ENPASS_SCOPE_NAMES))),
        [("GRANT_UNEXPECTED", "high", "grant-all", None, None)],
    ),
    (
        "scope missing",
        stack(),
        tenant(
            grants=(
                replace(TENANT_GRANT, scopes=tuple(s for s in catalog.ENPASS_SCOPE_NAMES if s != "Group.Read.All")),
            )
        ),
        [("SCOPE_MISSING", "high", "grant-all", "Group.Read.All", None)],
    ),
    (
        "scope extra",
        stack(),
        tenant(grants=(replace(TENANT_GRANT, scopes=(*catalog.ENPASS_SCOPE_NAMES, "Mail.Read")),)),
        [("SCOPE_EXTRA", "high", "grant-all", None, "Mail.Read")],
    ),
    (
        "sign-in scopes held but not asked for are info",
        stack(),
        tenant(grants=(replace(TENANT_GRANT, scopes=(*catalog.ENPASS_SCOPE_NAMES, "openid", "Profile")),)),
        [("SCOPE_EXTRA", "info", "grant-all", None, "openid"), ("SCOPE_EXTRA", "info", "grant-all", None, "Profile")],
    ),
    (
        "sign-in scopes asked for and missing are high",
        stack(scopes=[*catalog.ENPASS_SCOPE_NAMES, "email"]),
        tenant(),
        [("SCOPE_MISSING", "high", "grant-all", "email", None)],
    ),
    (
        "per-user grant of a user not in consentUsers",
        stack(),
        tenant(grants=(TENANT_GRANT, Grant("grant-b", "Principal", USER_B, GRAPH, ("User.Read",)))),
        [("USER_GRANT", "medium", "grant-b", None, USER_B)],
    ),
    (
        "per-user grant missing",
        stack(tenantWideConsent=False, consentUsers=[USER_A, USER_B]),
        tenant(grants=(Grant("grant-a", "Principal", USER_A, GRAPH, catalog.ENPASS_SCOPE_NAMES),)),
        [("USER_GRANT_MISSING", "medium", None, USER_B, None)],
    ),
    (
        "per-user grant with an extra scope",
        stack(tenantWideConsent=False, consentUsers=[USER_A]),
        tenant(
            grants=(Grant("grant-a", "Principal", USER_A, GRAPH, (*catalog.ENPASS_SCOPE_NAMES, "Files.ReadWrite.All")),)
        ),
        [("SCOPE_EXTRA", "high", "grant-a", None, "Files.ReadWrite.All")],
    ),
    (
        "foreign grant, whatever its consent type",
        stack(),
        tenant(
            grants=(
                TENANT_GRANT,
                Grant("grant-x", "AllPrincipals", None, OTHER_API, ("user_impersonation",)),
                Grant("grant-y", "Principal", USER_A, OTHER_API, ("x",)),
            )
        ),
        [("FOREIGN_GRANT", "high", "grant-x", None, OTHER_API), ("FOREIGN_GRANT", "high", "grant-y", None, OTHER_API)],
    ),
    (
        "application permission",
        stack(),
        tenant(
            app_permissions=(
                AppRoleAssignment(
                    "perm-1", "df021288-bdef-4463-88db-98f22de89214", SP, "ServicePrincipal", "Enpass", GRAPH
                ),
            )
        ),
        [("APP_PERMISSION", "critical", "perm-1", None, "df021288-bdef-4463-88db-98f22de89214")],
    ),
    (
        "assignment missing",
        stack(groups=[GROUP_1], users=[USER_A]),
        tenant(
            service_principal=sp_with(app_role_assignment_required=True), assigned_to=(assignment("as-1", GROUP_1),)
        ),
        [("ASSIGNMENT_MISSING", "medium", None, USER_A, None)],
    ),
    (
        "group name matching no security group",
        stack(groups=["Ghosts"]),
        tenant(service_principal=sp_with(app_role_assignment_required=True), group_matches={"Ghosts": ()}),
        [("ASSIGNMENT_MISSING", "medium", None, "Ghosts", None)],
    ),
    (
        "group name matching several security groups",
        stack(groups=["Bob's Team"]),
        tenant(
            service_principal=sp_with(app_role_assignment_required=True),
            assigned_to=(assignment("as-1", GROUP_1),),
            group_matches={"Bob's Team": (GROUP_1, GROUP_2)},
        ),
        [("ASSIGNMENT_MISSING", "medium", None, "Bob's Team", None)],
    ),
    (
        "assignment extra",
        stack(groups=[GROUP_1]),
        tenant(
            service_principal=sp_with(app_role_assignment_required=True),
            assigned_to=(assignment("as-1", GROUP_1), assignment("as-9", USER_B, "User")),
        ),
        [("ASSIGNMENT_EXTRA", "medium", "as-9", None, USER_B)],
    ),
]


@pytest.mark.parametrize(("desired", "state", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_evaluate(desired: settings.Settings, state: TenantState, expected: list[tuple[Any, ...]]) -> None:
    assert rows(desired, state) == expected


def test_every_code_is_covered_by_the_table() -> None:
    covered = {row[0] for case in CASES for row in case[3]}
    assert covered == set(CODES)


def test_messages_are_specific() -> None:
    (found,) = evaluate(
        stack(), tenant(grants=(replace(TENANT_GRANT, scopes=(*catalog.ENPASS_SCOPE_NAMES, "Mail.Read")),))
    )
    assert found.message == "Grant grant-all holds Mail.Read, which the stack does not ask for."
    assert found.to_json() == {
        "code": "SCOPE_EXTRA",
        "severity": "high",
        "message": found.message,
        "objectId": "grant-all",
        "expected": None,
        "actual": "Mail.Read",
    }


def test_tenant_state_lookups() -> None:
    from enpass_consent.audit.state import missing_scopes

    user_grant = Grant("grant-a", "Principal", USER_A, GRAPH, ("User.Read",))
    foreign = Grant("grant-x", "AllPrincipals", None, OTHER_API, ("x",))
    state = tenant(grants=(foreign, user_grant, TENANT_GRANT), group_matches={"Twins": (GROUP_1.upper(), GROUP_2)})
    assert state.grants_on_graph() == [user_grant, TENANT_GRANT]
    assert state.tenant_wide_grant() == TENANT_GRANT and state.user_grant(USER_A) == user_grant
    assert state.user_grant(USER_B) is None
    twins, user = stack(groups=["Twins"], users=[USER_A]).assignees
    assert state.principal_ids(twins) == (GROUP_1, GROUP_2) and state.principal_ids(user) == (USER_A,)
    assert missing_scopes(["user.read", "Group.Read.All"], user_grant) == ["Group.Read.All"]


MAIL_READ_ROLE = "810c84a8-4a9e-49e6-bf7d-12d183f40d01"  # Graph's Mail.Read app role (any id works here)


@pytest.mark.parametrize(
    ("resource", "names", "message"),
    [
        (
            GRAPH,
            {MAIL_READ_ROLE: "Mail.Read"},
            f"Enpass holds application permission Mail.Read (app role {MAIL_READ_ROLE}) on Microsoft Graph {GRAPH}: "
            "it can act without a signed-in user.",
        ),
        (
            GRAPH,
            {},
            f"Enpass holds application permission app role {MAIL_READ_ROLE} (not among Microsoft Graph's app roles) "
            f"on Microsoft Graph {GRAPH}: it can act without a signed-in user.",
        ),
        (
            OTHER_API,
            {MAIL_READ_ROLE: "Mail.Read"},  # Graph's names never name another API's role
            f"Enpass holds application permission app role {MAIL_READ_ROLE} (its name is not read for APIs other "
            f"than Microsoft Graph) on Contoso API {OTHER_API}: it can act without a signed-in user.",
        ),
    ],
    ids=["graph role named", "graph role unknown", "other api"],
)
def test_app_permission_names_the_permission_beside_its_id(resource: str, names: dict[str, str], message: str) -> None:
    display = "Microsoft Graph" if resource == GRAPH else "Contoso API"
    permission = AppRoleAssignment("perm-1", MAIL_READ_ROLE, SP, "ServicePrincipal", "Enpass", resource, display)
    (found,) = evaluate(stack(), tenant(app_permissions=(permission,), graph_app_role_names=names))
    assert found.message == message
    assert (found.code, found.object_id, found.actual) == ("APP_PERMISSION", "perm-1", MAIL_READ_ROLE)  # the contract


def test_messages_of_grant_findings_in_full() -> None:
    state = tenant(
        grants=(
            replace(TENANT_GRANT, scopes=(*catalog.ENPASS_SCOPE_NAMES, "Mail.Read", "openid")),
            Grant("grant-x", "AllPrincipals", None, OTHER_API, ("user_impersonation",)),
        )
    )
    assert [f.message for f in evaluate(stack(), state)] == [
        "Grant grant-all holds Mail.Read, which the stack does not ask for.",
        "Grant grant-all holds openid, which the stack does not ask for (a sign-in scope: no data access).",
        f"Grant grant-x (AllPrincipals) is on resource {OTHER_API}, not Microsoft Graph.",
    ]


MESSAGE_CASES: list[tuple[str, settings.Settings, TenantState, list[str]]] = [
    (
        "no service principal",
        stack(),
        TenantState(service_principal=None),
        ["Enpass has no service principal in this tenant: nobody has consented yet."],
    ),
    (
        "disabled, assignment required differs, no grant",
        stack(),
        tenant(service_principal=sp_with(account_enabled=False, app_role_assignment_required=True), grants=()),
        [
            "The Enpass service principal is disabled.",
            "appRoleAssignmentRequired is true, the stack says false.",
            "No tenant-wide grant to Microsoft Graph: users see 'Need admin approval'.",
        ],
    ),
    (
        "enabled while the stack turns Enpass off; assignment not required while the stack requires it",
        stack(accountEnabled=False, groups=[GROUP_1]),
        tenant(assigned_to=(assignment("as-1", GROUP_1),)),
        [
            "The Enpass service principal is enabled, the stack turns Enpass off (accountEnabled: false).",
            "appRoleAssignmentRequired is false, the stack says true.",
        ],
    ),
    (
        "per-user stack: the tenant-wide grant, a stranger's grant, a missing user, a missing scope",
        stack(tenantWideConsent=False, consentUsers=[USER_A, USER_B]),
        tenant(
            grants=(
                Grant("grant-c", "Principal", GROUP_1, GRAPH, ("User.Read", "Mail.Read")),
                TENANT_GRANT,
                Grant(
                    "grant-b",
                    "Principal",
                    USER_B,
                    GRAPH,
                    tuple(s for s in catalog.ENPASS_SCOPE_NAMES if s != "Group.Read.All"),
                ),
            )
        ),
        [
            "Tenant-wide grant grant-all exists, but the stack consents per user only.",
            "Grant grant-b lacks Group.Read.All: users get 'Need admin approval' when Enpass asks for it.",
            f"User {GROUP_1} consented to Enpass for themselves (grant grant-c: User.Read Mail.Read).",
            f"User {USER_A} is in consentUsers but has no grant.",
        ],
    ),
    (
        "group names matching none and two; a user and a group by id not assigned",
        stack(groups=["Ghosts", "Twins", GROUP_1], users=[USER_A]),
        tenant(
            service_principal=sp_with(app_role_assignment_required=True),
            group_matches={"Ghosts": (), "Twins": (GROUP_1, GROUP_2)},
        ),
        [
            "Group name 'Ghosts' matches no security group; it must match exactly one.",
            "Group name 'Twins' matches 2 security groups; it must match exactly one.",
            f"Group '{GROUP_1}' is not assigned to Enpass.",
            f"User '{USER_A}' is not assigned to Enpass.",
        ],
    ),
    (
        "assignments not in the stack: with and without a display name and a principal type",
        stack(),
        tenant(
            assigned_to=(
                AppRoleAssignment("as-3", catalog.DEFAULT_ACCESS_APP_ROLE_ID, USER_B, "", "", SP),
                AppRoleAssignment("as-1", catalog.DEFAULT_ACCESS_APP_ROLE_ID, GROUP_2, "Group", "Sales", SP),
                AppRoleAssignment("as-2", catalog.DEFAULT_ACCESS_APP_ROLE_ID, USER_A, "User", "", SP),
            )
        ),
        [
            f"Group {GROUP_2} (Sales) is assigned to Enpass but not in the stack.",
            f"User {USER_A} is assigned to Enpass but not in the stack.",
            f"Principal {USER_B} is assigned to Enpass but not in the stack.",
        ],
    ),
    (
        "an application permission on a resource Graph gave no display name",
        stack(),
        tenant(app_permissions=(AppRoleAssignment("perm-1", "r-1", SP, "ServicePrincipal", "Enpass", OTHER_API),)),
        [
            f"Enpass holds application permission app role r-1 (its name is not read for APIs other than Microsoft "
            f"Graph) on resource {OTHER_API}: it can act without a signed-in user."
        ],
    ),
]


@pytest.mark.parametrize(
    ("desired", "state", "messages"), [c[1:] for c in MESSAGE_CASES], ids=[c[0] for c in MESSAGE_CASES]
)
def test_finding_messages_in_full(desired: settings.Settings, state: TenantState, messages: list[str]) -> None:
    assert [f.message for f in evaluate(desired, state)] == messages


def test_findings_of_every_grant_and_object_are_kept_in_id_order_whatever_graphs_order() -> None:
    # Graph's collections come in no promised order; the report lists grants, app permissions and
    # assignments by their id, and a finding of one object never replaces another's.
    desired = stack(tenantWideConsent=False, consentUsers=[USER_B, USER_A], groups=["Ghosts", "Twins"])
    wanted = catalog.ENPASS_SCOPE_NAMES
    state = tenant(
        service_principal=sp_with(account_enabled=False, app_role_assignment_required=True),
        grants=(
            Grant("grant-u2", "Principal", USER_B, GRAPH, (*wanted, "Mail.Read")),
            Grant("grant-u1", "Principal", USER_A, GRAPH, (*wanted, "Files.Read")),
        ),
        app_permissions=(
            AppRoleAssignment("perm-2", "r-2", SP, "ServicePrincipal", "", OTHER_API),
            AppRoleAssignment("perm-1", "r-1", SP, "ServicePrincipal", "", OTHER_API),
        ),
        assigned_to=(assignment("as-2", USER_B, "User"), assignment("as-1", USER_A, "User")),
        group_matches={"Ghosts": (), "Twins": ()},
    )
    assert rows(desired, state) == [
        ("SP_DISABLED", "high", SP, None, None),
        ("SCOPE_EXTRA", "high", "grant-u1", None, "Files.Read"),
        ("SCOPE_EXTRA", "high", "grant-u2", None, "Mail.Read"),
        ("APP_PERMISSION", "critical", "perm-1", None, "r-1"),
        ("APP_PERMISSION", "critical", "perm-2", None, "r-2"),
        ("ASSIGNMENT_MISSING", "medium", None, "Ghosts", None),
        ("ASSIGNMENT_MISSING", "medium", None, "Twins", None),
        ("ASSIGNMENT_EXTRA", "medium", "as-1", None, USER_A),
        ("ASSIGNMENT_EXTRA", "medium", "as-2", None, USER_B),
    ]


def test_findings_of_a_tenant_wide_grant_follow_earlier_findings() -> None:
    state = tenant(
        service_principal=sp_with(account_enabled=False),
        grants=(
            replace(TENANT_GRANT, scopes=(*catalog.ENPASS_SCOPE_NAMES, "Mail.Read")),
            Grant("grant-1", "Principal", USER_B, GRAPH, ("User.Read",)),
            Grant("grant-0", "AllPrincipals", None, OTHER_API, ("x",)),
        ),
    )
    assert rows(stack(), state) == [
        ("SP_DISABLED", "high", SP, None, None),
        ("FOREIGN_GRANT", "high", "grant-0", None, OTHER_API),
        ("USER_GRANT", "medium", "grant-1", None, USER_B),
        ("SCOPE_EXTRA", "high", "grant-all", None, "Mail.Read"),
    ]


RECORDED = "e0000000-0000-4000-8000-00000000000f"


@pytest.mark.parametrize(
    ("recorded", "state", "mismatch"),
    [
        (None, tenant(), False),
        (RECORDED, TenantState(service_principal=None), False),
        (SP, tenant(), False),
        (SP.upper(), tenant(), False),
        (SP, tenant(service_principal=sp_with(object_id=SP.upper())), False),
        (RECORDED, tenant(), True),
    ],
    ids=["nothing recorded", "no sp in the tenant", "same id", "same id upper case", "tenant id upper case", "another"],
)
def test_recorded_service_principal_mismatch(recorded: str | None, state: TenantState, mismatch: bool) -> None:
    from enpass_consent.audit.evaluate import recorded_service_principal_mismatch

    message = recorded_service_principal_mismatch(recorded, state)
    if not mismatch:
        assert message is None
        return
    assert message == (
        f"enpass-consent:adopt.servicePrincipalObjectId records service principal {RECORDED}, but the tenant's Enpass service principal is "
        f"{SP}: the adopt block belongs to another service principal (a stack file copied from another tenant, or "
        "Enpass deleted and consented again); remove the block and run `enpass-consent adopt` again"
    )


def test_recorded_service_principal_mismatch_names_the_tenants_id_in_lower_case() -> None:
    from enpass_consent.audit.evaluate import recorded_service_principal_mismatch

    message = recorded_service_principal_mismatch(RECORDED, tenant(service_principal=sp_with(object_id=SP.upper())))
    assert message is not None and f"the tenant's Enpass service principal is {SP}:" in message
