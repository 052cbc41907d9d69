"""The matching table, rule by rule, on events recorded by the emulator's helpers (no server)."""

from __future__ import annotations

from enpass_consent.attribution.events import AuditEvent
from enpass_consent.attribution.match import last_changes
from enpass_consent.audit.state import Grant, ServicePrincipal, TenantState
from enpass_consent.emulator import audit_events, scenarios
from enpass_consent.emulator.audit_events import ago
from enpass_consent.emulator.state import Tenant
from enpass_consent.findings import Finding, finding

TENANT = "14000000-0000-4000-8000-0000000000bb"


def setup() -> Tenant:
    return scenarios.in_sync_tenant(TENANT)


def state(tenant: Tenant) -> TenantState:
    enpass = scenarios.enpass_sp(tenant)
    return TenantState(
        service_principal=ServicePrincipal(enpass.id, enpass.app_id, enpass.account_enabled, False),
        graph_service_principal_id=scenarios.graph_sp(tenant).id,
        grants=tuple(Grant.from_graph(g.to_graph()) for g in tenant.grants),
    )


def actor_of(tenant: Tenant, found: Finding) -> str | None:
    events = [e for e in (AuditEvent.from_graph(raw) for raw in tenant.audit_events) if e is not None]
    (change,) = last_changes([found], events, state(tenant))
    return change.actor if change else None


def test_grant_missing_is_the_removal_of_the_tenant_wide_grant() -> None:
    tenant = setup()
    alice = scenarios.add_user(tenant, "Alice")
    audit_events.admin_updates_sp(tenant, scenarios.add_user(tenant, "Bob"), notes="x", at=ago(hours=1))
    audit_events.admin_removes_grant(tenant, alice, at=ago(hours=2))
    assert actor_of(tenant, finding("GRANT_MISSING", "no grant")) == alice.user_principal_name


def test_grant_unexpected_is_consent_for_the_organization_not_for_oneself() -> None:
    tenant = setup()
    scenarios.remove_tenant_wide_grant(tenant)
    admin, user = scenarios.add_user(tenant, "Admin"), scenarios.add_user(tenant, "User")
    grant = audit_events.person_consents(tenant, admin, ["User.Read"], at=ago(days=2))
    audit_events.person_consents(tenant, user, ["User.Read"], for_organization=False, at=ago(days=1))
    found = finding("GRANT_UNEXPECTED", "tenant-wide grant", object_id=grant.id)
    assert actor_of(tenant, found) == admin.user_principal_name


def test_user_grant_missing_is_the_removal_of_that_users_grant() -> None:
    tenant = setup()
    user = scenarios.add_user(tenant, "User")
    admin = scenarios.add_user(tenant, "Admin")
    audit_events.person_consents(tenant, user, ["User.Read"], for_organization=False, at=ago(days=2))
    grant = tenant.grants[-1]
    tenant.grants.remove(grant)
    audit_events.record(
        tenant,
        "Remove delegated permission grant",
        admin,
        [
            audit_events.target(
                scenarios.graph_sp(tenant),
                audit_events.prop("DelegatedPermissionGrant.Scope", " User.Read", None),
                audit_events.prop("DelegatedPermissionGrant.ConsentType", "Principal", None),
                audit_events.prop("DelegatedPermissionGrant.PrincipalId", user.id, None),
                audit_events.prop("ServicePrincipal.ObjectID", scenarios.enpass_sp(tenant).id, None),
            )
        ],
        at=ago(days=1),
    )
    assert actor_of(tenant, finding("USER_GRANT_MISSING", "missing", expected=user.id)) == admin.user_principal_name
    other = scenarios.add_user(tenant, "Other")
    assert actor_of(tenant, finding("USER_GRANT_MISSING", "missing", expected=other.id)) is None


def test_assignment_missing_is_the_unassignment_of_that_principal() -> None:
    tenant = setup()
    admin, eve, zoe = (scenarios.add_user(tenant, name) for name in ("Admin", "Eve", "Zoe"))
    audit_events.admin_assigns(tenant, admin, eve, at=ago(days=3))
    audit_events.admin_unassigns(tenant, admin, eve, at=ago(days=2))
    audit_events.admin_assigns(tenant, admin, zoe, at=ago(days=1))  # later, another principal
    assert actor_of(tenant, finding("ASSIGNMENT_MISSING", "not assigned", expected=eve.id)) == admin.user_principal_name
    assert actor_of(tenant, finding("ASSIGNMENT_MISSING", "not assigned", expected=zoe.id)) is None


def test_sp_enabled_and_disabled_follow_the_new_value() -> None:
    tenant = setup()
    alice, bob = scenarios.add_user(tenant, "Alice"), scenarios.add_user(tenant, "Bob")
    audit_events.admin_updates_sp(tenant, alice, account_enabled=False, at=ago(days=2))
    audit_events.admin_updates_sp(tenant, bob, account_enabled=True, at=ago(days=1))
    assert actor_of(tenant, finding("SP_ENABLED", "enabled")) == bob.user_principal_name
    assert actor_of(tenant, finding("SP_DISABLED", "disabled")) == alice.user_principal_name


def test_a_failed_change_explains_nothing() -> None:
    tenant = setup()
    alice = scenarios.add_user(tenant, "Alice")
    audit_events.admin_updates_sp(tenant, alice, account_enabled=False, at=ago(days=1))
    tenant.audit_events[-1]["result"] = "failure"
    assert actor_of(tenant, finding("SP_DISABLED", "disabled")) is None


def test_sp_missing_has_no_rule() -> None:
    tenant = setup()
    audit_events.admin_updates_sp(tenant, scenarios.add_user(tenant, "Alice"), account_enabled=False)
    assert actor_of(tenant, finding("SP_MISSING", "no SP")) is None
