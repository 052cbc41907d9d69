"""The production path end to end: ``make_pulumi_command`` finds ``pulumi`` on PATH, the SDK's own
``PulumiCommand`` runs it as a process, and events come back over the SDK's gRPC event stream.

Here ``pulumi`` is the executable fake (``fake_pulumi.write_executable``); with a real CLI on PATH
``test_real_cli`` below runs the same commands against a local file backend.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from enpass_consent import cli
from enpass_consent.commands import fleet as fleet_command

from .conftest import FakeAudit
from .fake_pulumi import CURRENT_VERSION, Behaviour, write_executable


def test_fleet_through_the_production_pulumi_command(
    tmp_path: Path, project_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    behaviour = Behaviour(
        stacks={"contoso": {"same": 2, "update": 1}, "fabrikam": {"same": 3}, "northwind": {"same": 1}},
        fail={"northwind": "Program failed: azuread:tenantId is not a GUID"},
    )
    call_log = tmp_path / "calls.jsonl"
    write_executable(tmp_path / "bin", behaviour, call_log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(fleet_command, "make_audit", FakeAudit)

    command = fleet_command.make_pulumi_command()  # the real factory: runs `pulumi version`
    assert str(command.version) == CURRENT_VERSION

    code = cli.main(["fleet", "drift", "--all-stacks", "--project-dir", str(project_dir), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "fleet drift: [3/3]" in err  # progress lines on stderr (not a terminal here)
    statuses = {s["stack"]: (s["status"], s["changes"]) for s in json.loads(out)["stacks"]}
    assert statuses == {"contoso": ("changes", {"update": 1}), "fabrikam": ("ok", {}), "northwind": ("failed", {})}
    assert "azuread:tenantId is not a GUID" in out
    calls = [json.loads(line) for line in call_log.read_text(encoding="utf-8").splitlines()]
    previews = [c["args"] for c in calls if "preview" in c["args"]]
    assert len(previews) == 3
    for args in previews:
        assert args[0] == "--non-interactive" and "--refresh" in args
        assert args[args.index("--event-log") + 1].startswith("tcp://127.0.0.1:")
    assert all(c["env_automation"] == "true" for c in calls if c["args"] != ["version"])


@pytest.mark.needs_pulumi_cli
@pytest.mark.skipif(shutil.which("pulumi") is None, reason="needs the pulumi CLI on PATH (not installed here)")
def test_real_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # pragma: no cover - only where the CLI exists
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        "name: fleet-smoke\nruntime: yaml\noutputs:\n  hello: world\n", encoding="utf-8"
    )
    state = tmp_path / "state"
    state.mkdir()
    monkeypatch.setenv("PULUMI_BACKEND_URL", state.as_uri())
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "fleet-test")
    monkeypatch.setenv("PULUMI_SKIP_UPDATE_CHECK", "true")
    monkeypatch.setattr(fleet_command, "make_audit", FakeAudit)
    subprocess.run(["pulumi", "stack", "init", "smoke", "--non-interactive"], cwd=project, check=True)

    code = cli.main(
        [
            "fleet",
            "preview",
            "--stack",
            "smoke",
            "--stack",
            "missing",
            "--project-dir",
            str(project),
            "--format",
            "json",
        ]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    statuses = {s["stack"]: s["status"] for s in document["stacks"]}
    assert statuses == {"smoke": "changes", "missing": "failed"}

    assert (
        cli.main(["fleet", "up", "--yes", "--stack", "smoke", "--project-dir", str(project), "--format", "json"]) == 0
    )
    capsys.readouterr()
    assert cli.main(["fleet", "drift", "--stack", "smoke", "--project-dir", str(project), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["stacks"][0]["changes"] == {}
