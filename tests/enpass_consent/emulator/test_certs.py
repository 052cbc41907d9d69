"""The emulator's certificates: made once per process, on disk only while an emulator runs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from enpass_consent.emulator.certs import TEMP_PREFIX
from enpass_consent.emulator.server import Emulator


@pytest.fixture
def temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own temp folder, so other emulators (other test workers) cannot hide a leftover."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_running_emulator_keeps_only_its_ca_bundle_on_disk_and_stop_removes_it(temp_folder: Path) -> None:
    emulator = Emulator().start()
    try:
        bundle = Path(emulator.ca_bundle)
        (folder,) = [p.name for p in temp_folder.iterdir()]
        assert folder.startswith(TEMP_PREFIX)
        # The server's private key was on disk only while ssl loaded it.
        assert listing(temp_folder) == [folder, f"{folder}/ca.pem"]
        assert bundle == temp_folder / folder / "ca.pem"
        assert oct(bundle.stat().st_mode & 0o777) == "0o600"
        response = emulator.session().get(f"{emulator.base_url}/x/v2.0/.well-known/openid-configuration", timeout=5)
        assert response.status_code == 400  # served over TLS that the bundle verifies; unknown tenant
    finally:
        emulator.stop()
    assert listing(temp_folder) == []
    emulator.stop()  # twice is harmless
    with pytest.raises(RuntimeError, match="not started"):
        _ = emulator.ca_bundle


def test_emulators_of_one_process_share_one_ca(temp_folder: Path) -> None:
    with Emulator() as first, Emulator() as second:
        assert first.ca_bundle != second.ca_bundle
        assert Path(first.ca_bundle).read_bytes() == Path(second.ca_bundle).read_bytes()
        assert second.session().get(f"{first.base_url}/x/v2.0/.well-known/openid-configuration", timeout=5).ok is False
    assert listing(temp_folder) == []


def test_a_taken_port_is_an_os_error_and_leaves_nothing(temp_folder: Path) -> None:
    with Emulator() as first:
        second = Emulator()
        with pytest.raises(OSError):
            second.start(port=first.port)
        assert listing(temp_folder) == [
            Path(first.ca_bundle).parent.name,
            f"{Path(first.ca_bundle).parent.name}/ca.pem",
        ]
    assert listing(temp_folder) == []


def test_a_process_that_never_stops_its_emulator_still_leaves_nothing(tmp_path: Path) -> None:
    # Benchmarks and crashed runs exit without stop(): the bundle goes at interpreter exit.
    script = "from enpass_consent.emulator import Emulator; e = Emulator().start(); print(e.ca_bundle)"
    environ = {**os.environ, "TMPDIR": str(tmp_path)}
    printed = subprocess.run([sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True)
    assert printed.stdout.strip().startswith(str(tmp_path))
    assert listing(tmp_path) == []
