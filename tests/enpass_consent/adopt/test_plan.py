"""The pure adoption plan: what is adopted, what `pulumi up` changes, what is left alone."""

from __future__ import annotations

from enpass_consent import catalog, settings
from enpass_consent.adopt.plan import AdoptedObject, plan_adoption
from enpass_consent.audit.state import AppRoleAssignment, Grant, ServicePrincipal, TenantState
from enpass_consent.service_principal import MANAGED_NOTE

TENANT = "11111111-2222-3333-4444-555555555555"
SP = "5e000000-0000-4000-8000-0000000000e1"
GRAPH = "5e000000-0000-4000-8000-0000000000a1"
GROUP = "9a000000-0000-4000-8000-000000000001"
OTHER = "9a000000-0000-4000-8000-000000000002"


def desired(**config: str) -> settings.Settings:
    return settings.parse({"azuread:tenantId": TENANT, **{f"enpass-consent:{k}": v for k, v in config.items()}})


def assignment(assignment_id: str, principal: str, role: str = catalog.DEFAULT_ACCESS_APP_ROLE_ID) -> AppRoleAssignment:
    return AppRoleAssignment(assignment_id, role, principal, "Group", "", SP)


def state(
    *grants: Grant, assigned: tuple[AppRoleAssignment, ...] = (), matches: dict[str, tuple[str, ...]] | None = None
) -> TenantState:
    return TenantState(
        ServicePrincipal(SP, catalog.ENPASS_APP_ID, True, True),
        GRAPH,
        grants,
        (),
        assigned,
        matches or {},
    )


def test_no_sp_nothing_to_adopt() -> None:
    assert plan_adoption(desired(), TenantState(None)).adoption is None


def test_adopts_grant_and_the_unique_group_assignment_only() -> None:
    grant = Grant("g1", "AllPrincipals", None, GRAPH, (*catalog.ENPASS_SCOPE_NAMES, "Mail.Read"))
    plan = plan_adoption(
        desired(groups='["Team", "Twins"]'),
        state(
            grant,
            assigned=(assignment("a1", GROUP), assignment("a2", OTHER)),
            matches={"Team": (GROUP,), "Twins": (OTHER, "9a000000-0000-4000-8000-000000000003")},
        ),
    )
    assert plan.adoption is not None
    assert plan.adoption.grant_id == "g1"
    assert dict(plan.adoption.assignment_ids) == {"Team": "a1"}  # "Twins" names two groups: never guessed
    assert any("Mail.Read" in change and "remove it" in change for change in plan.changes)
    (twins,) = [change for change in plan.changes if "'Twins' matches 2 security groups" in change]
    assert twins.endswith(
        "-> `pulumi up` will stop with an error until the name matches exactly one security group "
        "(or the stack uses the group's object id)."
    )
    assert plan.left_alone == ()


def test_foreign_grants_and_app_roles_on_enpass_are_not_assignments() -> None:
    foreign = Grant("g2", "AllPrincipals", None, "5e000000-0000-4000-8000-0000000000f1", ("user_impersonation",))
    plan = plan_adoption(
        desired(users=f'["{GROUP}"]'),
        state(foreign, assigned=(assignment("a1", GROUP, role="5e000000-0000-4000-8000-0000000000bb"),)),
    )
    assert plan.adoption is not None
    assert plan.adoption.grant_id is None and dict(plan.adoption.assignment_ids) == {}
    assert {f.code for f in plan.left_alone} == {"FOREIGN_GRANT"}


def test_the_service_principals_own_properties_are_listed_as_sp_changes_not_findings() -> None:
    disabled = ServicePrincipal(SP, catalog.ENPASS_APP_ID, False, True, tags=("HideApp",))
    grant = Grant("g1", "AllPrincipals", None, GRAPH, catalog.ENPASS_SCOPE_NAMES)
    plan = plan_adoption(desired(), TenantState(disabled, GRAPH, (grant,)))
    assert [(c.name, c.current, c.future) for c in plan.service_principal_changes] == [
        ("accountEnabled", "false", "true"),
        ("appRoleAssignmentRequired", "true", "false"),
        ("tags", "HideApp", "WindowsAzureActiveDirectoryIntegratedApp"),
        ("notes", "(none)", f'"{MANAGED_NOTE}"'),
    ]
    # SP_DISABLED and ASSIGNMENT_REQUIRED_MISMATCH are what `pulumi up` changes, never "left alone".
    assert plan.changes == () and plan.left_alone == ()
    assert plan.adopted[0].kind == "service principal" and "use_existing" in plan.adopted[0].detail


USER_A = "aaaaaaaa-0000-4000-8000-00000000000a"
USER_B = "aaaaaaaa-0000-4000-8000-00000000000b"
USER_C = "aaaaaaaa-0000-4000-8000-00000000000c"


