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
    """The session's emulator with no tenants, faults, records or custom settings.

    A test whose requests the emulator answered with its internal-error answer fails here: a test
    expecting an error outcome must never pass on an emulator bug.
    """
    emulator_server.reset()
    yield emulator_server
    bugs = list(emulator_server.bugs)
    emulator_server.reset()
    if bugs:
        pytest.fail("the emulator failed internally (its bug, not Graph's):\n" + "\n".join(bugs), pytrace=False)


@pytest.fixture
def emulator_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the CLI at the emulator through its ``ENPASS_CONSENT_*`` environment variables."""
    env = emulator.env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
