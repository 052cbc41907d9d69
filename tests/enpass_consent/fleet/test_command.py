from __future__ import annotations

import json
from pathlib import Path

import pytest

from enpass_consent import cli
from enpass_consent.commands import fleet as fleet_command
from enpass_consent.fleet.drift_audit import StackAudit
from enpass_consent.fleet.shard import Shard

from .conftest import FakeAudit, scope_extra
from .fake_pulumi import Behaviour, FakePulumiCommand

STACKS = {"contoso": {"same": 3, "update": 1}, "fabrikam": {"same": 3}, "northwind": {"same": 2}}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakePulumiCommand:
    command = FakePulumiCommand(Behaviour(stacks={k: dict(v) for k, v in STACKS.items()}))
    monkeypatch.setattr(fleet_command, "make_pulumi_command", lambda: command)
    return command


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["fleet", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_preview_json_on_stdout_only_and_exit_2_on_changes(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "preview", "--all-stacks", "--project-dir", str(project_dir), "--format", "json")
    assert code == 2
    document = json.loads(out)  # nothing but the document on stdout
    assert [s["stack"] for s in document["stacks"]] == ["contoso", "fabrikam", "northwind"]
    assert document["summary"]["changes"] == 1
    assert "fleet preview" in err


def test_exit_0_when_everything_is_unchanged(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fleet_command, "make_audit", FakeAudit)
    code, out, _ = _run(capsys, "drift", "--stack", "fabrikam", "--project-dir", str(project_dir), "--format", "json")
    assert code == 0
    assert json.loads(out)["stacks"][0]["status"] == "ok"


def test_exit_1_on_a_failed_stack(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        capsys, "up", "--yes", "--stack", "contoso", "--stack", "ghost", "--project-dir", str(project_dir)
    )
    assert code == 1
    assert "ghost" in out and "failed" in out


def test_drift_uses_the_injected_audit(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = FakeAudit({"northwind": StackAudit(findings=(scope_extra("Mail.Read"),))})
    monkeypatch.setattr(fleet_command, "make_audit", lambda: audit)
    code, out, _ = _run(capsys, "drift", "--stack", "northwind", "--project-dir", str(project_dir), "--format", "json")
    assert code == 2
    assert json.loads(out)["stacks"][0]["findings"][0]["code"] == "SCOPE_EXTRA"
    assert audit.calls == [["northwind"]]


def test_canary_failure_exits_1_and_touches_nothing_else(
    monkeypatch: pytest.MonkeyPatch, project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = FakePulumiCommand(Behaviour(stacks=dict(STACKS), fail={"fabrikam": "boom"}))
    monkeypatch.setattr(fleet_command, "make_pulumi_command", lambda: command)
    code, out, _ = _run(
        capsys,
        "up",
        "--yes",
        "--all-stacks",
        "--canary",
        "fabrikam",
        "--project-dir",
        str(project_dir),
        "--format",
        "json",
    )
    assert code == 1
    statuses = {s["stack"]: s["status"] for s in json.loads(out)["stacks"]}
    assert statuses == {"fabrikam": "failed", "contoso": "skipped", "northwind": "skipped"}
    assert set(command.stacks_touched()) == {"fabrikam"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["preview", "--stack", "a", "--canary", "a", "--shard", "1/2"], "--canary cannot be combined with --shard"),
        (["preview", "--stack", "a", "--shard", "0/2"], "1-based"),
        (["preview", "--stack", "a", "--shard", "x"], "I/N"),
        (["preview"], "--stack NAME"),
        (["preview", "--stack", "a", "--all-stacks"], "not both"),
        (["preview", "--stack", "a", "--concurrency", "0"], "--concurrency"),
        (["destroy", "--stack", "a"], "preview|up|drift"),
        (["preview", "--stack", "a", "--format", "yaml"], "--format"),
    ],
)
def test_usage_errors_exit_1_without_a_document(
    fake: FakePulumiCommand, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = _run(capsys, *args)
    assert code == 1
    assert out == ""
    assert message in err
    assert fake.calls == []


def test_empty_shard_gives_an_empty_document_exit_0_without_pulumi(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_pulumi() -> FakePulumiCommand:
        raise AssertionError("an empty shard must not need the pulumi CLI")

    monkeypatch.setattr(fleet_command, "make_pulumi_command", no_pulumi)
    empty = next(i for i in range(1, 9) if not Shard(i, 8).contains("contoso"))
    code, out, _ = _run(capsys, "up", "--yes", "--stack", "contoso", "--shard", f"{empty}/8", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "schema": "enpass-consent.fleet/v1",
        "operation": "up",
        "stacks": [],
        "summary": {"stacks": 0, "ok": 0, "changes": 0, "failed": 0, "skipped": 0},
    }


def test_shard_runs_only_its_stacks(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[str] = []
    for index in (1, 2):
        code, out, _ = _run(
            capsys,
            "preview",
            "--all-stacks",
            "--shard",
            f"{index}/2",
            "--project-dir",
            str(project_dir),
            "--format",
            "json",
        )
        assert code in (0, 2)
        seen += [s["stack"] for s in json.loads(out)["stacks"]]
    assert sorted(seen) == sorted(STACKS)


def test_missing_pulumi_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, project_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    code, out, err = _run(capsys, "preview", "--all-stacks", "--project-dir", str(project_dir))
    assert code == 1
    assert out == ""
    assert "pulumi CLI is not on PATH" in err


@pytest.mark.parametrize("format_", ["table", "json", "markdown", "html"])
def test_output_file_gets_the_document(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, format_: str
) -> None:
    target = tmp_path / f"report.{format_}"
    code, out, _ = _run(
        capsys,
        "preview",
        "--stack",
        "contoso",
        "--project-dir",
        str(project_dir),
        "--format",
        format_,
        "--output",
        str(target),
    )
    assert code == 2
    assert out == ""
    assert "contoso" in target.read_text(encoding="utf-8")


def test_help_lists_the_contract_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == 0
    for option in (
        "--stack",
        "--all-stacks",
        "--project-dir",
        "--format",
        "--output",
        "--concurrency",
        "--canary",
        "--shard",
    ):
        assert option in out


def test_policy_packs_run_with_every_operation(
    fake: FakePulumiCommand, project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "policy"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    config = tmp_path / "policy-config.json"
    config.write_text('{"all": "mandatory"}')
    for operation in ("preview", "up", "drift"):
        _run(
            capsys,
            operation,
            "--stack",
            "contoso",
            "--project-dir",
            str(project_dir),
            "--policy-pack",
            str(pack),
            "--policy-pack-config",
            str(config),
            *(["--yes"] if operation == "up" else []),
        )
    operations = fake.operations("preview") + fake.operations("up")
    assert len(operations) == 3
    for call in operations:
        assert call[call.index("--policy-pack") + 1] == str(pack.resolve())
        assert call[call.index("--policy-pack-config") + 1] == str(config.resolve())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--policy-pack", "no-such-pack"],
            "--policy-pack: no-such-pack is not a policy pack (no PulumiPolicy.yaml in it)",
        ),
        (["--policy-pack-config", "x.json"], "--policy-pack-config: no such file x.json"),
    ],
)
def test_bad_policy_options_are_usage_errors_before_any_stack(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, out, err = _run(capsys, "up", "--all-stacks", "--project-dir", str(project_dir), *extra)
    assert (code, out) == (1, "")
    assert message in err
    assert fake.calls == []


def test_drift_attribution_reaches_the_audit_and_the_document(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from enpass_consent.attribution.result import Attribution, AttributionStatus, LastChange
    from enpass_consent.audit.result import TenantResult

    change = LastChange("Update delegated permission grant", "2026-11-30T21:14:03Z", "alice@contoso.test", None,
                        "success", None)  # fmt: skip
    outcome = TenantResult.evaluated("northwind", "t", [scope_extra("Mail.Read")]).with_attribution(
        Attribution(AttributionStatus.OK, "2026-11-23T00:00:00Z"), (change,)
    )
    asked: list[int | None] = []

    def make_audit(days: int | None = None) -> FakeAudit:
        asked.append(days)
        return FakeAudit({"northwind": outcome})  # type: ignore[dict-item]

    monkeypatch.setattr(fleet_command, "make_audit", make_audit)
    args = ["drift", "--stack", "northwind", "--project-dir", str(project_dir), "--format", "json", "--attribution"]
    code, out, _ = _run(capsys, *args, "--attribution-days", "7")
    assert code == 2  # as without the option
    assert asked == [7]
    stack = json.loads(out)["stacks"][0]
    assert stack["attribution"] == {"status": "ok", "since": "2026-11-23T00:00:00Z", "reason": None}
    assert stack["findings"][0]["lastChange"]["actor"] == "alice@contoso.test"
