"""The pure adoption plan: what is adopted, what `pulumi up` changes, what is left alone."""

from __future__ import annotations

from enpass_consent import catalog, settings
from enpass_consent.adopt.plan import plan_adoption
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
