"""Delegated sign-in in the emulator: consent decides scp, one refresh token serves many tenants, IMDS."""

from __future__ import annotations

from typing import Any

import pytest

from enpass_consent import catalog
from enpass_consent.clouds import GLOBAL
from enpass_consent.emulator import Emulator, Kind, decode_claims, scenarios
from enpass_consent.emulator.login import ManagedIdentity
from enpass_consent.emulator.state import ClientApp, Tenant, User
from tests.enpass_consent.emulator.conftest import OTHER_TENANT_ID, TENANT_ID

CLI_TOOLS = catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID
THIRD_TENANT_ID = "33333333-2222-3333-4444-555555555555"


def graph(*names: str) -> str:
    return " ".join(f"{GLOBAL.graph_root}/{name}" for name in names)


def post_token(emulator: Emulator, tenant_id: str, **form: str) -> tuple[int, dict[str, Any]]:
    response = emulator.session().post(f"{emulator.authority(tenant_id)}/oauth2/v2.0/token", data=form, timeout=10)
    return response.status_code, response.json()


def device_sign_in(emulator: Emulator, tenant_id: str, scope: str) -> tuple[int, dict[str, Any]]:
    started = emulator.session().post(
        f"{emulator.authority(tenant_id)}/oauth2/v2.0/devicecode",
        data={"client_id": CLI_TOOLS, "scope": f"{scope} offline_access openid profile"},
        timeout=10,
    )
    return post_token(
        emulator,
        tenant_id,
        grant_type="urn:ietf:params:oauth:grant-type:device_code",
        client_id=CLI_TOOLS,
        device_code=started.json()["device_code"],
    )


def refresh(emulator: Emulator, tenant_id: str, refresh_token: str, scope: str) -> tuple[int, dict[str, Any]]:
    return post_token(
        emulator, tenant_id, grant_type="refresh_token", client_id=CLI_TOOLS, refresh_token=refresh_token, scope=scope
    )


def home_and_customer(emulator: Emulator) -> tuple[Tenant, Tenant, User]:
    home = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    technician = home.users[(home.signed_in_user_id or "").lower()]
    customer = emulator.add_tenant(scenarios.in_sync_tenant(OTHER_TENANT_ID))
    return home, customer, technician


def test_interactive_sign_in_consents_to_exactly_the_named_scopes(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.empty_tenant(TENANT_ID))
    status, body = device_sign_in(emulator, TENANT_ID, graph("Policy.Read.All", "Application.Read.All"))
    assert status == 200
    assert decode_claims(body["access_token"])["scp"] == "Application.Read.All Policy.Read.All"
    assert tenant.consented(CLI_TOOLS) == {"Application.Read.All", "Policy.Read.All"}


def test_default_scope_gets_only_what_was_consented_before(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.empty_tenant(TENANT_ID))
    status, body = device_sign_in(emulator, TENANT_ID, f"{GLOBAL.graph_root}/.default")
    assert status == 200 and decode_claims(body["access_token"])["scp"] == ""
    scenarios.consent_client(tenant, CLI_TOOLS, "User.Read")
    _, body = device_sign_in(emulator, TENANT_ID, f"{GLOBAL.graph_root}/.default")
    assert decode_claims(body["access_token"])["scp"] == "User.Read"


def test_a_person_who_cannot_consent_gets_consent_required(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.empty_tenant(TENANT_ID))
    tenant.consent_on_sign_in = False
    scenarios.consent_client(tenant, CLI_TOOLS, "User.Read")
    status, body = device_sign_in(emulator, TENANT_ID, graph("User.Read", "Policy.Read.All"))
    assert status == 400 and body["suberror"] == "consent_required"
    assert body["error_description"].startswith("AADSTS65001") and "Policy.Read.All" in body["error_description"]
    status, body = device_sign_in(emulator, TENANT_ID, graph("user.read"))
    assert status == 200 and decode_claims(body["access_token"])["scp"] == "User.Read"


def test_refresh_token_serves_the_same_person_in_another_tenant(emulator: Emulator) -> None:
    _, customer, technician = home_and_customer(emulator)
    guest = scenarios.add_guest(customer, technician, home_tenant_id=TENANT_ID)
    scenarios.consent_client(customer, CLI_TOOLS, "Application.Read.All")
    _, first = device_sign_in(emulator, TENANT_ID, graph("Application.Read.All"))
    status, body = refresh(emulator, OTHER_TENANT_ID, first["refresh_token"], graph("Application.Read.All"))
    assert status == 200
    claims = decode_claims(body["access_token"])
    assert (claims["tid"], claims["oid"], claims["scp"]) == (OTHER_TENANT_ID, guest.id, "Application.Read.All")
    assert body["client_info"] == first["client_info"]  # the same home account, so msal finds it again
    assert emulator.recorder.count(kind=Kind.DEVICE_CODE) == 1


