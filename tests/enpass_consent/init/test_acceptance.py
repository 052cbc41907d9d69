"""Acceptance against the emulator: ``init --from-tenant --write``, then ``audit`` of the written stack.

For a tenant in every state the audit knows, the first audit is ``in_sync`` exactly when init left
nothing out, and otherwise reports exactly what init listed as left out (same findings, same JSON);
``adopt`` finds nothing to change in the written file; init read the tenant in three round trips.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from enpass_consent import catalog
from enpass_consent.emulator import Emulator, Tenant, scenarios
from enpass_consent.emulator.records import Kind
from tests.enpass_consent.init.conftest import TENANT, init_json, run
from tests.support.golden import validate

ALICE = "0a000000-0000-4000-8000-0000000000a1"
BOB = "0b000000-0000-4000-8000-0000000000b2"


def in_sync(tenant: Tenant) -> None:
    pass


def extra_scope(tenant: Tenant) -> None:
    scenarios.add_scope(tenant, "Mail.Read", "openid")


def sign_in_scopes(tenant: Tenant) -> None:
    scenarios.add_scope(tenant, "openid", "profile", "email")


def per_user_only(tenant: Tenant) -> None:
    scenarios.remove_tenant_wide_grant(tenant)
    scenarios.add_user_grant(tenant, BOB, ["User.Read", "Files.ReadWrite.AppFolder"])
    scenarios.add_user_grant(tenant, ALICE, ["User.Read", "Files.ReadWrite.AppFolder"])


def per_user_beside_tenant_wide(tenant: Tenant) -> None:
    scenarios.add_user_grant(tenant, ALICE, ["User.Read"])


def groups_by_id(tenant: Tenant) -> None:
    scenarios.set_assignment_required(tenant)
    for name in ("Enpass Users", "Enpass Admins"):
        scenarios.assign(tenant, scenarios.add_group(tenant, name))


def users(tenant: Tenant) -> None:
    scenarios.set_assignment_required(tenant)
    scenarios.assign(tenant, scenarios.add_user(tenant, "Alice"))
    scenarios.assign(tenant, scenarios.add_group(tenant, "Enpass Users"))


def assignment_required(tenant: Tenant) -> None:
    scenarios.set_assignment_required(tenant)


def assignments_restricting_nothing(tenant: Tenant) -> None:
    scenarios.assign(tenant, scenarios.add_group(tenant, "Enpass Users"))


def disabled_sp(tenant: Tenant) -> None:
    scenarios.disable_enpass(tenant)


def app_permission(tenant: Tenant) -> None:
    scenarios.add_app_permission(tenant, "Mail.Read")


def foreign_grant(tenant: Tenant) -> None:
    scenarios.add_foreign_grant(tenant)


def no_sp(tenant: Tenant) -> None:
    scenarios.remove_enpass(tenant)


def hidden_with_notifications(tenant: Tenant) -> None:
    sp = scenarios.enpass_sp(tenant)
    sp.tags.append(catalog.HIDE_APP_TAG)
    sp.notification_email_addresses = ["it-security@contoso.com"]


# (state, init exit code, left-out findings as (code, severity)): written out by hand.
CASES: list[tuple[Callable[[Tenant], None], int, list[tuple[str, str]]]] = [
    (in_sync, 0, []),
    (extra_scope, 2, [("SCOPE_EXTRA", "high")]),
    (sign_in_scopes, 0, []),
    (per_user_only, 0, []),
    (per_user_beside_tenant_wide, 2, [("USER_GRANT", "medium")]),
    (groups_by_id, 0, []),
    (users, 0, []),
    (assignment_required, 2, [("ASSIGNMENT_REQUIRED_MISMATCH", "medium")]),
    (assignments_restricting_nothing, 2, [("ASSIGNMENT_EXTRA", "medium")]),
    (disabled_sp, 0, []),  # accountEnabled: false is written, and the audit compares it
    (app_permission, 2, [("APP_PERMISSION", "critical")]),
    (foreign_grant, 2, [("FOREIGN_GRANT", "high")]),
    (no_sp, 0, []),
    (hidden_with_notifications, 0, []),
]


def tenant_id(index: int) -> str:
    return f"{index + 1:08x}-0000-4000-8000-00000000000{index % 10}"


def stack_name(state: Callable[[Tenant], None]) -> str:
    return state.__name__.replace("_", "-")


def test_the_first_audit_reports_exactly_what_init_left_out(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["stack,tenant"]
    for index, (state, _, _) in enumerate(CASES):
        tenant = emulator.add_tenant(scenarios.in_sync_tenant(tenant_id(index)))
        state(tenant)
        lines.append(f"{stack_name(state)},{tenant_id(index)}")
    (project / "tenants.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, document, _ = init_json(capsys, project, "--csv", str(project / "tenants.csv"), "--from-tenant", "--write")
    results = {result["stack"]: result for result in document["stacks"]}
    assert [result["error"] for result in document["stacks"]] == [None] * len(CASES)
    assert {name: [(f["code"], f["severity"]) for f in r["leftOut"]] for name, r in results.items()} == {
        stack_name(state): expected for state, _, expected in CASES
    }
    assert code == 2  # something was left out somewhere, nothing failed
    for index, (state, _, expected) in enumerate(CASES):
        result = results[stack_name(state)]
        assert result["status"] == ("left_out" if expected else "described")
        assert (project / f"Pulumi.{stack_name(state)}.yaml").read_text(encoding="utf-8") == result["content"]
        # Read as audit reads: discovery, token, one $batch (a tenant id needs no look-up of its own).
        assert emulator.recorder.count(tenant_id(index)) == 3, stack_name(state)
        assert emulator.recorder.count(tenant_id(index), Kind.BATCH) == 1

    audit_code, out, _ = run(capsys, "audit", "--all-stacks", "--project-dir", str(project), "--format", "json")
    audit = json.loads(out)
    validate(audit, "audit")
    tenants = {tenant["stack"]: tenant for tenant in audit["tenants"]}
    for state, exit_code, expected in CASES:
        tenant, result = tenants[stack_name(state)], results[stack_name(state)]
        if state is no_sp:
            # Nothing existed to describe: the default stack, which `pulumi up` creates from scratch.
            assert [f["code"] for f in tenant["findings"]] == ["SP_MISSING"]
            assert exit_code == 0
            continue
        assert tenant["status"] == ("drift" if expected else "in_sync"), stack_name(state)
        assert tenant["findings"] == result["leftOut"], stack_name(state)
    assert audit_code == 2

    for state in (extra_scope, per_user_only, users):
        adopt_code, adopt_out, _ = run(capsys, "adopt", "--stack", stack_name(state), "--project-dir", str(project))
        assert adopt_code == 0
        assert "none: the file already records these ids" in adopt_out, stack_name(state)


@pytest.mark.parametrize(("state", "exit_code", "expected"), [CASES[0], CASES[1]], ids=["in-sync", "extra-scope"])
def test_one_tenant_exit_code(
    state: Callable[[Tenant], None],
    exit_code: int,
    expected: list[tuple[str, str]],
    emulator: Emulator,
    project: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state(emulator.add_tenant(scenarios.in_sync_tenant(TENANT)))
    code, document, _ = init_json(capsys, project, "--tenant", TENANT, "--stack", "contoso", "--from-tenant")
    assert code == exit_code
    assert [(f["code"], f["severity"]) for f in document["stacks"][0]["leftOut"]] == expected
    assert not (project / "Pulumi.contoso.yaml").exists()  # a dry run


def test_a_domain_names_the_stack_and_costs_one_lookup_more(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT, assignment_required=True))
    tenant.domains = ["contoso.onmicrosoft.com", "contoso.com"]
    scenarios.assign(tenant, scenarios.add_group(tenant, "Enpass Users"))
    code, document, _ = init_json(capsys, project, "--tenant", "Contoso.COM", "--from-tenant", "--write")
    (result,) = document["stacks"]
    assert (code, result["stack"], result["tenantId"]) == (0, "contoso", TENANT)
    assert (project / "Pulumi.contoso.yaml").exists()
    assert emulator.recorder.count("contoso.com", Kind.DISCOVERY) == 1  # the credential-free lookup
    assert emulator.recorder.count(TENANT) == 3
