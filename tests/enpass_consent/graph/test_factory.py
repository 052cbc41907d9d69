from __future__ import annotations

import pytest

from enpass_consent import clouds
from enpass_consent.graph import scopes
from enpass_consent.graph.credentials import CLIENT_ID, CLIENT_SECRET, ClientSecret, DeviceCode
from enpass_consent.graph.errors import ConfigurationError
from enpass_consent.graph.factory import GraphFactory
from enpass_consent.graph.proxy import HTTPS_PROXY
from enpass_consent.graph.tokens import TokenProvider

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
        GraphFactory({CLIENT_SECRET: "fake-secret-factory"}, 1, is_terminal=lambda: False) as graph,
        pytest.raises(ConfigurationError, match="ARM_CLIENT_SECRET is set but there is no client id"),
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
        assert isinstance(graph.credential, DeviceCode)
        for tenant in (TENANT_A, TENANT_B):
            provider = graph.token_provider(ENDPOINTS, tenant)
            assert isinstance(provider, TokenProvider) and provider._token_cache is graph.token_cache


def test_credential_per_stack_client_id_and_each_kind_logged_once() -> None:
    lines: list[str] = []
    env = {CLIENT_SECRET: "fake-secret-factory"}
    with GraphFactory(env, 2, is_terminal=lambda: True, log=lines.append, which=lambda name, path: None) as graph:
        graph.announce()
        assert isinstance(graph.credential, DeviceCode)  # no client id: the secret cannot be used
        stack_app = "c0000000-0000-4000-8000-00000000000f"
        first = graph.credential_for(stack_app, TENANT_A)
        assert isinstance(first, ClientSecret) and first.client_id == stack_app
        assert graph.credential_for(stack_app.upper(), TENANT_A) is first
        graph.credential_for(stack_app, TENANT_B)
    assert lines == [
        "signing in with device code; ARM_CLIENT_SECRET is set but there is no client id (ARM_CLIENT_ID or "
        "azuread:clientId), so it is not used",
        "signing in with client secret (ARM_CLIENT_SECRET)",
    ]


def test_named_scopes_of_the_command() -> None:
    with GraphFactory({}, 1, command="audit", is_terminal=lambda: True, which=lambda n, p: None) as graph:
        provider = graph.token_provider(ENDPOINTS, TENANT_A)
        assert isinstance(provider, TokenProvider)
        assert provider.scopes == [f"https://graph.microsoft.com/{name}" for name in scopes.for_command("audit")]
        assert not any(scope.endswith("/.default") for scope in provider.scopes)
    env = {CLIENT_ID: "c0000000-0000-4000-8000-000000000001", CLIENT_SECRET: "fake-secret-factory"}
    with GraphFactory(env, 1, command="audit") as graph:
        app_only = graph.token_provider(ENDPOINTS, TENANT_A)
        assert isinstance(app_only, TokenProvider) and app_only.scopes == ["https://graph.microsoft.com/.default"]


def test_proxy_settings_reach_the_session() -> None:
    env = {HTTPS_PROXY: "proxy.example.test:3128", "NO_PROXY": ".internal.example"}
    with GraphFactory(env, 1) as graph:
        assert graph.session.proxy.proxy_for("https://graph.microsoft.com/v1.0") == "http://proxy.example.test:3128"
        assert graph.session.proxy.proxy_for("https://graph.internal.example/v1.0") is None
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY: ftp://x is not an http"):
        GraphFactory({HTTPS_PROXY: "ftp://x"}, 1)
