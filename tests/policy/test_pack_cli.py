"""The pack under the real Pulumi CLI (`pulumi preview --policy-pack policy`); skipped without the CLI.

Unverified on the machines this project is built on (no CLI, no tenant): these tests only run
where `pulumi` is on PATH (CI). The first needs no cloud: an empty program on a local backend,
so it proves the CLI can build the pack's own virtualenv, load it and pass `--policy-pack-config`.
The second previews a real tenant stack and needs its credentials.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.policy.conftest import POLICY_DIR

REPO = POLICY_DIR.parent
PULUMI = shutil.which("pulumi")
pytestmark = [
    pytest.mark.needs_pulumi_cli,
    pytest.mark.skipif(PULUMI is None, reason="needs the pulumi CLI on PATH (not installed here)"),
]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG")}
    env.update(
        PULUMI_BACKEND_URL=f"file://{tmp_path / 'state'}",
        PULUMI_CONFIG_PASSPHRASE="policy-pack-test",
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_HOME=env.get("PULUMI_HOME", str(Path.home() / ".pulumi")),
    )
    return env


def _pulumi(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert PULUMI is not None
    return subprocess.run(
        [PULUMI, *args, "--non-interactive"], cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def test_cli_loads_the_pack_and_its_config(tmp_path: Path) -> None:
    pack = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, pack, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text(
        f"name: policy-pack-smoke\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n",
        encoding="utf-8",
    )
    (project / "__main__.py").write_text('import pulumi\n\npulumi.export("ok", True)\n', encoding="utf-8")
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"enpass-scopes-allowlisted": {"allowedScopes": ["User.Read"]}}), encoding="utf-8")
    (tmp_path / "state").mkdir()
    env = _env(tmp_path)

    init = _pulumi(["stack", "init", "smoke"], project, env)
    assert init.returncode == 0, init.stderr
    done = _pulumi(
        ["preview", "--stack", "smoke", "--policy-pack", str(pack), "--policy-pack-config", str(config)], project, env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "enpass-consent-guardrails" in done.stdout + done.stderr


@pytest.mark.skipif(
    PULUMI is None or not os.environ.get("ENPASS_CONSENT_POLICY_STACK"),
    reason="needs the pulumi CLI on PATH and ENPASS_CONSENT_POLICY_STACK naming a configured tenant stack "
    "(with credentials)",
)
def test_preview_of_a_real_stack_passes_the_pack() -> None:
    stack = os.environ["ENPASS_CONSENT_POLICY_STACK"]
    done = subprocess.run(
        [str(PULUMI), "preview", "--stack", stack, "--policy-pack", str(POLICY_DIR), "--non-interactive"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