def test_gdap_access_has_no_object_in_the_customer_tenant(emulator: Emulator) -> None:
    _, customer, technician = home_and_customer(emulator)
    scenarios.grant_gdap(customer, technician)
    scenarios.consent_client(customer, CLI_TOOLS, "User.Read")
    _, first = device_sign_in(emulator, TENANT_ID, graph("User.Read"))
    status, body = refresh(emulator, OTHER_TENANT_ID, first["refresh_token"], graph("User.Read"))
    assert status == 200 and decode_claims(body["access_token"])["oid"] == technician.id
    me = emulator.session().get(
        f"{emulator.graph_base}/me", headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=10
    )
    assert me.status_code == 404


@pytest.mark.parametrize(
    ("prepare", "error_code", "suberror"),
    [
        (lambda tenant, technician: None, "AADSTS50020", None),  # no guest object, no GDAP: not in that tenant
        (lambda tenant, technician: setattr(tenant, "interaction_required", True), "AADSTS50076", "basic_action"),
        (lambda tenant, technician: tenant.delegated_consents.clear(), "AADSTS65001", "consent_required"),
    ],
)
def test_refresh_refused_where_the_tenant_needs_its_own_sign_in(
    emulator: Emulator, prepare: Any, error_code: str, suberror: str | None
) -> None:
    _, customer, technician = home_and_customer(emulator)
    if error_code != "AADSTS50020":
        scenarios.add_guest(customer, technician, home_tenant_id=TENANT_ID)
    scenarios.consent_client(customer, CLI_TOOLS, "User.Read")
    prepare(customer, technician)
    _, first = device_sign_in(emulator, TENANT_ID, graph("User.Read"))
    status, body = refresh(emulator, OTHER_TENANT_ID, first["refresh_token"], graph("User.Read"))
    assert status == 400 and body["error"] == "invalid_grant"
    assert body["error_description"].startswith(error_code)
    assert body.get("suberror") == suberror
    # The refresh token still serves the home tenant: an MFA demand elsewhere does not spend it.
    assert refresh(emulator, TENANT_ID, first["refresh_token"], graph("User.Read"))[0] == 200


def test_unknown_refresh_token_or_client(emulator: Emulator) -> None:
    home_and_customer(emulator)
    assert refresh(emulator, TENANT_ID, "fake-refresh-token-unknown", graph("User.Read"))[1]["error"] == "invalid_grant"
    _, first = device_sign_in(emulator, TENANT_ID, graph("User.Read"))
    status, body = post_token(
        emulator,
        TENANT_ID,
        grant_type="refresh_token",
        client_id="00000000-0000-4000-8000-00000000c0de",
        refresh_token=first["refresh_token"],
        scope=graph("User.Read"),
    )
    assert status == 400 and body["error"] == "invalid_grant"


def test_device_user_signs_in_wherever_the_flow_starts(emulator: Emulator) -> None:
    _, customer, technician = home_and_customer(emulator)
    scenarios.grant_gdap(customer, technician)
    emulator.login.device_user = technician.user_principal_name
    status, body = device_sign_in(emulator, OTHER_TENANT_ID, graph("User.Read"))
    assert status == 200 and decode_claims(body["access_token"])["oid"] == technician.id


def imds(emulator: Emulator, headers: dict[str, str] | None = None, **params: str) -> tuple[int, dict[str, Any]]:
    response = emulator.session().get(
        f"{emulator.base_url}/metadata/identity/oauth2/token",
        params={"api-version": "2018-02-01", "resource": GLOBAL.graph_root, **params},
        headers={"Metadata": "true"} if headers is None else headers,
        timeout=10,
    )
    return response.status_code, response.json()


def test_managed_identity_endpoint(emulator: Emulator) -> None:
    tenant = emulator.add_tenant(scenarios.empty_tenant(TENANT_ID))
    system, user_assigned = "5a5a0000-0000-4000-8000-000000000001", "5a5a0000-0000-4000-8000-000000000002"
    tenant.add_client(ClientApp(user_assigned, secret=None, roles=["Application.Read.All"]))
    emulator.login.managed_identities = [
        ManagedIdentity(TENANT_ID, system),
        ManagedIdentity(TENANT_ID, user_assigned, user_assigned=True),
    ]
    status, body = imds(emulator)
    assert status == 200 and decode_claims(body["access_token"])["appid"] == system
    assert body["expires_in"] == "3599" and body["token_type"] == "Bearer"
    status, body = imds(emulator, client_id=user_assigned)
    claims = decode_claims(body["access_token"])
    assert (claims["tid"], claims["appid"], claims["roles"]) == (TENANT_ID, user_assigned, ["Application.Read.All"])
    assert imds(emulator, headers={})[1]["error_description"] == "Required metadata header not specified"
    assert (
        imds(emulator, client_id="5a5a0000-0000-4000-8000-0000000000ff")[1]["error_description"] == "Identity not found"
    )
    assert emulator.recorder.count(kind=Kind.MANAGED_IDENTITY) == 4
