"""``enpass-consent init`` on the command line: dry runs, writing, CSV rows, stacks, and every bad input."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from enpass_consent.commands import fleet as fleet_command
from enpass_consent.emulator import Emulator, scenarios
from enpass_consent.emulator.records import Kind
from tests.enpass_consent.fleet.fake_pulumi import Behaviour, FakePulumiCommand
from tests.enpass_consent.init.conftest import OTHER_TENANT, TENANT, init_json, run

THIRD_TENANT = "33333333-2222-3333-4444-555555555555"
CLIENT = "c1e17000-0000-4000-8000-00000000c11e"


@pytest.fixture
def contoso(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    tenant.domains = ["contoso.onmicrosoft.com", "contoso.com"]
    scenarios.add_scope(tenant, "Mail.Read")


@pytest.fixture
def no_credentials(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After ``project``, which signs in as the test identity."""
    for name in ("ARM_CLIENT_ID", "ARM_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


def stack_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("Pulumi.") and p.name != "Pulumi.yaml")


# --- one tenant ------------------------------------------------------------------------------------------
@pytest.mark.usefixtures("contoso", "no_credentials")
def test_a_dry_run_prints_the_file_and_writes_nothing(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    code, out, err = run(capsys, "init", "--tenant", "contoso.com")
    assert code == 0
    assert stack_files(project) == []
    assert f"contoso  contoso.com  {TENANT}  described  Pulumi.contoso.yaml (not written: dry run)" in out
    assert "--- Pulumi.contoso.yaml (not written) ---\n# Enpass consent in the tenant contoso.com" in out
    assert f"  azuread:tenantId: {TENANT}  # contoso.com\n" in out
    assert "Dry run: nothing was written. Run again with --write to write the stack files." in out
    assert "signing in" not in err  # no credentials are needed or asked for without --from-tenant
    # One credential-free request: the domain's OpenID configuration.
    assert [(r.kind, r.tenant) for r in emulator.recorder.requests()] == [(Kind.DISCOVERY, "contoso.com")]


@pytest.mark.usefixtures("contoso", "no_credentials")
def test_write_creates_the_file_once_and_never_overwrites_it(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, document, _ = init_json(
        capsys, project, "--tenant", TENANT, "--stack", "contoso", "--client-id", CLIENT, "--write"
    )
    assert code == 0
    path = project / "Pulumi.contoso.yaml"
    written = path.read_text(encoding="utf-8")
    assert f"  azuread:clientId: {CLIENT}\n" in written
    (result,) = document["stacks"]
    assert (result["written"], result["stackInit"], result["content"]) == (True, "pulumi stack init contoso", written)

    code, document, err = init_json(capsys, project, "--tenant", TENANT, "--stack", "contoso", "--write")
    assert code == 1
    assert document["stacks"][0]["error"] == (
        f"{path}: exists; init never overwrites a stack file (`enpass-consent adopt --stack contoso` records "
        "existing consent in it)"
    )
    assert f"enpass-consent init: {path}: exists;" in err
    assert path.read_text(encoding="utf-8") == written


@pytest.mark.usefixtures("contoso", "no_credentials")
@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--tenant", "fabrikam.com"], "--tenant: 'fabrikam.com' is no verified domain of any Microsoft Entra tenant"),
        (
            [
                "--tenant",
                OTHER_TENANT,
                "--stack",
                "x",
            ],
            f"--tenant: '{OTHER_TENANT}' is no Microsoft Entra tenant (the login service answered: AADSTS90002",
        ),
        (["--tenant", TENANT], f"--stack: name the stack; it cannot be derived from a tenant id ({TENANT})"),
        (
            ["--tenant", "contoso.com", "--stack", "../contoso"],
            "--stack: '../contoso' is not a stack name this tool reads",
        ),
        (["--tenant", "contoso.com", "--stack", "a/b"], "--stack: 'a/b' is not a stack name this tool reads"),
        (["--tenant", "organizations"], "--tenant: 'organizations' names no tenant"),
        (
            ["--tenant", "contoso", "--stack", "x"],
            "--tenant: 'contoso' is neither a tenant id (a GUID) nor a domain name",
        ),
        (
            ["--tenant", "contoso.com", "--client-id", "app"],
            "--client-id: must be the deploying app's client id (a GUID)",
        ),
    ],
)
def test_bad_input_is_one_message_and_nothing_written(
    args: list[str], error: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document, err = init_json(capsys, project, *args, "--write")
    assert code == 1
    (result,) = document["stacks"]
    assert result["error"].startswith(error), result["error"]
    assert (result["status"], result["written"], result["content"]) == ("error", False, None)
    assert f"enpass-consent init: {error}" in err
    assert stack_files(project) == []


def test_with_from_tenant_a_tenant_id_is_checked_by_signing_in(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document, _ = init_json(capsys, project, "--tenant", OTHER_TENANT, "--stack", "x", "--from-tenant", "--write")
    assert code == 1
    assert document["stacks"][0]["error"].startswith(
        f"--tenant: '{OTHER_TENANT}' is no Microsoft Entra tenant (the login service answered: AADSTS90002: "
        f"Tenant '{OTHER_TENANT}' not found."
    )
    # The sign-in's discovery failed; only then the look-up asks whether the id names a tenant.
    assert [(r.kind, r.tenant) for r in emulator.recorder.requests()] == [
        (Kind.DISCOVERY, OTHER_TENANT),
        (Kind.DISCOVERY, OTHER_TENANT),
    ]
    assert stack_files(project) == []


@pytest.mark.usefixtures("contoso", "no_credentials")
def test_from_tenant_without_credentials_stops_before_anything(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "init", "--tenant", "contoso.com", "--from-tenant", "--write", "--project-dir", str(project)
    )
    assert code == 1
    assert out == ""
    assert "Error: --from-tenant reads each tenant and needs credentials: " in err
    assert stack_files(project) == []


@pytest.mark.usefixtures("contoso")
def test_the_stack_folder_of_pulumi_yaml_is_used(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\nstackConfigDir: stacks\n")
    code, _, err = run(capsys, "init", "--tenant", "contoso.com", "--write", "--project-dir", str(project))
    assert (code, err) == (1, err)
    assert "--project-dir: the stack folder" in err and "does not exist" in err
    (project / "stacks").mkdir()
    code, _, _ = run(capsys, "init", "--tenant", "contoso.com", "--write", "--project-dir", str(project))
    assert code == 0
    assert stack_files(project / "stacks") == ["Pulumi.contoso.yaml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "name the tenants: --tenant TENANT (an id or a domain) or --csv FILE, not both"),
        (["--tenant", "contoso.com", "--csv", "t.csv"], "name the tenants: --tenant TENANT"),
        (["--csv", "t.csv", "--stack", "x"], "--stack goes with --tenant; with --csv each row names its own"),
        (["--csv", "t.csv", "--client-id", CLIENT], "--client-id goes with --tenant;"),
        (["--tenant", "contoso.com", "--create-stack"], "--create-stack needs --write"),
        (["--tenant", "contoso.com", "--concurrency", "0"], "Invalid value for '--concurrency'"),
        (["--csv", "missing.csv"], "--csv: missing.csv: cannot read (No such file or directory)"),
    ],
)
def test_usage_errors_exit_1_without_a_document(
    args: list[str], message: str, project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    code, out, err = run(capsys, "init", *args)
    assert (code, out) == (1, "")
    assert message in err


def test_a_folder_without_a_pulumi_project_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "init", "--tenant", "contoso.com", "--project-dir", str(tmp_path))
    assert (code, out) == (1, "")
    assert f"--project-dir: {tmp_path / 'Pulumi.yaml'}: no Pulumi project here (use --project-dir)" in err


# --- many tenants --------------------------------------------------------------------------------------------
def test_csv_rows_run_alone_and_duplicates_fail_for_every_row_naming_them(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for tenant_id, domains in (
        (TENANT, ["contoso.com", "contoso.onmicrosoft.com"]),
        (OTHER_TENANT, ["fabrikam.com"]),
        (THIRD_TENANT, ["northwind.com"]),
    ):
        emulator.add_tenant(scenarios.in_sync_tenant(tenant_id)).domains = domains
    (project / "tenants.csv").write_text(
        "stack,tenant,clientId\n"
        "contoso,contoso.com,\n"  # 2: same tenant as line 3, by another domain
        "contoso-eu,contoso.onmicrosoft.com,\n"  # 3
        f"fabrikam,fabrikam.com,{CLIENT}\n"  # 4: fine
        "Northwind,northwind.com,\n"  # 5: same stack as line 6 (file names differ only in case), same tenant
        f"northwind,{THIRD_TENANT},\n"  # 6
        "woodgrove,woodgrove.com,\n"  # 7: no such domain
        "tailspin,tailspin.com,not-a-guid\n"  # 8: bad cell
        f"adatum,{OTHER_TENANT},\n"  # 9: same tenant as line 4, as its id
        "litware,fabrikam.COM,\n",  # 10: the same domain as line 4
        encoding="utf-8",
    )
    code, document, _ = init_json(
        capsys, project, "--csv", str(project / "tenants.csv"), "--write", "--concurrency", "3"
    )
    assert code == 1
    assert [(r["line"], r["stack"], r["status"]) for r in document["stacks"]] == [
        (2, "contoso", "error"),
        (3, "contoso-eu", "error"),
        (4, "fabrikam", "error"),
        (5, "Northwind", "error"),
        (6, "northwind", "error"),
        (7, "woodgrove", "error"),
        (8, "tailspin", "error"),
        (9, "adatum", "error"),
        (10, "litware", "error"),
    ]
    errors = {r["line"]: r["error"] for r in document["stacks"]}
    assert errors[2] == (
        f"tenants.csv line 2: tenant 'contoso.com' (tenant {TENANT}) is also named on line 3; each tenant may appear once"
    )
    assert (
        errors[4] == f"tenants.csv line 4: tenant 'fabrikam.com' (tenant {OTHER_TENANT}) is also named on line 9, "
        "line 10; each tenant may appear once"
    )
    assert errors[5] == (
        "tenants.csv line 5: stack 'Northwind' is also named on line 6; each stack may appear once; "
        f"tenants.csv line 5: tenant 'northwind.com' (tenant {THIRD_TENANT}) is also named on line 6; "
        "each tenant may appear once"
    )
    assert errors[7].startswith(
        "tenants.csv line 7: 'woodgrove.com' is no verified domain of any Microsoft Entra tenant"
    )
    assert errors[8] == "tenants.csv line 8: clientId must be the deploying app's client id (a GUID), got 'not-a-guid'"
    assert errors[9] == (
        f"tenants.csv line 9: tenant '{OTHER_TENANT}' is also named on line 4, line 10; each tenant may appear once"
    )
    assert stack_files(project) == []
    assert document["summary"] == {
        "stacks": 9,
        "described": 0,
        "leftOut": 0,
        "error": 9,
        "written": 0,
        "stacksCreated": 0,
    }


def test_csv_one_failing_row_and_the_others_complete(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT)).domains = ["contoso.com"]
    emulator.add_tenant(scenarios.in_sync_tenant(OTHER_TENANT)).domains = ["fabrikam.com"]
    scenarios.add_scope(emulator.tenant(OTHER_TENANT), "Mail.Read")
    (project / "Pulumi.northwind.yaml").write_text("config: {}\n", encoding="utf-8")
    (project / "tenants.csv").write_text(
        f"tenant,stack\nfabrikam.com,fabrikam\nnorthwind.com,northwind\n{TENANT},contoso\n", encoding="utf-8"
    )
    emulator.add_tenant(scenarios.in_sync_tenant(THIRD_TENANT)).domains = ["northwind.com"]
    code, document, _ = init_json(capsys, project, "--csv", str(project / "tenants.csv"), "--from-tenant", "--write")
    assert code == 1
    assert [(r["stack"], r["status"], r["written"]) for r in document["stacks"]] == [
        ("fabrikam", "left_out", True),
        ("northwind", "error", False),
        ("contoso", "described", True),
    ]
    assert document["stacks"][1]["error"].startswith(f"{project / 'Pulumi.northwind.yaml'}: exists;")
    assert (project / "Pulumi.northwind.yaml").read_text(encoding="utf-8") == "config: {}\n"
    assert stack_files(project) == ["Pulumi.contoso.yaml", "Pulumi.fabrikam.yaml", "Pulumi.northwind.yaml"]


# --- stacks ---------------------------------------------------------------------------------------------------
@pytest.fixture
def fake_pulumi(monkeypatch: pytest.MonkeyPatch) -> FakePulumiCommand:
    command = FakePulumiCommand(Behaviour(stacks={"existing": {}}))
    monkeypatch.setattr(fleet_command, "make_pulumi_command", lambda: command)
    return command


@pytest.mark.usefixtures("contoso", "no_credentials")
def test_create_stack_creates_it_after_writing_the_file(
    fake_pulumi: FakePulumiCommand, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provider = "azurekeyvault://vault.vault.azure.net/keys/pulumi"
    code, document, _ = init_json(
        capsys, project, "--tenant", "contoso.com", "--write", "--create-stack", "--secrets-provider", provider
    )
    assert code == 0
    (result,) = document["stacks"]
    assert (result["written"], result["stackCreated"], result["stackInit"]) == (True, True, None)
    assert "contoso" in fake_pulumi.behaviour.stacks
    assert [call for call in fake_pulumi.calls if "init" in call] == [
        ["--non-interactive", "stack", "init", "contoso", "--secrets-provider", provider]
    ]
    assert stack_files(project) == ["Pulumi.contoso.yaml"]


@pytest.mark.usefixtures("no_credentials")
def test_a_stack_that_cannot_be_created_leaves_no_file_behind(
    emulator: Emulator, fake_pulumi: FakePulumiCommand, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT)).domains = ["existing.com"]
    emulator.add_tenant(scenarios.in_sync_tenant(OTHER_TENANT)).domains = ["fabrikam.com"]
    fake_pulumi.behaviour.init_fail["fabrikam"] = (
        "PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE must be set"
    )
    (project / "tenants.csv").write_text("stack,tenant\nexisting,existing.com\nfabrikam,fabrikam.com\n")
    code, document, _ = init_json(capsys, project, "--csv", str(project / "tenants.csv"), "--write", "--create-stack")
    assert code == 1
    path = project / "Pulumi.existing.yaml"
    assert [r["error"] for r in document["stacks"]] == [
        f"pulumi stack init existing failed: stack 'existing' already exists; {path} was removed again",
        "pulumi stack init fabrikam failed: PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE must be set; "
        f"{project / 'Pulumi.fabrikam.yaml'} was removed again",
    ]
    assert stack_files(project) == []


@pytest.mark.usefixtures("contoso", "no_credentials")
def test_create_stack_without_pulumi_stops_before_anything(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = run(
        capsys, "init", "--tenant", "contoso.com", "--write", "--create-stack", "--project-dir", str(project)
    )
    assert (code, out) == (1, "")
    assert "the pulumi CLI is not on PATH" in err
    assert stack_files(project) == []


@pytest.mark.usefixtures("contoso", "no_credentials")
def test_markdown_dry_run_fences_the_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init", "--tenant", "contoso.com", "--format", "markdown", "--project-dir", str(project))
    assert code == 0
    assert out.startswith("## Enpass consent: init\n")
    assert "\n```yaml\n# Enpass consent in the tenant contoso.com" in out
    assert out.rstrip().endswith("```")


@pytest.mark.usefixtures("contoso", "no_credentials")
def test_the_table_wraps_to_the_terminal(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    code, piped, _ = run(capsys, "init", "--tenant", "contoso.com", "--project-dir", str(project))
    assert code == 0
    row = next(line for line in piped.splitlines() if line.startswith("contoso "))
    assert len(row) > 60 and row.endswith("Pulumi.contoso.yaml (not written: dry run)")  # off a terminal: one line

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, on_terminal, _ = run(capsys, "init", "--tenant", "contoso.com", "--project-dir", str(project))
    assert code == 0
    table = on_terminal.split("\n1 tenant(s)")[0]
    assert max(len(line) for line in table.splitlines()) <= 60
    whole = piped.split("\n1 tenant(s)")[0]
    assert sorted("".join(table.split())) == sorted("".join(whole.split()))  # wrapped, no character cut
