"""Fault injection and request recording."""

from __future__ import annotations

import json
import threading

import msal
import pytest

from enpass_consent.clouds import GLOBAL
from enpass_consent.emulator import FaultKind, FaultScope, Kind, scenarios
from enpass_consent.emulator.server import Emulator
from tests.enpass_consent.emulator.conftest import OTHER_TENANT_ID, TENANT_ID, GraphClient

GRAPH_DEFAULT_SCOPE = [f"{GLOBAL.graph_root}/.default"]
POLICY = "policies/authorizationPolicy"


def test_throttle_whole_request_then_recover(graph: GraphClient, emulator: Emulator) -> None:
    fault = emulator.faults.throttle(r"/policies/", retry_after=2, count=1)
    first = graph.get(POLICY)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "2"
    assert first.json()["error"]["code"] == "TooManyRequests"
    assert graph.get(POLICY).status_code == 200
    assert fault.hits == 1


def test_throttle_batch_item_only(graph: GraphClient, emulator: Emulator) -> None:
    emulator.faults.throttle(r"appRoleAssignedTo", retry_after=1, count=1, scope=FaultScope.ITEM)
    url = f"/servicePrincipals/{scenarios.enpass_sp(emulator.tenant(TENANT_ID)).id}/appRoleAssignedTo"
    responses = graph.batch_by_id(
        [{"id": "1", "method": "GET", "url": url}, {"id": "2", "method": "GET", "url": f"/{POLICY}"}]
    )
    assert responses["1"]["status"] == 429
    assert responses["1"]["headers"]["Retry-After"] == "1"
    assert responses["2"]["status"] == 200
    assert graph.get(url.lstrip("/")).status_code == 200  # item scope: direct requests unaffected
    again = graph.batch_by_id([{"id": "1", "method": "GET", "url": url}])
    assert again["1"]["status"] == 200


def test_throttle_envelope(graph: GraphClient, emulator: Emulator) -> None:
    emulator.faults.throttle(r"/\$batch", scope=FaultScope.REQUEST)
    assert graph.batch([{"id": "1", "method": "GET", "url": f"/{POLICY}"}]).status_code == 429
    assert emulator.recorder.items() == []


def test_status_faults(graph: GraphClient, emulator: Emulator) -> None:
    emulator.faults.unavailable(POLICY, retry_after=3)
    emulator.faults.server_error(POLICY)
    emulator.faults.forbidden(POLICY, count=1)
    emulator.faults.status(404, "Request_ResourceNotFound", POLICY)
    first, second, third, fourth = (graph.get(POLICY) for _ in range(4))
    assert (first.status_code, first.headers["Retry-After"]) == (503, "3")
    assert second.status_code == 500
    assert (third.status_code, third.json()["error"]["code"]) == (403, "Authorization_RequestDenied")
    assert fourth.status_code == 404
    assert graph.get(POLICY).status_code == 200


def test_malformed_json(graph: GraphClient, emulator: Emulator) -> None:
    emulator.faults.malformed_json(r"/organization", count=2)
    response = graph.get("organization")
    assert response.status_code == 200
    try:
        json.loads(response.text)
    except ValueError:
        pass
    else:
        raise AssertionError("body should not be JSON")
    item = graph.batch_by_id([{"id": "1", "method": "GET", "url": "/organization"}])["1"]
    assert isinstance(item["body"], str)


def test_delay_and_latency_are_applied(graph: GraphClient, emulator: Emulator) -> None:
    delay = emulator.faults.delay(0.01, r"/organization")
    emulator.latency = 0.001
    assert graph.get("organization").status_code == 200
    assert delay.hits == 1  # never assert durations (docs/DEVELOPING.md)


def test_fault_filters_by_tenant_and_method(graph: GraphClient, emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(OTHER_TENANT_ID))
    other = GraphClient(emulator, emulator.issue_token(OTHER_TENANT_ID))
    emulator.faults.server_error(count=None, tenant=OTHER_TENANT_ID, method="GET")
    assert graph.get(POLICY).status_code == 200
    assert other.get(POLICY).status_code == 500


def test_token_endpoint_failures(emulator: Emulator) -> None:
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
    emulator.add_tenant(scenarios.in_sync_tenant(OTHER_TENANT_ID))
    emulator.faults.token_failure(TENANT_ID, count=1)
    emulator.faults.token_failure(OTHER_TENANT_ID, kind=FaultKind.INVALID_CLIENT)
    with pytest.raises(msal.exceptions.MsalServiceError, match="500"):  # msal raises on a 5xx token answer
        emulator.confidential_app(TENANT_ID).acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)
    # msal replays cached errors (msal/throttled_http_client.py): a fresh app goes to the wire again.
    assert "access_token" in emulator.confidential_app(TENANT_ID).acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)
    other = emulator.confidential_app(OTHER_TENANT_ID).acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)
    assert other["error"] == "invalid_client"
    emulator.faults.token_failure(TENANT_ID, kind=FaultKind.THROTTLE, retry_after=1, count=1)
    response = emulator.session().post(
        f"{emulator.authority(TENANT_ID)}/oauth2/v2.0/token", data={"grant_type": "client_credentials"}
    )
    assert (response.status_code, response.headers["Retry-After"]) == (429, "1")


def test_three_round_trips_per_tenant(emulator: Emulator) -> None:
    tenants = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(4)]
    for tenant_id in tenants:
        emulator.add_tenant(scenarios.in_sync_tenant(tenant_id))

    def audit(tenant_id: str) -> None:
        token = emulator.confidential_app(tenant_id).acquire_token_for_client(scopes=GRAPH_DEFAULT_SCOPE)
        client = GraphClient(emulator, token["access_token"])
        client.batch_by_id([{"id": "1", "method": "GET", "url": f"/{POLICY}"},
                            {"id": "2", "method": "GET", "url": "/organization"}])  # fmt: skip

    threads = [threading.Thread(target=audit, args=(t,)) for t in tenants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rec = emulator.recorder
    for tenant_id in tenants:
        assert [r.kind for r in rec.requests(tenant_id)] == [Kind.DISCOVERY, Kind.TOKEN, Kind.BATCH]
        assert len(rec.items(tenant_id)) == 2
    assert set(rec.per_tenant().values()) == {3}
    assert all(r.status == 200 for r in rec.all)
