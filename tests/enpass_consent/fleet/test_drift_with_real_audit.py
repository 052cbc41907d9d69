"""``fleet drift`` end to end: a fake ``pulumi`` for the engine side, the real audit against the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enpass_consent import cli, clouds
from enpass_consent.commands import fleet as fleet_command
from enpass_consent.emulator import TEST_CLIENT_ID, TEST_CLIENT_SECRET, scenarios
from enpass_consent.emulator.server import Emulator

from .fake_pulumi import Behaviour, FakePulumiCommand

IN_SYNC = "30000000-0000-4000-8000-000000000001"
PORTAL_EDITED = "30000000-0000-4000-8000-000000000002"


def test_drift_reports_engine_changes_and_what_only_the_audit_sees(
    emulator: Emulator,
    emulator_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ARM_CLIENT_ID", TEST_CLIENT_ID)
    monkeypatch.setenv("ARM_CLIENT_SECRET", TEST_CLIENT_SECRET)
    monkeypatch.setenv("CI", "true")
    emulator.add_tenant(scenarios.in_sync_tenant(IN_SYNC))
    edited = emulator.add_tenant(scenarios.in_sync_tenant(PORTAL_EDITED))
    mallory = scenarios.add_user(edited, "Mallory")
    user_grant = scenarios.add_user_grant(edited, mallory.id, ["User.Read"])  # invisible to Pulumi
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    (tmp_path / "Pulumi.contoso.yaml").write_text(f"config:\n  azuread:tenantId: {IN_SYNC}\n")
    (tmp_path / "Pulumi.fabrikam.yaml").write_text(f"config:\n  azuread:tenantId: {PORTAL_EDITED}\n")
    engine = FakePulumiCommand(Behaviour(stacks={"contoso": {"same": 3}, "fabrikam": {"same": 3}}))
    monkeypatch.setattr(fleet_command, "make_pulumi_command", lambda: engine)

    code = cli.main(
        ["fleet", "drift", "--all-stacks", "--canary", "contoso", "--project-dir", str(tmp_path), "--format", "json"]
    )
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    # The canary and the rest are audited separately, through one Graph session and one sign-in.
    assert captured.err.count("enpass-consent: signing in with client secret") == 1
    # Like every command that reads Graph, it names the endpoint overrides (here: the emulator).
    assert captured.err.count(f"{clouds.GRAPH_URL_ENV}={emulator.base_url} overrides") == 1
    assert emulator.recorder.count(IN_SYNC) == 3 and emulator.recorder.count(PORTAL_EDITED) == 3

    assert code == 2
    by_stack = {s["stack"]: s for s in document["stacks"]}
    assert by_stack["contoso"] == {"stack": "contoso", "status": "ok", "changes": {}, "error": None, "findings": []}
    assert by_stack["fabrikam"]["status"] == "changes" and by_stack["fabrikam"]["changes"] == {}
    assert [(f["code"], f["objectId"], f["actual"]) for f in by_stack["fabrikam"]["findings"]] == [
        ("USER_GRANT", user_grant.id, mallory.id)
    ]
    assert all("--refresh" in call for call in engine.operations("preview"))
    assert emulator.recorder.count(PORTAL_EDITED) == 3
