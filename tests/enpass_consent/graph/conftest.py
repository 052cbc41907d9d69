"""Emulator fixtures for the Graph seam's integration tests.

Until the shared emulator fixtures are wired at the root, this folder starts its own emulator
(one per test process) and resets it before each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.emulator.server import Emulator
from tests.emulator.state import TEST_CLIENT_ID, ClientApp, Tenant


@pytest.fixture(scope="session")
def _graph_emulator_process() -> Iterator[Emulator]:
    emulator = Emulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator(_graph_emulator_process: Emulator) -> Emulator:
    _graph_emulator_process.reset()
    return _graph_emulator_process


@pytest.fixture
def tenant_ids(emulator: Emulator) -> list[str]:
    """Three tenants, each with the test deploying app registered."""
    ids = [f"7e1a0000-0000-4000-8000-00000000000{n}" for n in range(1, 4)]
    for tenant_id in ids:
        emulator.add_tenant(Tenant(tenant_id)).add_client(ClientApp(TEST_CLIENT_ID))
    return ids
