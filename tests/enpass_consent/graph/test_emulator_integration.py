"""The Graph seam against the local HTTPS emulator: real msal, real TLS, real retries."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from urllib3.util.retry import Retry

from enpass_consent import catalog, clouds
from enpass_consent.emulator.faults import FaultKind, Scope
from enpass_consent.emulator.records import Kind
from enpass_consent.emulator.server import Emulator
from enpass_consent.emulator.state import (
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    ClientApp,
    FederatedCredential,
    PermissionGrant,
    ServicePrincipal,
)
from enpass_consent.emulator.tokens import federated_assertion
from enpass_consent.graph import (
    AuthError,
    BadResponseError,
    BatchRequest,
    GraphClient,
    GraphClientError,
    GraphFactory,
    PermissionDeniedError,
    ThrottledError,
    TransportError,
)
from enpass_consent.graph.credentials import CLIENT_ID, CLIENT_SECRET, OIDC_TOKEN_FILE_PATH, USE_OIDC
from enpass_consent.graph.session import build_retry

SP_ID = "5e000000-0000-4000-8000-0000000000e1"
GRAPH_SP_ID = "5e000000-0000-4000-8000-0000000000a1"


def fast_retry() -> Retry:
    """The production policy without backoff sleeps, so exhausted retries stay quick."""
    retry = build_retry()
    return retry.new(backoff_factor=0, backoff_jitter=0, respect_retry_after_header=False)


def factory(emulator: Emulator, **env: str) -> GraphFactory:
    environ = {**emulator.env(), CLIENT_ID: TEST_CLIENT_ID, CLIENT_SECRET: TEST_CLIENT_SECRET, **env}
    return GraphFactory(environ, concurrency=4, retry=fast_retry(), is_terminal=lambda: False, which=lambda n, p: None)


def endpoints(emulator: Emulator) -> clouds.Endpoints:
    return clouds.endpoints(clouds.GLOBAL, emulator.env())


def no_secret_in(error: BaseException, *secrets: str) -> None:
    rendered = f"{error} {error!r} {error.args}"
    for secret in (TEST_CLIENT_SECRET, *secrets):
        assert secret not in rendered
    assert "eyJ" not in rendered


def test_client_credentials_and_token_cache_reuse(emulator: Emulator, tenant_ids: list[str]) -> None:
    tenant = tenant_ids[0]
    with factory(emulator) as graph:
        client = graph.client(endpoints(emulator), tenant)
        assert client.get("/policies/authorizationPolicy") is not None
        assert client.get("/policies/authorizationPolicy") is not None
        assert graph.client(endpoints(emulator), tenant).get("/policies/authorizationPolicy") is not None
    counts = {kind: emulator.recorder.count(tenant, kind) for kind in (Kind.DISCOVERY, Kind.TOKEN, Kind.GRAPH)}
    assert counts == {Kind.DISCOVERY: 1, Kind.TOKEN: 1, Kind.GRAPH: 3}


def test_stack_client_id_overrides_arm_client_id(emulator: Emulator, tenant_ids: list[str]) -> None:
    other = "c1e17000-0000-4000-8000-0000000000b2"
    emulator.tenant(tenant_ids[0]).add_client(ClientApp(other))
    with factory(emulator) as graph:
        graph.client(endpoints(emulator), tenant_ids[0], other).get("/policies/authorizationPolicy")
    assert [r.client_id for r in emulator.recorder.requests(tenant_ids[0], Kind.TOKEN)] == [other]


def add_enpass(emulator: Emulator, tenant_id: str, grants: int) -> None:
    state = emulator.tenant(tenant_id)
    state.add_sp(ServicePrincipal(SP_ID, catalog.ENPASS_APP_ID, "Enpass"))
    state.add_sp(ServicePrincipal(GRAPH_SP_ID, catalog.MICROSOFT_GRAPH_APP_ID, "Microsoft Graph"))
    for n in range(grants):
        principal = f"0a000000-0000-4000-8000-{n:012d}"
        state.add_grant(PermissionGrant(SP_ID, GRAPH_SP_ID, "Principal", "User.Read", principal_id=principal))


def test_batch_pages_and_item_throttling(emulator: Emulator, tenant_ids: list[str]) -> None:
    tenant = tenant_ids[0]
    add_enpass(emulator, tenant, grants=5)
    emulator.page_size = 2
    emulator.faults.throttle(r"/appRoleAssignedTo", retry_after=3, count=1, scope=Scope.ITEM)
    sleeps: list[float] = []
    with factory(emulator) as graph:
        provider = graph.token_provider(endpoints(emulator), tenant)
        client = GraphClient(endpoints(emulator), tenant, provider, graph.session, sleep=sleeps.append)
        results = client.batch(
            [
                BatchRequest("sp", f"/servicePrincipals(appId='{catalog.ENPASS_APP_ID}')"),
                BatchRequest("grants", f"/oauth2PermissionGrants?$filter=clientId eq '{SP_ID}'"),
                BatchRequest("assigned", f"/servicePrincipals/{SP_ID}/appRoleAssignedTo"),
                BatchRequest("missing", "/servicePrincipals(appId='00000000-0000-4000-8000-000000000404')"),
            ]
        )
    assert results["sp"].status == 200 and results["sp"].body["id"] == SP_ID
    assert len(results["grants"].body["value"]) == 5
    assert "@odata.nextLink" not in results["grants"].body
    assert results["assigned"].status == 200
    assert results["missing"].status == 404
    assert sleeps == [3.0]
    # One batch, then the throttled item together with the grants' second page, then the third page.
    assert emulator.recorder.count(tenant, Kind.BATCH) == 3


def test_get_all_pages(emulator: Emulator, tenant_ids: list[str]) -> None:
    tenant = tenant_ids[0]
    add_enpass(emulator, tenant, grants=5)
    emulator.page_size = 2
    with factory(emulator) as graph:
        grants = graph.client(endpoints(emulator), tenant).get_all(
            "/oauth2PermissionGrants", {"$filter": f"clientId eq '{SP_ID}'"}
        )
    assert len(grants) == 5
    assert emulator.recorder.count(tenant, Kind.GRAPH) == 3


def test_503_then_success_is_retried_by_the_session(emulator: Emulator, tenant_ids: list[str]) -> None:
    tenant = tenant_ids[0]
    emulator.faults.unavailable(r"\$batch", retry_after=None, count=1, scope=Scope.REQUEST)
    emulator.faults.throttle(r"/oauth2/v2\.0/token", retry_after=0, count=1)
    with factory(emulator) as graph:
        results = graph.client(endpoints(emulator), tenant).batch([BatchRequest("p", "/policies/authorizationPolicy")])
    assert results["p"].status == 200
    assert emulator.recorder.count(tenant, Kind.BATCH) == 2
    assert emulator.recorder.count(tenant, Kind.TOKEN) == 2


def test_persistent_429_is_throttled_error(emulator: Emulator, tenant_ids: list[str]) -> None:
    emulator.faults.throttle(r"/policies", retry_after=0, count=None, scope=Scope.REQUEST)
    with factory(emulator) as graph, pytest.raises(ThrottledError) as raised:
        graph.client(endpoints(emulator), tenant_ids[0]).get("/policies/authorizationPolicy")
    no_secret_in(raised.value)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (FaultKind.INVALID_CLIENT, "invalid_client"),
        (FaultKind.SERVER_ERROR, "HTTP Error: 500"),
        (FaultKind.MALFORMED_JSON, ""),
    ],
)
def test_token_failure_is_auth_error_without_secret(
    emulator: Emulator, tenant_ids: list[str], kind: FaultKind, expected: str
) -> None:
    emulator.faults.token_failure(tenant_ids[0], kind=kind, retry_after=None)
    with factory(emulator) as graph, pytest.raises(AuthError) as raised:
        graph.client(endpoints(emulator), tenant_ids[0]).get("/policies/authorizationPolicy")
    assert expected in str(raised.value)
    no_secret_in(raised.value)


def test_wrong_secret_is_auth_error_without_secret(emulator: Emulator, tenant_ids: list[str]) -> None:
    wrong = "fake-wrong-secret-value-42"
    with factory(emulator, **{CLIENT_SECRET: wrong}) as graph, pytest.raises(AuthError) as raised:
        graph.client(endpoints(emulator), tenant_ids[0]).get("/policies/authorizationPolicy")
    assert raised.value.error_code == "invalid_client"
    assert "AADSTS7000215" in str(raised.value)
    no_secret_in(raised.value, wrong)


def test_unknown_tenant_fails_at_discovery(emulator: Emulator) -> None:
    with factory(emulator) as graph, pytest.raises(AuthError) as raised:
        graph.client(endpoints(emulator), "00000000-0000-4000-8000-00000000dead").get("/organization")
    no_secret_in(raised.value)


def test_malformed_json_is_bad_response(emulator: Emulator, tenant_ids: list[str]) -> None:
    emulator.faults.malformed_json(r"/policies", scope=Scope.REQUEST)
    with factory(emulator) as graph, pytest.raises(BadResponseError):
        graph.client(endpoints(emulator), tenant_ids[0]).get("/policies/authorizationPolicy")
    emulator.faults.malformed_json(r"/policies", scope=Scope.ITEM)
    with factory(emulator) as graph, pytest.raises(BadResponseError):
        graph.client(endpoints(emulator), tenant_ids[0]).batch([BatchRequest("p", "/policies/authorizationPolicy")])


def test_403_is_permission_denied(emulator: Emulator, tenant_ids: list[str]) -> None:
    emulator.faults.forbidden(r"/policies", scope=Scope.REQUEST)
    with factory(emulator) as graph, pytest.raises(PermissionDeniedError) as raised:
        graph.client(endpoints(emulator), tenant_ids[0]).get("/policies/authorizationPolicy")
    assert raised.value.code == "Authorization_RequestDenied"
    no_secret_in(raised.value)


def test_untrusted_certificate_is_transport_error(emulator: Emulator, tenant_ids: list[str]) -> None:
    environ = {**emulator.env(), CLIENT_ID: TEST_CLIENT_ID, CLIENT_SECRET: TEST_CLIENT_SECRET}
    del environ[clouds.CA_BUNDLE_ENV]
    with GraphFactory(environ, 1, retry=fast_retry()) as graph, pytest.raises(TransportError, match="SSLError"):
        graph.client(endpoints(emulator), tenant_ids[0]).get("/organization")


def test_read_timeout_is_transport_error(emulator: Emulator, tenant_ids: list[str]) -> None:
    emulator.faults.delay(0.5, r"/policies", scope=Scope.REQUEST)
    environ = {**emulator.env(), CLIENT_ID: TEST_CLIENT_ID, CLIENT_SECRET: TEST_CLIENT_SECRET}
    with (
        GraphFactory(environ, 1, retry=fast_retry(), timeout=(5.0, 0.1)) as graph,
        pytest.raises(TransportError, match=r"ReadTimeout|ConnectionError"),
    ):
        graph.client(endpoints(emulator), tenant_ids[0]).get("/policies/authorizationPolicy")


def test_oidc_token_file_assertion(emulator: Emulator, tenant_ids: list[str], tmp_path: Path) -> None:
    issuer, subject = "https://token.actions.githubusercontent.com", "repo:contoso/enpass-consent:environment:prod"
    token_file = tmp_path / "ci.jwt"
    token_file.write_text(federated_assertion(issuer, subject) + "\n")
    emulator.tenant(tenant_ids[0]).add_client(
        ClientApp(TEST_CLIENT_ID, secret=None, federated_credentials=[FederatedCredential(issuer, subject)])
    )
    environ = {**emulator.env(), CLIENT_ID: TEST_CLIENT_ID, USE_OIDC: "true", OIDC_TOKEN_FILE_PATH: str(token_file)}
    with GraphFactory(environ, 1) as graph:
        assert graph.credential.kind == "OIDC token file"
        graph.client(endpoints(emulator), tenant_ids[0]).get("/policies/authorizationPolicy")
    rotated = federated_assertion(issuer, "repo:contoso/enpass-consent:ref:refs/heads/fork")
    token_file.write_text(rotated + "\n")  # rotated, for a subject the app does not trust
    with GraphFactory(environ, 1) as graph, pytest.raises(AuthError, match="AADSTS70021") as raised:
        graph.client(endpoints(emulator), tenant_ids[0]).get("/policies/authorizationPolicy")
    no_secret_in(raised.value, rotated)


def test_tenants_in_parallel_fail_independently(emulator: Emulator, tenant_ids: list[str]) -> None:
    bad = tenant_ids[1]
    emulator.faults.token_failure(bad, kind=FaultKind.INVALID_CLIENT)
    outcomes: dict[str, Any] = {}

    def run(graph: GraphFactory, tenant_id: str) -> None:
        try:
            outcomes[tenant_id] = graph.client(endpoints(emulator), tenant_id).batch(
                [BatchRequest("p", "/policies/authorizationPolicy"), BatchRequest("o", "/organization")]
            )
        except GraphClientError as error:
            outcomes[tenant_id] = error

    with factory(emulator) as graph:
        threads = [threading.Thread(target=run, args=(graph, t)) for t in tenant_ids for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert isinstance(outcomes[bad], AuthError)
    for tenant_id in set(tenant_ids) - {bad}:
        assert outcomes[tenant_id]["p"].status == 200
        assert emulator.recorder.count(tenant_id, Kind.TOKEN) == 1
