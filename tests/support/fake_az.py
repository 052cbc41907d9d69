"""The ``fake_az`` fixture: an ``az`` executable on PATH that talks to the emulator (``fake_az_cli.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from enpass_consent.emulator.server import Emulator
from tests.support import fake_az_cli

AZURE_CLI_CLIENT_ID = fake_az_cli.AZURE_CLI_CLIENT_ID


@dataclass
class FakeAz:
    bin_dir: Path
    env: dict[str, str]
    """PATH with the fake first, and where it keeps its state; add the emulator's env to use the CLI."""
    log_path: Path

    @property
    def executable(self) -> str:
        return str(self.bin_dir / "az")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.executable, *args], capture_output=True, text=True, env=self.env, timeout=30, check=False
        )

    def login(self, tenant_id: str) -> None:
        """``az login --tenant …`` (completes at once: the emulator's device flows need no browser)."""
        completed = self.run("login", "--tenant", tenant_id, "--allow-no-subscriptions")
        assert completed.returncode == 0, completed.stderr

    def calls(self) -> list[list[str]]:
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def fake_az(emulator: Emulator, tmp_path: Path) -> FakeAz:
    bin_dir = tmp_path / "fake-az-bin"
    bin_dir.mkdir()
    script = bin_dir / "az"
    script.write_text(f"#!{sys.executable}\nimport runpy, sys\nsys.argv[0] = {fake_az_cli.__file__!r}\n"
                      f"runpy.run_path({fake_az_cli.__file__!r}, run_name='__main__')\n", encoding="utf-8")  # fmt: skip
    script.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "FAKE_AZ_STATE": str(tmp_path / "fake-az-state.json"),
        "FAKE_AZ_LOG": str(tmp_path / "fake-az-calls.log"),
        "FAKE_AZ_AUTHORITY": emulator.base_url,
        "FAKE_AZ_CA_BUNDLE": emulator.ca_bundle,
    }
    return FakeAz(bin_dir, env, tmp_path / "fake-az-calls.log")
