"""``enpass-consent adopt`` against emulator tenants: preview, --write, idempotence, refusals, errors."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

from enpass_consent import settings, stackfile
from enpass_consent.adopt import write
from enpass_consent.emulator import Emulator, scenarios
from enpass_consent.service_principal import MANAGED_NOTE
from tests.enpass_consent.preflight.tenants import TENANT, run_cli, sign_in, write_stack

pytestmark = pytest.mark.usefixtures("emulator_env")

HEADER = "# Contoso: Enpass consent (keep this comment)"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sign_in(monkeypatch)
    return tmp_path / "project"


def stack(project: Path, **config: Any) -> Path:
    return write_stack(project, "contoso", {"azuread:tenantId": TENANT, **config}, header=HEADER)


def adopt(capsys: pytest.CaptureFixture[str], project: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "adopt", "--stack", "contoso", "--project-dir", str(project), *extra)


def clicked_through(emulator: Emulator) -> dict[str, Any]:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT, assignment_required=True))
    group = scenarios.add_group(tenant, "Enpass Users")
    assignment = scenarios.assign(tenant, group)
    grant = scenarios.tenant_wide_grant(tenant)
    assert grant is not None
    return {"tenant": tenant, "sp": scenarios.enpass_sp(tenant).id, "grant": grant.id, "assignment": assignment.id}


def test_preview_prints_the_plan_and_diff_and_writes_nothing(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = clicked_through(emulator)
    path = stack(project, **{"enpass-consent:groups": ["Enpass Users"]})
    before = path.read_bytes()
    code, out, err = adopt(capsys, project)
    assert code == 0 and path.read_bytes() == before
    assert f"service principal  {ids['sp']}" in out and ids["grant"] in out and ids["assignment"] in out
    assert f"+    servicePrincipalObjectId: {ids['sp']}" in out
    assert f"+      Enpass Users: {ids['assignment']}" in out
    assert "Pulumi CLI >= 3.175.0" in out
    assert "--write" in err


def test_write_stores_the_ids_keeps_comments_and_is_idempotent(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = clicked_through(emulator)
    path = stack(project, **{"enpass-consent:groups": ["Enpass Users"]})
    path.chmod(0o600)
    code, _, err = adopt(capsys, project, "--write")
    assert code == 0 and "wrote" in err
    first = path.read_bytes()
    assert first.decode().startswith(HEADER + "\n")
    assert (path.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in project.iterdir()) == ["Pulumi.contoso.yaml", "Pulumi.yaml"]
    adopted = settings.parse(stackfile.read(project, "contoso").config).adopt
    assert adopted.service_principal_object_id == ids["sp"]
    assert adopted.grant_id == ids["grant"]
    assert dict(adopted.assignment_ids) == {"Enpass Users": ids["assignment"]}

    code, out, _ = adopt(capsys, project, "--write")
    assert code == 0 and path.read_bytes() == first
    assert "none: the file already records these ids" in out


def test_refuses_when_the_file_changed_underneath(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clicked_through(emulator)
    path = stack(project, **{"enpass-consent:groups": ["Enpass Users"]})
    edited = path.read_bytes() + b"# edited in another window\n"

    def someone_edits() -> None:
        path.write_bytes(edited)

    monkeypatch.setattr(
        write,
        "replace_if_unchanged",
        functools.partial(write.replace_if_unchanged, before_replace=someone_edits),
    )
    code, _, err = adopt(capsys, project, "--write")
    assert code == 1 and "changed while it was being edited; nothing was written" in err
    assert path.read_bytes() == edited
    assert sorted(p.name for p in project.iterdir()) == ["Pulumi.contoso.yaml", "Pulumi.yaml"]


def test_no_enpass_sp_means_nothing_to_adopt(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT))
    path = stack(project)
    before = path.read_bytes()
    code, out, _ = adopt(capsys, project, "--write")
    assert code == 0 and path.read_bytes() == before
    assert "Nothing to adopt: the tenant has no Enpass service principal" in out


def test_only_what_the_settings_describe_is_adopted(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = clicked_through(emulator)
    tenant = ids["tenant"]
    scenarios.add_scope(tenant, "Mail.Read")
    alice, bob = scenarios.add_user(tenant, "Alice"), scenarios.add_user(tenant, "Bob")
    stranger_grant = scenarios.add_user_grant(tenant, bob.id)
    extra = scenarios.assign(tenant, bob)
    scenarios.add_app_permission(tenant, "Mail.Read")
    path = stack(project, **{"enpass-consent:groups": ["Enpass Users"], "enpass-consent:users": [alice.id]})
    code, out, _ = adopt(capsys, project, "--write")
    assert code == 0
    assert "holds Mail.Read, which the stack does not ask for. -> `pulumi up` will remove it from the grant." in out
    assert f"User '{alice.id}' is not assigned to Enpass. -> `pulumi up` will create it" in out
    left_alone = out.split("Left alone")[1].split("Needs Pulumi CLI")[0]
    assert f"USER_GRANT (medium): User {bob.id}" in left_alone and stranger_grant.id in left_alone
    assert f"ASSIGNMENT_EXTRA (medium): User {bob.id}" in left_alone
    assert "APP_PERMISSION (critical)" in left_alone
    adopted = settings.parse(stackfile.read(project, "contoso").config).adopt
    assert dict(adopted.assignment_ids) == {"Enpass Users": ids["assignment"]}  # not Bob's, not Alice's (none)
    assert extra.id not in path.read_text() and stranger_grant.id not in path.read_text()
    assert dict(adopted.user_grant_ids) == {}


def test_per_user_grants_of_consent_users_are_adopted(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    alice, bob = scenarios.add_user(tenant, "Alice"), scenarios.add_user(tenant, "Bob")
    alice_grant = scenarios.add_user_grant(tenant, alice.id, ["User.Read"])
    scenarios.add_user_grant(tenant, bob.id)
    stack(project, **{"enpass-consent:tenantWideConsent": False, "enpass-consent:consentUsers": [alice.id]})
    code, out, _ = adopt(capsys, project, "--write")
    assert code == 0
    adopted = settings.parse(stackfile.read(project, "contoso").config).adopt
    assert adopted.grant_id is None  # the AllPrincipals grant is not what this stack describes
    assert dict(adopted.user_grant_ids) == {alice.id: alice_grant.id}
    assert "GRANT_UNEXPECTED" in out and f"USER_GRANT (medium): User {bob.id}" in out


@pytest.mark.parametrize(
    ("config", "fault", "message"),
    [
        ({"enpass-consent:scopes": ["Mail.Read"]}, None, "enpass-consent:scopes"),
        ({}, "graph", "Graph returned 400"),
        ({}, "token", "sign-in"),
    ],
)
def test_errors_exit_1_with_one_message_and_write_nothing(
    emulator: Emulator,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    config: dict[str, Any],
    fault: str | None,
    message: str,
) -> None:
    clicked_through(emulator)
    if fault == "graph":
        emulator.faults.status(400, "BadRequest", r"appRoleAssignedTo")
    if fault == "token":
        emulator.faults.token_failure(TENANT)
    path = stack(project, **config)
    before = path.read_bytes()
    code, out, err = adopt(capsys, project, "--write")
    assert code == 1 and out == "" and path.read_bytes() == before
    assert err.count("nothing was written") == 1 and "Traceback" not in err
    assert message in err


def test_lists_every_property_pulumi_up_would_change_on_the_existing_sp(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = clicked_through(emulator)
    tenant = ids["tenant"]
    sp = scenarios.enpass_sp(tenant)
    sp.account_enabled = False  # an admin's kill switch
    sp.tags.append("HideApp")
    sp.notification_email_addresses.append("old@contoso.com")
    owner = scenarios.add_user(tenant, "Ann")
    scenarios.add_owner(tenant, owner)
    stack(project, **{"enpass-consent:groups": ["Enpass Users"]})
    code, out, _ = adopt(capsys, project)
    assert code == 0
    section = out.split("On the existing service principal, `pulumi up` sets (current -> future):\n", 1)[1]
    section = section.split("\n\n", 1)[0]
    assert section.splitlines() == [
        "  - accountEnabled: false -> true",
        "  - tags: WindowsAzureActiveDirectoryIntegratedApp, HideApp -> WindowsAzureActiveDirectoryIntegratedApp",
        f'  - notes: (none) -> "{MANAGED_NOTE}"',
        "  - notificationEmailAddresses: old@contoso.com -> (none)",
        f"  - owners: {owner.id} (Ann) -> (none) (kept by the first `pulumi up`, which adopts the SP; removed by "
        "the next one)",
    ]


def test_a_recorded_service_principal_of_another_tenant_is_an_error_naming_both(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = clicked_through(emulator)
    copied = "cccccccc-0000-4000-8000-000000000001"
    path = stack(
        project,
        **{"enpass-consent:groups": ["Enpass Users"], "enpass-consent:adopt": {"servicePrincipalObjectId": copied}},
    )
    before = path.read_bytes()
    code, out, err = adopt(capsys, project, "--write")
    assert code == 1 and out == "" and path.read_bytes() == before
    assert f"records service principal {copied}, but the tenant's Enpass service principal is {ids['sp']}" in err
    assert "enpass-consent:adopt.servicePrincipalObjectId" in err and "nothing was written" in err


def test_missing_stack_file_and_usage(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    code, out, err = adopt(capsys, project)
    assert code == 1 and out == "" and "Pulumi.contoso.yaml" in err
    code, out, _ = run_cli(capsys, "adopt", "--project-dir", str(project))
    assert code == 1 and out == ""
