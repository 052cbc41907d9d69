"""The settings that describe a tenant as it is, and what they cannot hold (pure; tables written by hand)."""

from __future__ import annotations

from enpass_consent import catalog
from enpass_consent.audit.state import AppRoleAssignment, Grant, ServicePrincipal, TenantState
from enpass_consent.init.describe import Description, Principal, blank, describe
from enpass_consent.settings import Adoption

TENANT = "11111111-2222-3333-4444-555555555555"
SP = "e0000000-0000-4000-8000-00000000e001"
GRAPH = "a0000000-0000-4000-8000-00000000a001"
OTHER_API = "b0000000-0000-4000-8000-00000000b001"
ALICE = "0a000000-0000-4000-8000-0000000000a1"
BOB = "0b000000-0000-4000-8000-0000000000b2"
TEAM = "6a000000-0000-4000-8000-000000000001"
ADMINS = "6b000000-0000-4000-8000-000000000002"
DEFAULT_ROLE = catalog.DEFAULT_ACCESS_APP_ROLE_ID
EIGHT = (
    "User.Read",
    "Files.ReadWrite.AppFolder",
    "offline_access",
    "Sites.ReadWrite.All",
    "Team.ReadBasic.All",
    "User.ReadBasic.All",
    "Channel.ReadBasic.All",
    "Group.Read.All",
)


def sp(
    *, required: bool = False, enabled: bool = True, tags: tuple[str, ...] = (), emails: tuple[str, ...] = ()
) -> ServicePrincipal:
    return ServicePrincipal(
        SP, catalog.ENPASS_APP_ID, enabled, required, tags=tags, notification_email_addresses=emails
    )


def tenant_wide(*scopes: str, grant_id: str = "g-all") -> Grant:
    return Grant(grant_id, "AllPrincipals", None, GRAPH, scopes)


def user_grant(user: str, *scopes: str, grant_id: str) -> Grant:
    return Grant(grant_id, "Principal", user, GRAPH, scopes)


def assigned(principal: str, kind: str, name: str, assignment_id: str, role: str = DEFAULT_ROLE) -> AppRoleAssignment:
    return AppRoleAssignment(assignment_id, role, principal, kind, name, SP)


def state(service_principal: ServicePrincipal | None = None, *grants: Grant, **kwargs: object) -> TenantState:
    return TenantState(service_principal or sp(), GRAPH, grants, **kwargs)  # type: ignore[arg-type]


def left_out(outcome_state: TenantState) -> list[tuple[str, str | None, object]]:
    outcome = describe(TENANT, None, None, outcome_state)
    return [(f.code, f.object_id, f.actual if f.actual is not None else f.expected) for f in outcome.left_out]


def test_the_default_consent_is_described_by_the_defaults() -> None:
    outcome = describe(TENANT, None, "contoso.com", state(None, tenant_wide(*reversed(EIGHT))))
    assert outcome.description == Description(
        TENANT,
        domain="contoso.com",
        read_from_tenant=True,
        service_principal_object_id=SP,
        assignment_required=False,
    )
    assert outcome.left_out == ()
    assert outcome.settings.adopt == Adoption(SP, "g-all")
    assert outcome.settings.scopes == tuple(sorted(EIGHT))


def test_allow_listed_scopes_are_kept_in_the_catalog_spelling_and_the_rest_left_out() -> None:
    grant = tenant_wide("openid", "Mail.Read", "user.read", "OFFLINE_ACCESS", "User.Read", "Directory.Read.All")
    outcome = describe(TENANT, None, None, state(None, grant))
    assert outcome.description.scopes == ("User.Read", "offline_access", "openid")
    assert [(f.code, f.actual) for f in outcome.left_out] == [
        ("SCOPE_EXTRA", "Mail.Read"),
        ("SCOPE_EXTRA", "Directory.Read.All"),
    ]


def test_sign_in_scopes_are_written_so_nothing_is_left_out() -> None:
    outcome = describe(TENANT, None, None, state(None, tenant_wide(*EIGHT, "profile", "email", "openid")))
    assert outcome.description.scopes == (*EIGHT, "openid", "profile", "email")
    assert outcome.left_out == ()


def test_a_grant_without_any_allow_listed_scope_keeps_the_default_and_lists_the_difference() -> None:
    assert left_out(state(None, tenant_wide("Mail.Read"))) == [
        *(("SCOPE_MISSING", "g-all", scope) for scope in sorted(EIGHT)),
        ("SCOPE_EXTRA", "g-all", "Mail.Read"),
    ]


def test_per_user_consent_without_a_tenant_wide_grant() -> None:
    grants = (
        user_grant(BOB, "User.Read", "Files.ReadWrite.AppFolder", "Mail.Read", grant_id="g-bob"),
        user_grant(ALICE, "User.Read", grant_id="g-alice"),
        Grant("g-foreign", "Principal", ALICE, OTHER_API, ("user_impersonation",)),
    )
    outcome = describe(TENANT, None, None, state(None, *grants))
    assert outcome.description.tenant_wide_consent is False
    assert outcome.description.consent_user_ids == (ALICE, BOB)  # sorted, each once
    # The union: nobody loses a scope they consented to; a narrower grant is SCOPE_MISSING.
    assert outcome.description.scopes == ("User.Read", "Files.ReadWrite.AppFolder")
    assert outcome.settings.adopt == Adoption(SP, None, {ALICE: "g-alice", BOB: "g-bob"})
    assert [(f.code, f.object_id, f.actual or f.expected) for f in outcome.left_out] == [
        ("SCOPE_MISSING", "g-alice", "Files.ReadWrite.AppFolder"),
        ("SCOPE_EXTRA", "g-bob", "Mail.Read"),
        ("FOREIGN_GRANT", "g-foreign", OTHER_API),
    ]


