"""Sign-in against the emulator with msal, as the CLI does it."""

from __future__ import annotations

import msal
import pytest

from enpass_consent.clouds import GLOBAL
from enpass_consent.emulator import TEST_CLIENT_ID, ClientApp, Kind, decode_claims, scenarios
from enpass_consent.emulator.server import Emulator
from enpass_consent.emulator.state import DEFAULT_CLIENT_ROLES, FederatedCredential
from enpass_consent.emulator.tokens import federated_assertion
from tests.enpass_consent.emulator.conftest import TENANT_ID

GRAPH_DEFAULT_SCOPE = [f"{GLOBAL.graph_root}/.default"]


def test_msal_client_secret_gets_a_token_with_roles(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    app = emulator.confidential_app(TENANT_ID)

    first = app.acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)
    second = app.acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)

    assert first["token_type"] == "Bearer"
    assert second["token_source"] == "cache"
    claims = decode_claims(first["access_token"])
    assert claims["tid"] == TENANT_ID
    assert claims["appid"] == claims["azp"] == TEST_CLIENT_ID
    assert claims["aud"] == GLOBAL.graph_root
    assert claims["roles"] == list(DEFAULT_CLIENT_ROLES)
    assert [r.kind for r in emulator.recorder.requests(TENANT_ID)] == [Kind.DISCOVERY, Kind.TOKEN]


def test_discovery_document(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT_ID))
    doc = emulator.session().get(f"{emulator.authority(TENANT_ID)}/v2.0/.well-known/openid-configuration").json()
    base = emulator.authority(TENANT_ID)
    assert doc["issuer"] == f"{base}/v2.0"
    assert doc["token_endpoint"] == f"{base}/oauth2/v2.0/token"
    assert doc["authorization_endpoint"] == f"{base}/oauth2/v2.0/authorize"
    assert doc["device_authorization_endpoint"] == f"{base}/oauth2/v2.0/devicecode"


def test_unknown_tenant_fails_discovery(emulator: Emulator) -> None:
    response = emulator.session().get(f"{emulator.authority(TENANT_ID)}/v2.0/.well-known/openid-configuration")
    assert response.status_code == 400
    assert "AADSTS90002" in response.json()["error_description"]
    with pytest.raises(ValueError):
        emulator.confidential_app(TENANT_ID)


def test_discovery_by_verified_domain_names_the_tenant_id(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT_ID)).domains = ["contoso.onmicrosoft.com", "Contoso.com"]
    session = emulator.session()
    for domain in ("contoso.com", "CONTOSO.onmicrosoft.com"):
        doc = session.get(f"{emulator.base_url}/{domain}/v2.0/.well-known/openid-configuration").json()
        base = emulator.authority(TENANT_ID)  # the id, never the domain the request named
        assert doc["issuer"] == f"{base}/v2.0"
        assert doc["token_endpoint"] == f"{base}/oauth2/v2.0/token"
    unknown = session.get(f"{emulator.base_url}/fabrikam.com/v2.0/.well-known/openid-configuration")
    assert unknown.status_code == 400
    body = unknown.json()
    assert (body["error"], body["error_codes"]) == ("invalid_tenant", [90002])
    assert body["error_description"].startswith("AADSTS90002: Tenant 'fabrikam.com' not found.")


def test_msal_signs_in_with_a_domain_authority(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID)).domains = ["contoso.com"]
    result = emulator.confidential_app("contoso.com").acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)
    assert decode_claims(result["access_token"])["tid"] == TENANT_ID
    # Discovery by domain; the token request goes to the tenant id the document names.
    assert [(r.kind, r.tenant) for r in emulator.recorder.requests()] == [
        (Kind.DISCOVERY, "contoso.com"),
        (Kind.TOKEN, TENANT_ID),
    ]


def test_wrong_secret_is_invalid_client(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    result = emulator.confidential_app(TENANT_ID, secret="fake-wrong-secret").acquire_token_for_client(
        scopes=GRAPH_DEFAULT_SCOPE
    )
    assert result["error"] == "invalid_client"
    assert result["error_description"].startswith("AADSTS7000215: Invalid client secret provided")


def test_unknown_client_is_rejected(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    result = emulator.confidential_app(
        TENANT_ID, client_id="00000000-1111-2222-3333-444444444444"
    ).acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)
    assert "AADSTS700016" in result["error_description"]


def _assertion_app(emulator: Emulator, assertion: str) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        TEST_CLIENT_ID,
        client_credential={"client_assertion": lambda: assertion},
        authority=emulator.authority(TENANT_ID),
        instance_discovery=False,
        azure_region=False,
        http_client=emulator.session(),
    )


GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
SUBJECT = "repo:contoso/enpass-consent:environment:prod"


@pytest.mark.parametrize(
    ("assertion", "expected"),
    [
        (federated_assertion(GITHUB_ISSUER, SUBJECT), None),
        (federated_assertion(GITHUB_ISSUER, "repo:contoso/enpass-consent:ref:refs/heads/fork"), "AADSTS70021"),
        (federated_assertion("https://vstoken.dev.azure.com/contoso", SUBJECT), "AADSTS70021"),
        (federated_assertion(GITHUB_ISSUER, SUBJECT, audience="api://SomethingElse"), "AADSTS70021"),
        (federated_assertion(GITHUB_ISSUER, SUBJECT, lifetime=-60), "AADSTS700024"),
        ("fake.not-a-jwt", "AADSTS50027"),
    ],
)
def test_federated_assertion_must_match_a_credential_of_the_app(
    emulator: Emulator, assertion: str, expected: str | None
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    tenant.add_client(
        ClientApp(TEST_CLIENT_ID, secret=None, federated_credentials=[FederatedCredential(GITHUB_ISSUER, SUBJECT)])
    )
    result = _assertion_app(emulator, assertion).acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)
    if expected is None:
        assert decode_claims(result["access_token"])["tid"] == TENANT_ID
    else:
        assert result["error_description"].startswith(expected), result


def test_federated_credential_counts_only_in_its_own_tenant(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))  # the app exists, without that federated credential
    result = _assertion_app(emulator, federated_assertion(GITHUB_ISSUER, SUBJECT)).acquire_token_for_client(
        scopes=GRAPH_DEFAULT_SCOPE
    )
    assert result["error"] == "invalid_client"
    assert "AADSTS70021" in result["error_description"] and SUBJECT in result["error_description"]


def test_client_credentials_need_default_scope(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    response = emulator.session().post(
        f"{emulator.authority(TENANT_ID)}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": TEST_CLIENT_ID, "client_secret": "fake-test-secret-not-real",
              "scope": "User.Read"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_device_code_flow_gives_delegated_token(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    emulator.login.device_pending_polls = 1
    app = msal.PublicClientApplication(
        TEST_CLIENT_ID,
        authority=emulator.authority(TENANT_ID),
        instance_discovery=False,
        http_client=emulator.session(),
    )
    flow = app.initiate_device_flow(scopes=[f"{GLOBAL.graph_root}/User.Read"])
    assert "user_code" in flow and flow["interval"] == 0
    result = app.acquire_token_by_device_flow(flow)
    claims = decode_claims(result["access_token"])
    assert claims["oid"] == tenant.signed_in_user_id
    assert claims["scp"] == "User.Read"
    response = emulator.session().get(
        f"{emulator.graph_base}/me", headers={"Authorization": f"Bearer {result['access_token']}"}
    )
    assert response.json()["id"] == tenant.signed_in_user_id
