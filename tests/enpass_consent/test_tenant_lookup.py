"""A tenant id or domain -> the tenant id, from the OpenID configuration (no credentials)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from urllib3.util.retry import Retry

from enpass_consent import catalog, tenant_lookup
from enpass_consent.emulator import Emulator, scenarios
from enpass_consent.emulator.records import Kind
from enpass_consent.graph.session import GraphSession, build_session
from enpass_consent.tenant_lookup import TenantLookupError, TenantRef

TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TENANT, TenantRef(TENANT, tenant_id=TENANT)),
        (TENANT.upper(), TenantRef(TENANT.upper(), tenant_id=TENANT)),
        (" contoso.onmicrosoft.com ", TenantRef(" contoso.onmicrosoft.com ", domain="contoso.onmicrosoft.com")),
        ("Contoso.COM.", TenantRef("Contoso.COM.", domain="contoso.com")),
        ("fabrikam-eu.co.uk", TenantRef("fabrikam-eu.co.uk", domain="fabrikam-eu.co.uk")),
        ("bücher.example", TenantRef("bücher.example", domain="xn--bcher-kva.example")),
    ],
)
def test_parse(text: str, expected: TenantRef) -> None:
    assert tenant_lookup.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("organizations", "'organizations' names no tenant (it signs in to the signed-in person's home tenant"),
        ("Common", "'Common' names no tenant"),
        ("consumers", "'consumers' names no tenant"),
        ("contoso", "'contoso' is neither a tenant id (a GUID) nor a domain name such as contoso.onmicrosoft.com"),
        ("contoso..com", "'contoso..com' is neither a tenant id"),
        ("-contoso.com", "'-contoso.com' is neither a tenant id"),
        ("contoso.com/../x", "'contoso.com/../x' is neither a tenant id"),
        ("a b.com", "'a b.com' is neither a tenant id"),
        ("", "'' is neither a tenant id"),
        ("{" + TENANT + "}", "is not a tenant id in the 8-4-4-4-12 form"),
        (TENANT.replace("-", ""), "is not a tenant id in the 8-4-4-4-12 form"),
        (catalog.PERSONAL_ACCOUNTS_TENANT_ID, "is the tenant of personal Microsoft accounts, not an organisation's"),
    ],
)
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(TenantLookupError) as raised:
        tenant_lookup.parse(text)
    assert message in str(raised.value)


def test_first_label_is_the_default_stack_name() -> None:
    assert tenant_lookup.parse("Contoso.onmicrosoft.com").first_label == "contoso"
    assert tenant_lookup.parse(TENANT).first_label is None


@pytest.fixture
def session(emulator: Emulator) -> Iterator[GraphSession]:
    with build_session(emulator.ca_bundle, 2) as built:
        yield built


def test_a_domain_resolves_to_its_tenant_id(emulator: Emulator, session: GraphSession) -> None:
    tenant = emulator.add_tenant(scenarios.empty_tenant(TENANT))
    tenant.domains = ["contoso.onmicrosoft.com", "Contoso.com"]
    for text in ("contoso.com", "CONTOSO.onmicrosoft.com"):
        resolved = tenant_lookup.resolve(tenant_lookup.parse(text), emulator.base_url, session)
        assert resolved.tenant_id == TENANT
        assert resolved.domain == text.lower()
    # One GET each, no credentials: the lookup is discovery only.
    assert [(r.kind, r.method, r.tenant) for r in emulator.recorder.requests()] == [
        (Kind.DISCOVERY, "GET", "contoso.com"),
        (Kind.DISCOVERY, "GET", "contoso.onmicrosoft.com"),
    ]


def test_a_tenant_id_is_checked_against_the_service(emulator: Emulator, session: GraphSession) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT))
    ref = tenant_lookup.parse(TENANT.upper())
    assert tenant_lookup.resolve(ref, emulator.base_url, session).tenant_id == TENANT
    other = "22222222-2222-3333-4444-555555555555"
    with pytest.raises(TenantLookupError) as raised:
        tenant_lookup.resolve(tenant_lookup.parse(other), emulator.base_url, session)
    assert str(raised.value).startswith(
        f"'{other}' is no Microsoft Entra tenant (the login service answered: AADSTS90002"
    )


def test_an_unknown_domain_is_named(emulator: Emulator, session: GraphSession) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT)).domains = ["contoso.com"]
    with pytest.raises(TenantLookupError) as raised:
        tenant_lookup.resolve(tenant_lookup.parse("fabrikam.com"), emulator.base_url, session)
    message = str(raised.value)
    assert message.startswith("'fabrikam.com' is no verified domain of any Microsoft Entra tenant")
    assert "AADSTS90002: Tenant 'fabrikam.com' not found" in message
    assert "Trace ID" not in message


def test_another_refusal_is_reported_with_its_error(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT)).domains = ["contoso.com"]
    emulator.faults.status(400, "invalid_request", r"/contoso\.com/", count=None)
    with build_session(emulator.ca_bundle, 1) as session, pytest.raises(TenantLookupError) as raised:
        tenant_lookup.resolve(tenant_lookup.parse("contoso.com"), emulator.base_url, session)
    assert str(raised.value).startswith("cannot look up 'contoso.com': the login service answered 400 (invalid_request")


def test_an_issuer_without_a_tenant_id_is_refused(emulator: Emulator, session: GraphSession) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT)).domains = ["contoso.com"]
    emulator.faults.malformed_json(r"/contoso\.com/")
    with pytest.raises(TenantLookupError) as raised:
        tenant_lookup.resolve(tenant_lookup.parse("contoso.com"), emulator.base_url, session)
    assert "names no tenant id in its issuer (got None)" in str(raised.value)


def test_a_domain_of_the_personal_accounts_tenant_is_refused(emulator: Emulator, session: GraphSession) -> None:
    emulator.add_tenant(scenarios.empty_tenant(catalog.PERSONAL_ACCOUNTS_TENANT_ID)).domains = ["personal.example"]
    with pytest.raises(TenantLookupError) as raised:
        tenant_lookup.resolve(tenant_lookup.parse("personal.example"), emulator.base_url, session)
    assert str(raised.value).startswith("'personal.example' belongs to the tenant of personal Microsoft accounts")


def test_no_answer_names_the_host() -> None:
    # No retries here: the session's own connect retries (with backoff) are tested with the session.
    with build_session(None, 1, retry=Retry(total=0)) as session, pytest.raises(TenantLookupError) as raised:
        tenant_lookup.resolve(tenant_lookup.parse("contoso.com"), "https://127.0.0.1:9", session)
    assert str(raised.value).startswith("no answer from the login service at 127.0.0.1:9 for 'contoso.com'")