def test_user_grants_beside_a_tenant_wide_grant_are_left_out() -> None:
    grants = (user_grant(ALICE, "User.Read", grant_id="g-alice"), tenant_wide(*EIGHT))
    outcome = describe(TENANT, None, None, state(None, *grants))
    assert outcome.description.tenant_wide_consent is True
    assert outcome.description.consent_user_ids == ()
    assert [(f.code, f.object_id, f.actual) for f in outcome.left_out] == [("USER_GRANT", "g-alice", ALICE)]


def test_assigned_groups_and_users_by_object_id_sorted_by_name() -> None:
    assignments = (
        assigned(BOB, "User", "bob", "a-bob"),
        assigned(TEAM, "Group", "Team (EU)", "a-team"),
        assigned(ADMINS, "Group", "Admins", "a-admins"),
        assigned(ADMINS, "Group", "Admins", "a-admins"),  # the same assignment twice (paging overlap)
        assigned(ALICE, "User", "Alice", "a-alice"),
        assigned("5e000000-0000-4000-8000-000000000005", "ServicePrincipal", "Robot", "a-robot"),
        assigned(
            "0c000000-0000-4000-8000-0000000000c3", "User", "Carol", "a-carol", "1b4f816e-5eaf-48b9-8613-7923830595ad"
        ),
    )
    outcome = describe(TENANT, None, None, state(sp(required=True), tenant_wide(*EIGHT), assigned_to=assignments))
    assert outcome.description.groups == (Principal(ADMINS, "Admins"), Principal(TEAM, "Team (EU)"))
    assert outcome.description.users == (Principal(ALICE, "Alice"), Principal(BOB, "bob"))
    assert outcome.description.assignment_required is True
    assert outcome.settings.adopt.assignment_ids == {ADMINS: "a-admins", TEAM: "a-team", ALICE: "a-alice", BOB: "a-bob"}
    assert [(f.code, f.object_id) for f in outcome.left_out] == [
        ("ASSIGNMENT_EXTRA", "a-carol"),  # another app role than default access: the program would add one
        ("ASSIGNMENT_EXTRA", "a-robot"),  # a service principal: settings hold groups and users only
    ]


def test_assignment_required_with_nobody_assigned_is_left_out() -> None:
    outcome = describe(TENANT, None, None, state(sp(required=True), tenant_wide(*EIGHT)))
    assert outcome.description.assignment_required is None
    assert [(f.code, f.expected, f.actual) for f in outcome.left_out] == [("ASSIGNMENT_REQUIRED_MISMATCH", False, True)]


def test_assignments_that_restrict_nothing_are_left_out() -> None:
    assignments = (assigned(TEAM, "Group", "Team", "a-team"),)
    outcome = describe(TENANT, None, None, state(sp(required=False), tenant_wide(*EIGHT), assigned_to=assignments))
    assert (outcome.description.groups, outcome.description.assignment_required) == ((), False)
    assert [(f.code, f.object_id) for f in outcome.left_out] == [("ASSIGNMENT_EXTRA", "a-team")]


def test_the_service_principal_as_it_is() -> None:
    service_principal = sp(
        enabled=False,
        tags=(catalog.ENTERPRISE_APP_TAG, "hideApp"),
        emails=("it@contoso.com", "IT@contoso.com", "not an address", "sec@contoso.com"),
    )
    outcome = describe(TENANT, None, None, state(service_principal, tenant_wide(*EIGHT)))
    assert outcome.description.account_enabled is False
    assert outcome.description.hide_from_my_apps is True
    assert outcome.description.notification_emails == ("it@contoso.com", "sec@contoso.com")
    assert (outcome.settings.account_enabled, outcome.settings.hide_from_my_apps) == (False, True)
    assert outcome.left_out == ()  # the audit compares accountEnabled with the stack


def test_no_hide_app_tag_means_visible() -> None:
    outcome = describe(TENANT, None, None, state(sp(tags=(catalog.ENTERPRISE_APP_TAG,)), tenant_wide(*EIGHT)))
    assert outcome.description.hide_from_my_apps is False


def test_what_enpass_must_never_hold_is_left_out() -> None:
    permission = AppRoleAssignment(
        "p-1", "810c84a8-4a9e-49e6-bf7d-12d183f40d01", SP, "ServicePrincipal", "Enpass", GRAPH
    )
    grants = (tenant_wide(*EIGHT), Grant("g-foreign", "AllPrincipals", None, OTHER_API, ("user_impersonation",)))
    outcome = describe(TENANT, None, None, state(None, *grants, app_permissions=(permission,)))
    assert [(f.code, f.object_id) for f in outcome.left_out] == [
        ("FOREIGN_GRANT", "g-foreign"),
        ("APP_PERMISSION", "p-1"),
    ]
    assert outcome.settings.adopt == Adoption(SP, "g-all")


def test_a_service_principal_without_consent_leaves_the_grant_out() -> None:
    outcome = describe(TENANT, None, None, state(None))
    assert outcome.description.tenant_wide_consent is True
    assert [f.code for f in outcome.left_out] == ["GRANT_MISSING"]
    assert outcome.settings.adopt == Adoption(SP)


def test_no_service_principal_gives_the_default_stack() -> None:
    outcome = describe(TENANT, "c1e17000-0000-4000-8000-00000000c11e", "contoso.com", TenantState(None))
    assert outcome.left_out == ()
    assert outcome.settings == blank(TENANT, "c1e17000-0000-4000-8000-00000000c11e").settings
    assert outcome.description.read_from_tenant is True
    assert outcome.description.service_principal_object_id is None
