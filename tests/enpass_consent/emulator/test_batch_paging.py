"""$batch rules and @odata.nextLink paging."""

from __future__ import annotations

from urllib.parse import urlsplit

from enpass_consent.catalog import ENPASS_APP_ID, MICROSOFT_GRAPH_APP_ID
from enpass_consent.emulator import Kind, scenarios
from enpass_consent.emulator.server import Emulator
from tests.enpass_consent.emulator.conftest import TENANT_ID, GraphClient


def _get(item_id: str, url: str) -> dict[str, str]:
    return {"id": item_id, "method": "GET", "url": url}


def test_batch_runs_audit_reads(graph: GraphClient, emulator: Emulator) -> None:
    sp = scenarios.enpass_sp(emulator.tenant(TENANT_ID))
    responses = graph.batch_by_id(
        [
            _get("sp", f"/servicePrincipals?$filter=appId eq '{ENPASS_APP_ID}'"),
            _get("grants", f"/servicePrincipals(appId='{ENPASS_APP_ID}')/oauth2PermissionGrants"),
            _get("to", f"/servicePrincipals(appId='{ENPASS_APP_ID}')/appRoleAssignments"),
            _get("on", f"/servicePrincipals(appId='{ENPASS_APP_ID}')/appRoleAssignedTo"),
            _get("policy", "/policies/authorizationPolicy"),
            _get("graph", f"servicePrincipals(appId='{MICROSOFT_GRAPH_APP_ID}')?$select=id"),
            _get("missing", "/servicePrincipals(appId='00000000-0000-0000-0000-00000000abcd')"),
        ]
    )
    assert responses["sp"]["body"]["value"][0]["id"] == sp.id
    assert len(responses["grants"]["body"]["value"]) == 1
    assert responses["graph"]["body"]["id"] == scenarios.graph_sp(emulator.tenant(TENANT_ID)).id
    assert responses["missing"]["status"] == 404
    assert all(set(r) >= {"id", "status", "headers"} for r in responses.values())
    assert emulator.recorder.count(TENANT_ID, Kind.BATCH) == 1
    assert len(emulator.recorder.items(TENANT_ID)) == 7


def test_batch_order_is_not_request_order(graph: GraphClient, emulator: Emulator) -> None:
    items = [_get(str(i), "/policies/authorizationPolicy") for i in range(10)]
    assert [r["id"] for r in graph.batch(items).json()["responses"]] != [str(i) for i in range(10)]
    emulator.graph.batch_order = "request"
    assert [r["id"] for r in graph.batch(items).json()["responses"]] == [str(i) for i in range(10)]


def test_batch_limits(graph: GraphClient) -> None:
    assert graph.batch([_get(str(i), "/policies/authorizationPolicy") for i in range(20)]).status_code == 200
    assert graph.batch([_get(str(i), "/policies/authorizationPolicy") for i in range(21)]).status_code == 400
    assert graph.batch([_get("a", "/organization"), _get("A", "/organization")]).status_code == 400
    assert graph.batch([]).status_code == 400
    bad_dependency = {**_get("a", "/organization"), "dependsOn": ["zzz"]}
    assert graph.batch([bad_dependency]).status_code == 400
    absolute = graph.batch_by_id([_get("abs", f"{graph.emulator.graph_base}/organization")])
    assert absolute["abs"]["status"] == 400
    write = graph.batch_by_id([{"id": "w", "method": "DELETE", "url": "/oauth2PermissionGrants/x"}])
    assert write["w"]["status"] == 405


def test_paging_follows_next_links(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    users = [scenarios.add_user(tenant, f"User {i}") for i in range(6)]
    emulator.page_size = 4
    first = graph.get("users", **{"$select": "id", "$filter": "accountEnabled eq true"}).json()
    assert len(first["value"]) == 4
    link = first["@odata.nextLink"]
    assert link.startswith(f"{emulator.graph_base}/users?") and "$skiptoken=" in link
    assert "$filter=accountEnabled" in link  # the original query travels with the link
    second = graph.get(link).json()
    assert "@odata.nextLink" not in second
    seen = {u["id"] for u in first["value"] + second["value"]}
    assert seen == {u.id for u in users} | {tenant.signed_in_user_id}


def test_top_sets_page_size_and_links_work_inside_batch(graph: GraphClient, emulator: Emulator) -> None:
    tenant = emulator.tenant(TENANT_ID)
    for i in range(3):
        scenarios.add_group(tenant, f"Group {i}")
    page = graph.batch_by_id([_get("g", "/groups?$top=2")])["g"]["body"]
    assert len(page["value"]) == 2
    link = urlsplit(page["@odata.nextLink"])
    relative = link.path.removeprefix("/v1.0") + "?" + link.query
    rest = graph.batch_by_id([_get("g2", relative)])["g2"]["body"]
    assert len(rest["value"]) == 1 and "@odata.nextLink" not in rest
    assert graph.get("groups", **{"$skiptoken": "forged"}).status_code == 400
    assert graph.get("groups", **{"$top": "1000"}).status_code == 400
