"""``audit --attribution`` end to end against the emulator: attribution per finding kind, costs, unavailability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from enpass_consent.cli import main
from enpass_consent.emulator import TEST_CLIENT_ID, audit_events, scenarios
from enpass_consent.emulator.audit_events import ago
from enpass_consent.emulator.records import Kind
from enpass_consent.emulator.server import Emulator
from enpass_consent.emulator.state import DEFAULT_CLIENT_ROLES, Tenant
from tests.enpass_consent.audit.test_cli_emulator import audit_json, stack_file

T = "14000000-0000-4000-8000-000000000001"
T_SYNC = "14000000-0000-4000-8000-000000000002"
AUDIT_READER = [*DEFAULT_CLIENT_ROLES, "AuditLog.Read.All"]


def tenant_with_log(emulator: Emulator, tenant_id: str = T, *, premium: bool = True) -> Tenant:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(tenant_id, client_roles=AUDIT_READER))
    if premium:
        scenarios.add_entra_id_p1(tenant)
    return tenant


def findings(document: dict[str, Any], stack: str = "contoso") -> dict[tuple[str, Any], dict[str, Any]]:
    (tenant,) = [t for t in document["tenants"] if t["stack"] == stack]
    return {(f["code"], f["actual"] if f["actual"] is not None else f["expected"]): f for f in tenant["findings"]}


def attribution_of(document: dict[str, Any], stack: str = "contoso") -> dict[str, Any]:
    (tenant,) = [t for t in document["tenants"] if t["stack"] == stack]
    result: dict[str, Any] = tenant["attribution"]
    return result


def run(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], str]:
    return audit_json(["--all-stacks", "--project-dir", str(project), "--attribution", *extra], capsys)


def test_in_sync_tenant_costs_exactly_what_it_costs_without(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant_with_log(emulator, T_SYNC)
    stack_file(project, "contoso", T_SYNC)
    code, document, _ = run(project, capsys)
    assert code == 0
    assert emulator.recorder.count(T_SYNC) == 3 and emulator.recorder.count(T_SYNC, Kind.BATCH) == 1
    assert not any("auditLogs" in r.path for r in emulator.recorder.items(T_SYNC))
    assert attribution_of(document)["status"] == "ok"
    assert attribution_of(document)["reason"] == "in sync: nothing to attribute, the audit log was not read"


def test_each_finding_kind_is_attributed_to_the_event_that_explains_it(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tenant_with_log(emulator)
    alice = scenarios.add_user(tenant, "Alice")
    bob = scenarios.add_user(tenant, "Bob")
    mallory = scenarios.add_user(tenant, "Mallory")
    eve = scenarios.add_user(tenant, "Eve")
    audit_events.admin_adds_scope(tenant, alice, "Mail.Read", at=ago(days=3))
    audit_events.admin_removes_scope(tenant, bob, "Group.Read.All", at=ago(days=2))
    audit_events.person_consents(tenant, mallory, ["User.Read"], for_organization=False, at=ago(days=2))
    audit_events.admin_assigns(tenant, alice, eve, at=ago(hours=30))
    audit_events.admin_grants_app_permission(tenant, bob, "Mail.Read", at=ago(hours=20))
    audit_events.admin_updates_sp(tenant, alice, account_enabled=False, at=ago(hours=10))
    audit_events.admin_updates_sp(tenant, bob, app_role_assignment_required=True, at=ago(hours=5))
    scenarios.add_foreign_grant(tenant, "Office 365 Exchange Online", "EWS.AccessAsUser.All")  # no event
    stack_file(project, "contoso", T)

    code, document, _ = run(project, capsys)

    assert code == 2  # drift, as without the option
    assert attribution_of(document)["status"] == "ok" and attribution_of(document)["reason"] is None
    by_key = findings(document)
    expected = {
        ("SCOPE_EXTRA", "Mail.Read"): ("Update delegated permission grant", alice.user_principal_name),
        ("SCOPE_MISSING", "Group.Read.All"): ("Update delegated permission grant", bob.user_principal_name),
        ("USER_GRANT", mallory.id): ("Add delegated permission grant", mallory.user_principal_name),
        ("ASSIGNMENT_EXTRA", eve.id): ("Add app role assignment grant to user", alice.user_principal_name),
        ("APP_PERMISSION", scenarios.GRAPH_APP_ROLE_IDS["Mail.Read"]): (
            "Add app role assignment to service principal",
            bob.user_principal_name,
        ),
        ("SP_DISABLED", None): ("Update service principal", alice.user_principal_name),
        ("ASSIGNMENT_REQUIRED_MISMATCH", True): ("Update service principal", bob.user_principal_name),
    }
    for key, (activity, actor) in expected.items():
        change = by_key[key]["lastChange"]
        assert (key, change["activity"], change["actor"], change["result"]) == (key, activity, actor, "success")
    foreign = next(f for (code_, _), f in by_key.items() if code_ == "FOREIGN_GRANT")
    assert foreign["lastChange"] is None
    # One more round trip than without the option: the audit-log $batch (everything fits one page).
    assert emulator.recorder.count(T) == 4 and emulator.recorder.count(T, Kind.BATCH) == 2


def test_portal_consent_writes_two_events_with_one_correlation_id(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tenant_with_log(emulator)
    admin = scenarios.add_user(tenant, "Admin")
    audit_events.person_consents(tenant, admin, ["Mail.Read"], at=ago(days=1))
    stack_file(project, "contoso", T)
    _code, document, _ = run(project, capsys)
    consent, grant = tenant.audit_events
    assert consent["correlationId"] == grant["correlationId"]
    assert [consent["activityDisplayName"], grant["activityDisplayName"]] == [
        "Consent to application",
        "Add delegated permission grant",
    ]
    change = findings(document)[("SCOPE_EXTRA", "Mail.Read")]["lastChange"]
    assert change["correlationId"] == consent["correlationId"]
    assert change["actor"] == admin.user_principal_name


def test_the_most_recent_explaining_event_wins_never_a_later_unrelated_one(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tenant_with_log(emulator)
    alice, bob, carol = (scenarios.add_user(tenant, name) for name in ("Alice", "Bob", "Carol"))
    audit_events.admin_adds_scope(tenant, alice, "Mail.Read", at=ago(days=5))
    audit_events.admin_removes_scope(tenant, alice, "Mail.Read", at=ago(days=4))
    audit_events.admin_adds_scope(tenant, bob, "Mail.Read", at=ago(days=2))  # explains it, most recently
    audit_events.admin_adds_scope(tenant, carol, "Files.Read", at=ago(hours=2))  # later, another scope
    audit_events.admin_updates_sp(tenant, carol, notes="changed", at=ago(hours=1))  # later, unrelated
    stack_file(project, "contoso", T)

    _code, document, _ = run(project, capsys)

    by_key = findings(document)
    assert by_key[("SCOPE_EXTRA", "Mail.Read")]["lastChange"]["actor"] == bob.user_principal_name
    assert by_key[("SCOPE_EXTRA", "Files.Read")]["lastChange"]["actor"] == carol.user_principal_name


def test_no_event_in_the_window_gives_null(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tenant_with_log(emulator)
    alice = scenarios.add_user(tenant, "Alice")
    audit_events.admin_adds_scope(tenant, alice, "Mail.Read", at=ago(days=10))  # kept (P1), outside 7 days
    stack_file(project, "contoso", T)
    _code, document, _ = run(project, capsys, "--attribution-days", "7")
    assert attribution_of(document)["status"] == "ok"
    assert findings(document)[("SCOPE_EXTRA", "Mail.Read")]["lastChange"] is None


def test_403_is_unavailable_and_changes_no_exit_code(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(T))  # the test client lacks AuditLog.Read.All
    scenarios.add_entra_id_p1(tenant)
    scenarios.add_scope(tenant, "Mail.Read")
    stack_file(project, "contoso", T)

    code, document, _ = run(project, capsys)

    assert code == 2
    attribution = attribution_of(document)
    assert attribution["status"] == "unavailable" and "AuditLog.Read.All" in attribution["reason"]
    assert "lastChange" not in findings(document)[("SCOPE_EXTRA", "Mail.Read")]
    assert document["tenants"][0]["status"] == "drift"
    assert main(["audit", "--all-stacks", "--project-dir", str(project), "--attribution"]) == 2
    table = capsys.readouterr().out
    assert "info: contoso: attribution unavailable: the audit log needs AuditLog.Read.All" in table


def test_a_window_the_licence_does_not_keep_is_unavailable(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tenant_with_log(emulator, premium=False)
    alice = scenarios.add_user(tenant, "Alice")
    audit_events.admin_adds_scope(tenant, alice, "Mail.Read", at=ago(days=1))
    stack_file(project, "contoso", T)

    code, document, _ = run(project, capsys)  # 30 days asked, 7 kept
    assert code == 2
    attribution = attribution_of(document)
    assert attribution["status"] == "unavailable"
    assert "without Microsoft Entra ID P1 or P2 the audit log keeps 7 days" in attribution["reason"]

    _code, document, _ = run(project, capsys, "--attribution-days", "7")
    assert attribution_of(document)["status"] == "ok"
    assert findings(document)[("SCOPE_EXTRA", "Mail.Read")]["lastChange"]["actor"] == alice.user_principal_name


def test_events_older_than_the_licence_keeps_are_gone(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tenant_with_log(emulator, premium=False)
    alice = scenarios.add_user(tenant, "Alice")
    audit_events.admin_adds_scope(tenant, alice, "Mail.Read", at=ago(days=8))
    stack_file(project, "contoso", T)
    _code, document, _ = run(project, capsys, "--attribution-days", "7")
    assert findings(document)[("SCOPE_EXTRA", "Mail.Read")]["lastChange"] is None


def test_pages_are_followed(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = tenant_with_log(emulator)
    alice, bob = scenarios.add_user(tenant, "Alice"), scenarios.add_user(tenant, "Bob")
    audit_events.admin_updates_sp(tenant, alice, account_enabled=False, at=ago(days=6))  # the oldest: last page
    for hour in range(5):
        audit_events.admin_updates_sp(tenant, bob, notes=f"note {hour}", at=ago(hours=hour + 1))
    emulator.graph.page_size = 2
    stack_file(project, "contoso", T)

    _code, document, _ = run(project, capsys, "--attribution-days", "7")

    assert findings(document)[("SP_DISABLED", None)]["lastChange"]["actor"] == alice.user_principal_name
    pages = [r for r in emulator.recorder.items(T) if "auditLogs" in r.path and "targetResources" in r.path]
    assert len([r for r in pages if "skiptoken" in r.raw_path.lower()]) == 2  # 6 events, pages of 2


def test_an_app_as_actor_is_named_with_its_app_id(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tenant_with_log(emulator)
    automation = scenarios.graph_sp(tenant)  # any SP acting as an app
    audit_events.admin_adds_scope(tenant, automation, "Mail.Read", at=ago(hours=1))
    stack_file(project, "contoso", T)
    _code, document, _ = run(project, capsys)
    change = findings(document)[("SCOPE_EXTRA", "Mail.Read")]["lastChange"]
    assert change["actor"] == f"Microsoft Graph ({automation.app_id})"
    assert change["actorId"] == automation.id


def test_additional_details_are_never_printed(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = tenant_with_log(emulator)
    audit_events.admin_adds_scope(tenant, scenarios.add_user(tenant, "Alice"), "Mail.Read", at=ago(hours=1))
    stack_file(project, "contoso", T)
    for format_ in ("json", "table", "markdown"):
        main(["audit", "--all-stacks", "--project-dir", str(project), "--attribution", "--format", format_])
        captured = capsys.readouterr()
        assert "SECRET-USER-AGENT" not in captured.out + captured.err
        assert "changed by alice" in captured.out.lower() or format_ == "json"


def test_unused_without_the_option(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = tenant_with_log(emulator)
    audit_events.admin_adds_scope(tenant, scenarios.add_user(tenant, "Alice"), "Mail.Read", at=ago(hours=1))
    stack_file(project, "contoso", T)
    _code, document, _ = audit_json(["--all-stacks", "--project-dir", str(project)], capsys)
    assert attribution_of(document) == {"status": "off", "since": None, "reason": None}
    assert "lastChange" not in findings(document)[("SCOPE_EXTRA", "Mail.Read")]
    assert emulator.recorder.count(T) == 3
    assert TEST_CLIENT_ID  # the app signs in with its own credential (no extra token round trip)
