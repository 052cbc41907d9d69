"""``enpass-consent audit`` end to end against the emulator: every finding code, exit codes, faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from enpass_consent import catalog
from enpass_consent.cli import main
from enpass_consent.emulator import TEST_CLIENT_ID, TEST_CLIENT_SECRET, scenarios
from enpass_consent.emulator.faults import FaultKind, Scope
from enpass_consent.emulator.records import Kind
from enpass_consent.emulator.server import Emulator
from tests.support.golden import validate

T_SYNC = "10000000-0000-4000-8000-000000000001"
T_DRIFT = "10000000-0000-4000-8000-000000000002"
T_NOSP = "10000000-0000-4000-8000-000000000003"
T_FAIL = "10000000-0000-4000-8000-000000000004"


@pytest.fixture
def project(tmp_path: Path, emulator_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARM_CLIENT_ID", TEST_CLIENT_ID)
    monkeypatch.setenv("ARM_CLIENT_SECRET", TEST_CLIENT_SECRET)
    monkeypatch.setenv("CI", "true")
    for name in ("ARM_CLIENT_CERTIFICATE_PATH", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH", "ARM_USE_OIDC"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    return tmp_path


def stack_file(project: Path, stack: str, tenant_id: str, **settings: Any) -> None:
    lines = ["config:", f"  azuread:tenantId: {tenant_id}"]
    lines += [f"  enpass-consent:{key}: {json.dumps(value)}" for key, value in settings.items()]
    (project / f"Pulumi.{stack}.yaml").write_text("\n".join(lines) + "\n")


def audit_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["audit", *args, "--format", "json"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    validate(document, "audit")
    return code, document, captured.err


def codes(document: dict[str, Any], stack: str) -> list[tuple[str, str, Any, Any, Any]]:
    (tenant,) = [t for t in document["tenants"] if t["stack"] == stack]
    return [(f["code"], f["severity"], f["objectId"], f["expected"], f["actual"]) for f in tenant["findings"]]


def test_in_sync_tenant(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC))
    stack_file(project, "contoso", T_SYNC)
    code, document, err = audit_json(["--all-stacks", "--project-dir", str(project)], capsys)
    assert code == 0
    assert document["tenants"] == [
        {
            "stack": "contoso",
            "tenantId": T_SYNC,
            "status": "in_sync",
            "error": None,
            "findings": [],
            "attribution": {"status": "off", "since": None, "reason": None},
        }
    ]
    assert "signing in with client secret" in err
    # The common case costs 3 round trips: OpenID discovery, token, one $batch.
    assert emulator.recorder.count(T_SYNC) == 3
    assert emulator.recorder.count(T_SYNC, Kind.DISCOVERY) == 1
    assert emulator.recorder.count(T_SYNC, Kind.TOKEN) == 1
    assert emulator.recorder.count(T_SYNC, Kind.BATCH) == 1


def test_groups_by_name_stay_within_three_round_trips(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC, assignment_required=True))
    users = scenarios.add_group(tenant, "Enpass Users")
    quoted = scenarios.add_group(tenant, "Bob's Team")
    scenarios.add_group(tenant, "Enpass Users", security=False, unified=True)  # an M365 group with the same name
    scenarios.assign(tenant, users)
    scenarios.assign(tenant, quoted)
    stack_file(project, "contoso", T_SYNC, groups=["Enpass Users", "Bob's Team"])
    code, document, _ = audit_json(["--stack", "contoso", "--project-dir", str(project)], capsys)
    assert (code, codes(document, "contoso")) == (0, [])
    assert emulator.recorder.count(T_SYNC) == 3
    urls = [r.path for r in emulator.recorder.items(T_SYNC)]
    assert any("displayName eq 'Bob''s Team'" in u for u in urls)


def drift_tenant(emulator: Emulator) -> dict[str, str]:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(T_DRIFT, assignment_required=False))
    ids: dict[str, str] = {}
    scenarios.add_scope(tenant, "Mail.Read", "openid")
    scenarios.remove_scope(tenant, "Group.Read.All")
    stranger = scenarios.add_user(tenant, "Mallory")
    ids["user_grant"] = scenarios.add_user_grant(tenant, stranger.id, ["User.Read"]).id
    ids["stranger"] = stranger.id
    ids["foreign"] = scenarios.add_foreign_grant(tenant, "Office 365 Exchange Online", "EWS.AccessAsUser.All").id
    permission = scenarios.add_app_permission(tenant, "Mail.Read")
    ids["permission"], ids["permission_role"] = permission.id, permission.app_role_id
    extra = scenarios.add_user(tenant, "Eve")
    ids["extra"] = scenarios.assign(tenant, extra).id
    ids["extra_user"] = extra.id
    ids["sp"] = scenarios.enpass_sp(tenant).id
    grant = scenarios.tenant_wide_grant(tenant)
    assert grant is not None
    ids["grant"] = grant.id
    ids["graph"] = scenarios.graph_sp(tenant).id
    return ids


def test_each_kind_of_drift(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = drift_tenant(emulator)
    wanted_user = "aaaaaaaa-0000-4000-8000-0000000000a1"
    stack_file(project, "fabrikam", T_DRIFT, users=[wanted_user], groups=["Nobody"])
    code, document, _ = audit_json(["--stack", "fabrikam", "--project-dir", str(project)], capsys)
    assert code == 2
    found = codes(document, "fabrikam")
    sp, grant = ids["sp"], ids["grant"]
    foreign_resource = found[[c[0] for c in found].index("FOREIGN_GRANT")][4]
    assert sorted(found, key=str) == sorted(
        [
            ("ASSIGNMENT_REQUIRED_MISMATCH", "medium", sp, True, False),
            ("SCOPE_MISSING", "high", grant, "Group.Read.All", None),
            ("SCOPE_EXTRA", "high", grant, None, "Mail.Read"),
            ("SCOPE_EXTRA", "info", grant, None, "openid"),
            ("USER_GRANT", "medium", ids["user_grant"], None, ids["stranger"]),
            ("FOREIGN_GRANT", "high", ids["foreign"], None, foreign_resource),
            ("APP_PERMISSION", "critical", ids["permission"], None, ids["permission_role"]),
            ("ASSIGNMENT_MISSING", "medium", None, wanted_user, None),
            ("ASSIGNMENT_MISSING", "medium", None, "Nobody", None),
            ("ASSIGNMENT_EXTRA", "medium", ids["extra"], None, ids["extra_user"]),
        ],
        key=str,
    )
    assert foreign_resource != ids["graph"]
    (tenant,) = document["tenants"]
    (permission,) = [f for f in tenant["findings"] if f["code"] == "APP_PERMISSION"]
    assert f"application permission Mail.Read (app role {ids['permission_role']})" in permission["message"]
    assert emulator.recorder.count(T_DRIFT) == 3  # named within the same round trips


def test_sp_missing_disabled_and_grant_codes(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.empty_tenant(T_NOSP))
    disabled = emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC))
    scenarios.disable_enpass(disabled)
    no_grant = emulator.add_tenant(scenarios.in_sync_tenant(T_DRIFT))
    scenarios.remove_tenant_wide_grant(no_grant)
    alice = scenarios.add_user(no_grant, "Alice")
    stack_file(project, "nosp", T_NOSP, groups=["Enpass Users"])
    stack_file(project, "disabled", T_SYNC)
    stack_file(project, "nogrant", T_DRIFT)
    stack_file(project, "peruser", T_DRIFT, tenantWideConsent=False, consentUsers=[alice.id])
    code, document, _ = audit_json(["--all-stacks", "--project-dir", str(project)], capsys)
    assert code == 2
    assert codes(document, "nosp") == [("SP_MISSING", "high", None, "b642a132-0d12-4ff0-98d6-f5a4aee7089f", None)]
    assert codes(document, "disabled") == [("SP_DISABLED", "high", scenarios.enpass_sp(disabled).id, None, None)]
    assert codes(document, "nogrant") == [("GRANT_MISSING", "high", None, None, None)]
    assert codes(document, "peruser") == [("USER_GRANT_MISSING", "medium", None, alice.id, None)]
    scenarios.add_user_grant(no_grant, alice.id, ["User.Read"])
    granted = emulator.add_tenant(scenarios.in_sync_tenant(T_FAIL))
    bob = scenarios.add_user(granted, "Bob")
    scenarios.add_user_grant(granted, bob.id, list(catalog.ENPASS_SCOPE_NAMES))
    stack_file(project, "unexpected", T_FAIL, tenantWideConsent=False, consentUsers=[bob.id])
    code, document, _ = audit_json(["--stack", "unexpected", "--project-dir", str(project)], capsys)
    assert codes(document, "unexpected") == [
        ("GRANT_UNEXPECTED", "high", scenarios.tenant_wide_grant(granted).id, None, None)  # type: ignore[union-attr]
    ]


def test_account_enabled_decides_whether_a_disabled_sp_is_drift(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    disabled = emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC))
    scenarios.disable_enpass(disabled)
    enabled = emulator.add_tenant(scenarios.in_sync_tenant(T_DRIFT))
    stack_file(project, "off-on-purpose", T_SYNC, accountEnabled=False)
    stack_file(project, "off-but-on", T_DRIFT, accountEnabled=False)
    code, document, _ = audit_json(["--all-stacks", "--project-dir", str(project)], capsys)
    assert code == 2
    assert codes(document, "off-on-purpose") == []
    assert codes(document, "off-but-on") == [("SP_ENABLED", "high", scenarios.enpass_sp(enabled).id, False, True)]


def test_a_recorded_service_principal_id_other_than_the_tenants_is_an_error(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC))
    recorded = "cccccccc-0000-4000-8000-000000000001"
    stack_file(project, "copied", T_SYNC, adopt={"servicePrincipalObjectId": recorded, "grantId": "g"})
    stack_file(project, "same", T_SYNC, adopt={"servicePrincipalObjectId": scenarios.enpass_sp(tenant).id.upper()})
    code, document, _ = audit_json(["--all-stacks", "--project-dir", str(project)], capsys)
    assert code == 1
    (copied,) = [t for t in document["tenants"] if t["stack"] == "copied"]
    assert copied["status"] == "error" and copied["findings"] == []
    assert copied["error"].startswith(
        f"enpass-consent:adopt.servicePrincipalObjectId records service principal {recorded}, but the tenant's "
        f"Enpass service principal is {scenarios.enpass_sp(tenant).id}"
    )
    (same,) = [t for t in document["tenants"] if t["stack"] == "same"]
    assert same["status"] == "in_sync"


def test_several_stacks_with_one_failing(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC))
    emulator.add_tenant(scenarios.in_sync_tenant(T_FAIL))
    emulator.faults.token_failure(T_FAIL, kind=FaultKind.INVALID_CLIENT)
    stack_file(project, "contoso", T_SYNC)
    stack_file(project, "broken", T_FAIL)
    (project / "Pulumi.invalid.yaml").write_text("config:\n  azuread:tenantId: not-a-guid\n")
    code, document, _ = audit_json(
        [
            "--stack",
            "contoso",
            "--stack",
            "broken",
            "--stack",
            "invalid",
            "--stack",
            "ghost",
            "--project-dir",
            str(project),
        ],
        capsys,
    )
    assert code == 1
    by_stack = {t["stack"]: t for t in document["tenants"]}
    assert [t["stack"] for t in document["tenants"]] == ["contoso", "broken", "invalid", "ghost"]
    assert by_stack["contoso"]["status"] == "in_sync"
    assert by_stack["broken"]["status"] == "error" and "AADSTS7000215" in by_stack["broken"]["error"]
    assert by_stack["invalid"] == {
        "stack": "invalid",
        "tenantId": None,
        "status": "error",
        "error": f"{project / 'Pulumi.invalid.yaml'}: azuread:tenantId: not a GUID (got 'not-a-guid')",
        "findings": [],
        "attribution": {"status": "off", "since": None, "reason": None},
    }
    assert by_stack["ghost"]["status"] == "error" and "no such stack file" in by_stack["ghost"]["error"]
    assert document["summary"] == {"tenants": 4, "inSync": 1, "drift": 0, "error": 3}
    assert emulator.recorder.count("not-a-guid") == 0


def test_invalid_settings_make_no_graph_call(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC))
    stack_file(project, "bad", T_SYNC, scopes=["Mail.Read"])
    code, document, _ = audit_json(["--stack", "bad", "--project-dir", str(project)], capsys)
    assert code == 1
    (tenant,) = document["tenants"]
    assert tenant["tenantId"] == T_SYNC and tenant["status"] == "error"
    assert "enpass-consent:scopes: unknown scope 'Mail.Read'" in tenant["error"]
    assert emulator.recorder.all == []


def test_faults_every_tenant_once_and_healthy_ones_correct(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy = [f"20000000-0000-4000-8000-{n:012d}" for n in range(1, 7)]
    for index, tenant_id in enumerate(healthy):
        tenant = emulator.add_tenant(scenarios.in_sync_tenant(tenant_id))
        if index % 2:
            scenarios.add_scope(tenant, "Mail.Read")
        stack_file(project, f"t{index}", tenant_id)
    emulator.add_tenant(scenarios.in_sync_tenant(T_FAIL))
    stack_file(project, "tokenfails", T_FAIL)
    emulator.faults.token_failure(T_FAIL)
    emulator.faults.throttle(r"oauth2PermissionGrants", retry_after=0.1, count=3, scope=Scope.ITEM)
    emulator.faults.throttle(r"\$batch", retry_after=1, count=2, scope=Scope.REQUEST)
    emulator.faults.unavailable(r"appRoleAssignedTo", count=2)
    emulator.faults.server_error(r"appRoleAssignments", count=2, scope=Scope.ITEM)  # 500 inside the batch
    code, document, _ = audit_json(["--all-stacks", "--project-dir", str(project), "--concurrency", "4"], capsys)
    assert code == 1
    stacks = [t["stack"] for t in document["tenants"]]
    assert sorted(stacks) == sorted([*(f"t{i}" for i in range(6)), "tokenfails"]) and len(set(stacks)) == len(stacks)
    by_stack = {t["stack"]: t for t in document["tenants"]}
    assert by_stack["tokenfails"]["status"] == "error"
    for index in range(6):
        expected = [("SCOPE_EXTRA", "high")] if index % 2 else []
        assert [(f["code"], f["severity"]) for f in by_stack[f"t{index}"]["findings"]] == expected
    assert sum(f.hits for f in emulator.faults.faults) >= 5


def test_table_and_markdown_and_output_file(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC))
    scenarios.add_scope(tenant, "Mail.Read")
    stack_file(project, "contoso", T_SYNC)
    assert main(["audit", "--stack", "contoso", "--project-dir", str(project)]) == 2
    assert "SCOPE_EXTRA" in capsys.readouterr().out
    report = project / "audit.md"
    assert (
        main(
            [
                "audit",
                "--stack",
                "contoso",
                "--project-dir",
                str(project),
                "--format",
                "markdown",
                "--output",
                str(report),
            ]
        )
        == 2
    )
    assert capsys.readouterr().out == ""
    assert report.read_text().startswith("## Enpass consent audit")


def test_no_secret_leaks_anywhere(
    emulator: Emulator,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = "fake-secret-DO-NOT-PRINT-7f3a9c"
    monkeypatch.setenv("ARM_CLIENT_SECRET", secret)
    for tenant_id in (T_SYNC, T_DRIFT, T_FAIL):
        tenant = emulator.add_tenant(scenarios.in_sync_tenant(tenant_id))
        tenant.clients[TEST_CLIENT_ID].secret = secret
    emulator.faults.token_failure(T_FAIL, kind=FaultKind.INVALID_CLIENT)
    emulator.faults.malformed_json(r"\$batch", tenant=T_DRIFT)
    stack_file(project, "ok", T_SYNC)
    stack_file(project, "malformed", T_DRIFT)
    stack_file(project, "denied", T_FAIL)
    caplog.set_level("DEBUG")
    for fmt in ("json", "table", "markdown"):
        main(["audit", "--all-stacks", "--project-dir", str(project), "--format", fmt])
        captured = capsys.readouterr()
        for text in (captured.out, captured.err, caplog.text):
            assert secret not in text
            assert "eyJ" not in text  # no JWT (access token) either


def test_a_stacks_error_is_printed_in_full_on_stderr_and_never_cut(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(T_SYNC))
    stack_file(project, "contoso", T_SYNC)
    long_name = "a-group-name-long-enough-that-any-table-would-have-cut-it-" * 3
    stack_file(project, "fabrikam", T_DRIFT, groups=[long_name, long_name])  # a duplicate: a settings error
    code = main(["audit", "--all-stacks", "--project-dir", str(project)])
    out, err = capsys.readouterr()
    assert code == 1
    path = project / "Pulumi.fabrikam.yaml"
    message = (
        f"{path}: enpass-consent:groups: duplicate entry: {long_name!r} and {long_name!r} both name "
        f"enpass-assign-{long_name.rstrip('-')} (got {long_name!r})"
    )
    assert f"fabrikam: error: {message}" in err.splitlines()
    (row,) = [line for line in out.splitlines() if line.startswith("fabrikam ")]
    assert row.endswith(message) and "…" not in out  # the table cell in full, on one line
