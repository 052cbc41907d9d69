"""One sandbox's lifetime: nothing is left when it cannot start or when it stops."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest

from enpass_consent import clouds
from enpass_consent.emulator import TEST_CLIENT_SECRET, Emulator
from enpass_consent.sandbox.folder import ENV_FILE, prepare
from enpass_consent.sandbox.run import StartError, running_sandbox, stop_signals
from enpass_consent.sandbox.tenants import served_tenants


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_the_sandbox_serves_the_demo_and_writes_its_env_file_then_removes_all(temp: Path) -> None:
    folder = prepare(None)
    with running_sandbox(served_tenants(None), folder, 0) as emulator:
        env_text = (folder.path / ENV_FILE).read_text()
        assert f"export {clouds.GRAPH_URL_ENV}={emulator.base_url}\n" in env_text
        assert f"export {clouds.CA_BUNDLE_ENV}={emulator.ca_bundle}\n" in env_text
        assert f"export ARM_CLIENT_SECRET={TEST_CLIENT_SECRET}\n" in env_text
        assert len(emulator.tenants) == 5
    assert list(temp.iterdir()) == []


def test_a_taken_port_is_one_message_and_leaves_nothing(temp: Path) -> None:
    with Emulator() as other:
        folder = prepare(None)
        taken = rf"^--port {other.port}: cannot listen on 127.0.0.1:{other.port} \("
        with pytest.raises(StartError, match=taken), running_sandbox(served_tenants(None), folder, other.port):
            raise AssertionError("started on a taken port")
        assert [p.name for p in temp.iterdir()] == [Path(other.ca_bundle).parent.name]


def test_a_stop_signal_ends_the_wait_and_the_handlers_are_restored() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stop_signals() as wait:
        os.kill(os.getpid(), signal.SIGTERM)
        assert wait() == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_folder_that_cannot_be_written_is_one_message_and_leaves_nothing(temp: Path) -> None:
    folder = prepare(None)
    (folder.path / "Pulumi.yaml").mkdir()  # a file cannot replace a folder, not even for root
    unwritable = rf"^cannot write the demo project in {folder.path} \("
    with pytest.raises(StartError, match=unwritable), running_sandbox(served_tenants(None), folder, 0):
        raise AssertionError("started without its demo folder")
    assert list(temp.iterdir()) == []
