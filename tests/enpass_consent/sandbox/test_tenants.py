"""What the sandbox serves: the demo tenants, and the user's own stacks in sync with their files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from enpass_consent.cli import main
from enpass_consent.emulator import TEST_CLIENT_ID, TEST_CLIENT_SECRET
from enpass_consent.emulator.demo import demo_tenant_id
from enpass_consent.emulator.server import Emulator
from enpass_consent.sandbox.tenants import ProjectError, served_tenants

T_PLAIN = "3f1e0000-0000-4000-8000-000000000001"
T_GROUPS = "3f1e0000-0000-4000-8000-000000000002"
T_PER_USER = "3f1e0000-0000-4000-8000-000000000003"
T_ADOPTED = "3f1e0000-0000-4000-8000-000000000004"
GROUP_ID = "6a000000-0000-4000-8000-0000000000a1"
USER_ID = "5b000000-0000-4000-8000-0000000000b1"
OTHER_USER_ID = "5b000000-0000-4000-8000-0000000000b2"
PIPELINE_CLIENT_ID = "c1000000-0000-4000-8000-00000000c1c1"

STACKS = {
    "plain": f"config:\n  azuread:tenantId: {T_PLAIN}\n",
    "groups": f"""config:
  azuread:tenantId: {T_GROUPS}
  azuread:clientId: {PIPELINE_CLIENT_ID}
  enpass-consent:groups:
    - Enpass Users
    - "Bob's Team"
    - {GROUP_ID}
  enpass-consent:users:
    - {USER_ID}
  enpass-consent:notificationEmails:
    - it@example.com
""",
    "per-user": f"""config:
  azuread:tenantId: {T_PER_USER}
  enpass-consent:tenantWideConsent: false
  enpass-consent:consentUsers:
    - {OTHER_USER_ID}
    - {USER_ID}
  enpass-consent:scopes:
    - User.Read
    - offline_access
""",
    "adopted": f"""config:
  azuread:tenantId: {T_ADOPTED}
  enpass-consent:users:
    - {USER_ID}
  enpass-consent:adopt:
    servicePrincipalObjectId: 8e000000-0000-4000-8000-0000000000e1
    grantId: AbCdEfGhIjKlMnOpQrStUv
    assignmentIds:
      {USER_ID}: ZyXwVuTsRqPoNmLkJiHgFe
""",
    "broken": f"config:\n  azuread:tenantId: {T_PLAIN}\n  enpass-consent:scopes:\n    - Mail.Read\n",
    "twin": f"config:\n  azuread:tenantId: {T_PLAIN.upper()}\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    for stack, text in STACKS.items():
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    return tmp_path


def test_without_a_project_only_the_demo_tenants_are_served() -> None:
    served = served_tenants(None)
    assert [demo.name for demo in served.demo] == ["contoso", "fabrikam", "northwind", "tailspin", "wingtip"]
    assert [tenant.tenant_id for tenant in served.tenants] == [demo_tenant_id(demo.name) for demo in served.demo]
    assert served.own == [] and served.skipped == []


def test_each_valid_stack_is_served_in_sync_with_its_file(
    project: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served = served_tenants(project)
    assert [own.stack for own in served.own] == ["adopted", "groups", "per-user", "plain"]
    assert len(served.skipped) == 2
    broken, twin = served.skipped
    assert broken.startswith("broken: not served, its settings are invalid (") and "Mail.Read" in broken
    assert twin == f"twin: not served, tenant {T_PLAIN} is already served for stack plain"

    for tenant in served.tenants:
        emulator.add_tenant(tenant)
    for name, value in emulator.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ARM_CLIENT_ID", TEST_CLIENT_ID)
    monkeypatch.setenv("ARM_CLIENT_SECRET", TEST_CLIENT_SECRET)
    monkeypatch.setenv("CI", "true")
    stacks = ["--stack", "adopted", "--stack", "groups", "--stack", "per-user", "--stack", "plain"]
    code = main(["audit", "--project-dir", str(project), *stacks, "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert [(t["stack"], t["status"], t["findings"]) for t in document["tenants"]] == [
        ("adopted", "in_sync", []),
        ("groups", "in_sync", []),
        ("per-user", "in_sync", []),
        ("plain", "in_sync", []),
    ]
    assert code == 0
    code = main(["preflight", "--project-dir", str(project), *stacks, "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert [(t["stack"], t["status"]) for t in document["tenants"]] == [
        ("adopted", "pass"),
        ("groups", "pass"),
        ("per-user", "pass"),
        ("plain", "pass"),
    ], json.dumps(document, indent=1)
    assert code == 0


def test_a_project_without_stacks_or_without_pulumi_yaml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=rf"^--from-project: {tmp_path} holds no Pulumi.yaml; name a Pulumi"):
        served_tenants(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    (tmp_path / "Pulumi.example.yaml").write_text(f"config:\n  azuread:tenantId: {T_PLAIN}\n")
    with pytest.raises(ProjectError, match=rf"^--from-project: no Pulumi.<stack>.yaml in {tmp_path}$"):
        served_tenants(tmp_path)
