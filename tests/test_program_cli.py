"""The program under the real Pulumi CLI: runs only where `pulumi` is on PATH (no CLI on the development machines).

The first test needs no Microsoft tenant: a bad setting stops the program before any lookup, so it
proves that the CLI shows the one-line message and no traceback. The second needs a real tenant
and a deploying identity (ENPASS_CONSENT_TEST_TENANT_ID plus ARM_* credentials).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PULUMI = shutil.which("pulumi")

pytestmark = [
    pytest.mark.needs_pulumi_cli,
    pytest.mark.skipif(PULUMI is None, reason="needs the pulumi CLI on PATH (not installed here)"),
]


def project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(
        REPO, project, ignore=shutil.ignore_patterns(".git", ".venv*", "tests", "benchmarks", "Pulumi.*.yaml")
    )
    (project / "Pulumi.example.yaml").unlink(missing_ok=True)
    return project


def pulumi(project: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert PULUMI is not None
    return subprocess.run(
        [PULUMI, *args, "--non-interactive", "--cwd", str(project)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )


def cli_env(tmp_path: Path) -> dict[str, str]:
    state = tmp_path / "state"
    state.mkdir()
    return {
        **os.environ,
        "PULUMI_BACKEND_URL": state.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": "test-only-passphrase",
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }


def test_a_bad_setting_is_one_message_without_traceback(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / "Pulumi.bad.yaml").write_text(
        "config:\n  azuread:tenantId: 11111111-2222-3333-4444-555555555555\n  enpass-consent:scopes: [Mail.Read]\n"
    )
    env = cli_env(tmp_path)
    assert pulumi(project, "stack", "init", "bad", env=env).returncode == 0
    result = pulumi(project, "preview", "--stack", "bad", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "enpass-consent:scopes: unknown scope 'Mail.Read'" in output
    assert "Traceback" not in output


@pytest.mark.skipif(
    not os.environ.get("ENPASS_CONSENT_TEST_TENANT_ID"),
    reason="needs ENPASS_CONSENT_TEST_TENANT_ID and ARM_* credentials of a test tenant",
)
def test_preview_against_a_real_tenant(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    tenant_id = os.environ["ENPASS_CONSENT_TEST_TENANT_ID"]
    (project / "Pulumi.live.yaml").write_text(f"config:\n  azuread:tenantId: {tenant_id}\n")
    env = cli_env(tmp_path)
    assert pulumi(project, "stack", "init", "live", env=env).returncode == 0
    result = pulumi(project, "preview", "--stack", "live", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert "enpass-sp" in result.stdout and "enpass-grant" in result.stdout
