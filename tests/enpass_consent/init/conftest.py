"""A Pulumi project folder pointed at the emulator, with an app-only identity (as in CI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from enpass_consent.cli import main
from enpass_consent.emulator import TEST_CLIENT_ID, TEST_CLIENT_SECRET
from tests.support.golden import validate

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "22222222-2222-3333-4444-555555555555"


@pytest.fixture
def project(tmp_path: Path, emulator_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ARM_CLIENT_ID", TEST_CLIENT_ID)
    monkeypatch.setenv("ARM_CLIENT_SECRET", TEST_CLIENT_SECRET)
    monkeypatch.setenv("CI", "true")
    for name in ("ARM_CLIENT_CERTIFICATE_PATH", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH", "ARM_USE_OIDC"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n", encoding="utf-8")
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "eyJ" not in out + err, "an access token leaked into the output"
    assert TEST_CLIENT_SECRET not in out + err
    assert "Traceback" not in out + err
    return code, out, err


def init_json(capsys: pytest.CaptureFixture[str], project: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = run(capsys, "init", *args, "--project-dir", str(project), "--format", "json")
    document = json.loads(out)
    validate(document, "init")
    return code, document, err