def test_per_user_grants_are_adopted_by_user_in_the_stacks_order() -> None:
    # consentUsers not sorted; the tenant's grants in another order, one on another API, one of a user the
    # stack does not name, and a user of the stack without a grant.
    stack = desired(tenantWideConsent="false", consentUsers=f'["{USER_B}", "{USER_C}", "{USER_A}"]')
    tenant = state(
        Grant("ug-a", "Principal", USER_A, GRAPH, ("User.Read",)),
        Grant("ug-foreign", "Principal", USER_C, "5e000000-0000-4000-8000-0000000000f1", ("user_impersonation",)),
        Grant("ug-other", "Principal", "aaaaaaaa-0000-4000-8000-0000000000ff", GRAPH, ("openid",)),
        Grant("ug-b", "Principal", USER_B, GRAPH, ()),
    )
    plan = plan_adoption(stack, tenant)
    assert plan.adoption is not None
    assert plan.adoption.grant_id is None
    assert dict(plan.adoption.user_grant_ids) == {USER_B: "ug-b", USER_A: "ug-a"}
    assert [(a.kind, a.object_id, a.detail) for a in plan.adopted] == [
        ("service principal", SP, f"Enpass ({catalog.ENPASS_APP_ID}), through use_existing"),
        ("user grant", "ug-b", f"user {USER_B}: (no scopes)"),
        ("user grant", "ug-a", f"user {USER_A}: User.Read"),
    ]
    assert f"User {USER_C} is in consentUsers but has no grant. -> `pulumi up` will create it." in plan.changes
    assert {(f.code, f.object_id) for f in plan.left_alone} == {
        ("FOREIGN_GRANT", "ug-foreign"),
        ("USER_GRANT", "ug-other"),
    }


def test_a_tenant_wide_grant_is_adopted_only_when_the_stack_consents_tenant_wide() -> None:
    tenant_wide = Grant("g1", "AllPrincipals", None, GRAPH, ("User.Read", "offline_access"))
    per_user = plan_adoption(desired(tenantWideConsent="false", consentUsers=f'["{USER_A}"]'), state(tenant_wide))
    assert per_user.adoption is not None and per_user.adoption.grant_id is None
    assert [a.kind for a in per_user.adopted] == ["service principal"]
    assert [f.code for f in per_user.left_alone] == ["GRANT_UNEXPECTED"]
    everyone = plan_adoption(desired(), state(tenant_wide))
    assert everyone.adoption is not None and everyone.adoption.grant_id == "g1"
    assert everyone.adopted[1] == AdoptedObject("tenant-wide grant", "g1", "User.Read offline_access")


def test_assignments_are_adopted_by_entry_and_only_the_default_access_role() -> None:
    # Entries unsorted; the tenant's assignments in another order; a second assignment of the same group
    # with another app role is not the one the stack describes.
    plan = plan_adoption(
        desired(groups=f'["Zeta", "{GROUP}"]', users=f'["{USER_A}"]'),
        state(
            grant_everything(),
            assigned=(
                assignment("a-user", USER_A),
                assignment("a-other-role", GROUP, role="5e000000-0000-4000-8000-0000000000bb"),
                assignment("a-group", GROUP),
                assignment("a-zeta", OTHER),
            ),
            matches={"Zeta": (OTHER.upper(),)},
        ),
    )
    assert plan.adoption is not None
    assert dict(plan.adoption.assignment_ids) == {"Zeta": "a-zeta", GROUP: "a-group", USER_A: "a-user"}
    assert plan.adoption.service_principal_object_id == SP
    assert [(a.kind, a.object_id, a.detail) for a in plan.adopted[2:]] == [
        ("assignment", "a-zeta", "group 'Zeta'"),
        ("assignment", "a-group", f"group '{GROUP}'"),
        ("assignment", "a-user", f"user '{USER_A}'"),
    ]
    assert plan.changes == ()
    assert plan.left_alone == ()


def test_a_group_name_matching_no_group_says_pulumi_up_stops_and_a_missing_assignment_is_created() -> None:
    plan = plan_adoption(desired(groups=f'["Ghosts", "{GROUP}"]'), state(grant_everything(), matches={}))
    assert plan.changes == (
        "Group name 'Ghosts' matches no security group; it must match exactly one. -> `pulumi up` will stop with "
        "an error until the name matches exactly one security group (or the stack uses the group's object id).",
        f"Group '{GROUP}' is not assigned to Enpass. -> `pulumi up` will create it.",
    )


def grant_everything() -> Grant:
    return Grant("g1", "AllPrincipals", None, GRAPH, catalog.ENPASS_SCOPE_NAMES)
