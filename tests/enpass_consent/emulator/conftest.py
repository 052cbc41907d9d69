"""Helpers for the emulator's own tests (``emulator`` itself comes from ``tests.support.emulator_fixtures``,
registered in ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from enpass_consent.emulator.server import Emulator

TENANT_ID = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT_ID = "99999999-8888-7777-6666-555555555555"


class GraphClient:
    """A bare requests client for Graph calls against the emulator (no retries, no msal)."""

    def __init__(self, emulator: Emulator, token: str) -> None:
        self.emulator = emulator
        self.session = emulator.session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: str) -> requests.Response:
        url = path if path.startswith("https://") else f"{self.emulator.graph_base}/{path.lstrip('/')}"
        return self.session.get(url, params=params or None, timeout=10)

    def batch(self, requests_: list[dict[str, Any]]) -> requests.Response:
        return self.session.post(f"{self.emulator.graph_base}/$batch", json={"requests": requests_}, timeout=10)

    def batch_by_id(self, requests_: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        response = self.batch(requests_)
        assert response.status_code == 200, response.text
        return {item["id"]: item for item in response.json()["responses"]}


@pytest.fixture
def graph(emulator: Emulator) -> Iterator[GraphClient]:
    """A Graph client with an app-only token for ``TENANT_ID`` (the tenant must be added by the test)."""
    from enpass_consent.emulator import scenarios

    if TENANT_ID.lower() not in emulator.tenants:
        emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    client = GraphClient(emulator, emulator.issue_token(TENANT_ID))
    yield client
    client.session.close()
