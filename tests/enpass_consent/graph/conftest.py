"""Emulator tenants for the Graph seam's integration tests (the emulator fixtures are global)."""

from __future__ import annotations

import pytest

from enpass_consent.emulator.server import Emulator
from enpass_consent.emulator.state import TEST_CLIENT_ID, ClientApp, Tenant


@pytest.fixture
def tenant_ids(emulator: Emulator) -> list[str]:
    """Three tenants, each with the test deploying app registered."""
    ids = [f"7e1a0000-0000-4000-8000-00000000000{n}" for n in range(1, 4)]
    for tenant_id in ids:
        emulator.add_tenant(Tenant(tenant_id)).add_client(ClientApp(TEST_CLIENT_ID))
    return ids
