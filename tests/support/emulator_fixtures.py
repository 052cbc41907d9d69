"""pytest fixtures: one emulator server per test session, reset before every test.

Register with ``pytest_plugins = ["tests.support.emulator_fixtures"]`` in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from enpass_consent.emulator.server import Emulator


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    """The session's running emulator (state carries over between tests; prefer ``emulator``)."""
    server = Emulator().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def emulator(emulator_server: Emulator) -> Iterator[Emulator]:
    """The session's emulator with no tenants, faults, records or custom settings."""
    emulator_server.reset()
    yield emulator_server
    emulator_server.reset()


@pytest.fixture
def emulator_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the CLI at the emulator through its ``ENPASS_CONSENT_*`` environment variables."""
    env = emulator.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
