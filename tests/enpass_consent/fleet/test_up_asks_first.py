"""``fleet up`` asks first, like ``pulumi up``: --yes off a terminal, a preview and a ``yes`` on one,
every path checked before any stack is touched, and pulumi previews each stack before updating it."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from enpass_consent import cli
from enpass_consent.commands import fleet as fleet_command

from .fake_pulumi import Behaviour, FakePulumiCommand

STACKS = {"contoso": {"same": 3, "update": 1}, "fabrikam": {"same": 3}, "northwind": {"same": 2, "create": 2}}


class Factory:
    """``make_pulumi_command``: counts how often the pulumi CLI was asked for."""

    def __init__(self, command: FakePulumiCommand) -> None:
        self.command = command
        self.made = 0

    def __call__(self) -> FakePulumiCommand:
        self.made += 1
        return self.command


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakePulumiCommand:
    command = FakePulumiCommand(Behaviour(stacks={k: dict(v) for k, v in STACKS.items()}))
    monkeypatch.setattr(fleet_command, "make_pulumi_command", Factory(command))
    return command


def terminal(monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    monkeypatch.setattr(fleet_command, "is_interactive", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))


def off_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fleet_command, "is_interactive", lambda: False)


def up(capsys: pytest.CaptureFixture[str], project_dir: Path, *extra: str) -> tuple[int, str, str]:
    code = cli.main(["fleet", "up", "--all-stacks", "--project-dir", str(project_dir), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def deployed(fake: FakePulumiCommand) -> list[str]:
    return [call[call.index("--stack") + 1] for call in fake.operations("up")]


def test_off_a_terminal_without_yes_is_a_usage_error_and_nothing_runs(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    off_terminal(monkeypatch)
    code, out, err = up(capsys, project_dir, "--format", "json")
    assert (code, out) == (1, "")
    assert "pass --yes" in err and "nothing was deployed" in err
    assert fake.calls == [] and fleet_command.make_pulumi_command.made == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("where", ["missing-folder/report.json", "a-folder"])
def test_an_unwritable_output_fails_before_anything_is_deployed(
    fake: FakePulumiCommand,
    project_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    off_terminal(monkeypatch)
    (tmp_path / "a-folder").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = up(capsys, project_dir, "--yes", "--output", str(tmp_path / where))
    assert (code, out) == (1, "")
    assert "--output" in err
    assert fake.calls == [] and deployed(fake) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_checking_the_output_leaves_nothing_behind(
    fake: FakePulumiCommand, project_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    code, _, _ = up(capsys, project_dir, "--yes", "--output", str(reports / "fleet.json"), "--format", "json")
    assert code == 0
    assert [p.name for p in reports.iterdir()] == ["fleet.json"]  # no probe or temporary file left
    assert json.loads((reports / "fleet.json").read_text())["operation"] == "up"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--policy-pack", "{tmp}/no-pack"], "--policy-pack"),
        (["--policy-pack-config", "{tmp}/no-config.json"], "--policy-pack-config"),
        (["--project-dir", "{tmp}/no-project"], "no Pulumi project"),
    ],
)
def test_every_path_is_checked_before_any_stack(
    fake: FakePulumiCommand,
    project_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    args = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    code, out, err = up(capsys, project_dir, "--yes", *args)
    assert (code, out) == (1, "")
    assert message in err
    assert fake.calls == []


def test_on_a_terminal_it_previews_shows_the_summary_and_stops_without_yes(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal(monkeypatch, "y\n")  # only the word yes counts
    code, out, err = up(capsys, project_dir, "--format", "json")
    assert (code, out) == (1, "")
    assert sorted(call[call.index("--stack") + 1] for call in fake.operations("preview")) == sorted(STACKS)
    assert deployed(fake) == []
    summary = {
        line.split()[0]: line.split()[1:]
        for line in err.splitlines()
        if line.split()[:1] in (["contoso"], ["northwind"], ["fabrikam"])
    }
    assert summary["contoso"] == ["changes", "update", "1"]
    assert summary["northwind"] == ["changes", "create", "2"]
    assert summary["fabrikam"] == ["ok", "-"]
    assert "Deploy to 3 stack(s), 2 with changes? Type yes to continue" in err
    assert "not confirmed; nothing was deployed" in err


def test_on_a_terminal_yes_deploys_after_the_preview(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal(monkeypatch, "yes\n")
    code, out, _ = up(capsys, project_dir, "--format", "json")
    assert code == 0
    assert json.loads(out)["operation"] == "up"  # stdout: the document alone, nothing from the question
    previews, ups = fake.operations("preview"), fake.operations("up")
    assert len(previews) == 3 and sorted(deployed(fake)) == sorted(STACKS)
    assert fake.calls.index(ups[0]) > max(fake.calls.index(p) for p in previews)  # asked before anything changed
    assert all("--skip-preview" not in call for call in ups)  # and pulumi previews each stack once more
    assert len(fake.operations("install")) == 1


def test_a_failed_preview_asks_nothing_and_deploys_nothing(
    project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    command = FakePulumiCommand(Behaviour(stacks=dict(STACKS), fail={"fabrikam": "mandatory policy violation"}))
    monkeypatch.setattr(fleet_command, "make_pulumi_command", lambda: command)
    terminal(monkeypatch, "yes\n")
    code, out, err = up(capsys, project_dir)
    assert (code, out) == (1, "")
    assert "mandatory policy violation" in err and "the preview failed for 1 stack(s)" in err
    assert "Type yes" not in err
    assert command.operations("up") == []


def test_yes_deploys_without_asking_and_pulumi_still_previews(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    off_terminal(monkeypatch)
    code, _, err = up(capsys, project_dir, "--yes", "--format", "json")
    assert code == 0 and "Type yes" not in err
    assert fake.operations("preview") == []  # no fleet-level preview pass
    assert sorted(deployed(fake)) == sorted(STACKS)
    assert all("--yes" in call and "--skip-preview" not in call for call in fake.operations("up"))


def test_skip_preview_only_when_given(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    off_terminal(monkeypatch)
    code, _, _ = up(capsys, project_dir, "--yes", "--skip-preview")
    assert code == 0
    ups = fake.operations("up")
    assert len(ups) == 3 and all("--skip-preview" in call for call in ups)


@pytest.mark.parametrize("operation", ["preview", "drift"])
@pytest.mark.parametrize("flag", ["--yes", "--skip-preview"])
def test_up_flags_belong_to_up(
    fake: FakePulumiCommand, project_dir: Path, capsys: pytest.CaptureFixture[str], operation: str, flag: str
) -> None:
    code = cli.main(["fleet", operation, "--all-stacks", "--project-dir", str(project_dir), flag])
    _, err = capsys.readouterr()
    assert code == 1 and f"{flag} applies to fleet up only" in err
    assert fake.calls == []
