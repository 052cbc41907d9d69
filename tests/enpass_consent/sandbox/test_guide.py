"""The text the sandbox prints: the demo tenants, the commands to try, the user's own stacks."""

from __future__ import annotations

from pathlib import Path

from enpass_consent.emulator.demo import demo_tenant_id
from enpass_consent.sandbox.folder import DemoFolder
from enpass_consent.sandbox.guide import PULUMI_NOTE, READY, guide
from enpass_consent.sandbox.tenants import served_tenants


def test_the_guide_names_each_tenant_the_commands_and_ends_with_the_ready_line(tmp_path: Path) -> None:
    folder = DemoFolder(tmp_path / "my demo", kept=True)
    text = guide("https://127.0.0.1:4443", folder, served_tenants(None), None)
    lines = text.splitlines()
    assert (
        lines[0] == "enpass-consent sandbox: a local Microsoft Entra ID and Microsoft Graph at https://127.0.0.1:4443"
    )
    assert f"Demo project: {folder.path} (kept when the sandbox stops)" in lines
    assert [line.split()[:2] for line in lines[4:9]] == [
        [name, demo_tenant_id(name)] for name in ("contoso", "fabrikam", "northwind", "tailspin", "wingtip")
    ]
    start = lines.index("Try, in another terminal:") + 1
    wingtip = demo_tenant_id("wingtip")
    assert lines[start : start + 7] == [
        f"  cd '{folder.path}'",
        "  source sandbox.env",
        "  enpass-consent audit --all-stacks",
        "  enpass-consent preflight --all-stacks",
        "  enpass-consent adopt --stack fabrikam",
        f"  enpass-consent init --tenant {wingtip} --stack wingtip --from-tenant --write",
        "  enpass-consent audit --stack wingtip",
    ]
    assert "Your own stacks, offline:" not in text
    assert PULUMI_NOTE in text
    assert lines[-1].startswith(READY)


def test_with_a_project_the_guide_lists_its_stacks_and_how_to_audit_them(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: enpass-consent\n")
    (project / "Pulumi.customer.yaml").write_text("config:\n  azuread:tenantId: 3f1e0000-0000-4000-8000-000000000001\n")
    (project / "Pulumi.typo.yaml").write_text("config:\n  azuread:tenantId: nope\n")
    folder = DemoFolder(tmp_path / "demo", kept=False)
    lines = guide("https://127.0.0.1:4443", folder, served_tenants(project), project).splitlines()
    start = lines.index(f"Your stacks ({project}), each tenant as its stack file describes it:") + 1
    assert lines[start] == "  customer  3f1e0000-0000-4000-8000-000000000001"
    assert lines[start + 1].startswith("  typo: not served, its settings are invalid (")
    own = lines.index("Your own stacks, offline:") + 1
    assert lines[own : own + 3] == [
        f"  cd {project}",
        f"  source {folder.path / 'sandbox.env'}",
        "  enpass-consent audit --all-stacks",
    ]
