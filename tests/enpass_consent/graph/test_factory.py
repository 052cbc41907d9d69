from __future__ import annotations

import pytest

from enpass_consent import clouds
from enpass_consent.graph.credentials import CLIENT_ID, CLIENT_SECRET
from enpass_consent.graph.errors import ConfigurationError
from enpass_consent.graph.factory import GraphFactory

TENANT_A = "aaaaaaaa-0000-4000-8000-00000000000a"
TENANT_B = "aaaaaaaa-0000-4000-8000-00000000000b"
ENDPOINTS = clouds.endpoints(clouds.GLOBAL, {})


def test_one_provider_per_tenant_and_client() -> None:
    env = {CLIENT_ID: "c0000000-0000-4000-8000-000000000001", CLIENT_SECRET: "fake-secret-factory"}
    with GraphFactory(env, concurrency=3) as graph:
        assert graph.session.trust_env is False
        first = graph.token_provider(ENDPOINTS, TENANT_A)
        assert graph.token_provider(ENDPOINTS, TENANT_A) is first
        assert graph.token_provider(ENDPOINTS, TENANT_B) is not first
        other = graph.token_provider(ENDPOINTS, TENANT_A, "c0000000-0000-4000-8000-000000000002")
        assert other is not first and other.client_id.endswith("2")
        assert graph.client(ENDPOINTS, TENANT_A).tenant_id == TENANT_A


def test_configuration_errors_surface_when_a_client_is_asked_for() -> None:
    with GraphFactory({}, concurrency=1, is_terminal=lambda: False) as graph, pytest.raises(ConfigurationError):
        graph.client(ENDPOINTS, TENANT_A)
    with (
        GraphFactory({CLIENT_SECRET: "fake-secret-factory"}, 1) as graph,
        pytest.raises(ConfigurationError, match="azuread:clientId"),
    ):
        graph.client(ENDPOINTS, TENANT_A)


def test_app_only_tokens_are_cached_per_tenant_and_user_sign_in_is_shared() -> None:
    # msal searches a cache linearly on every miss: a cache shared by N tenants makes a fleet O(N²).
    env = {CLIENT_ID: "c0000000-0000-4000-8000-000000000001", CLIENT_SECRET: "fake-secret-factory"}
    with GraphFactory(env, concurrency=2) as graph:
        caches = [graph.token_provider(ENDPOINTS, tenant)._token_cache for tenant in (TENANT_A, TENANT_B)]
        assert caches[0] is not caches[1]
        assert graph.token_cache not in caches
    with GraphFactory({}, concurrency=2, is_terminal=lambda: True) as graph:
        assert graph.credential.public
        for tenant in (TENANT_A, TENANT_B):
            assert graph.token_provider(ENDPOINTS, tenant)._token_cache is graph.token_cache
