from __future__ import annotations

from typing import Any

import pytest
import requests

from enpass_consent import clouds
from enpass_consent.graph.client import BatchRequest, BatchResult, GraphClient
from enpass_consent.graph.errors import (
    BadResponseError,
    GraphRequestError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
    TransportError,
    UnauthorizedError,
)
from tests.enpass_consent.graph.fakes import FAKE_TOKEN, Call, FakeSession, FixedToken, response

ROOT = "https://graph.test.invalid"
ENDPOINTS = clouds.endpoints(clouds.GLOBAL, {clouds.GRAPH_URL_ENV: ROOT})
BASE = f"{ROOT}/v1.0"
TENANT = "11111111-2222-4333-8444-555555555555"


def make_client(handler: Any, **options: Any) -> tuple[GraphClient, FakeSession, list[float]]:
    session = FakeSession(handler)
    sleeps: list[float] = []
    client = GraphClient(ENDPOINTS, TENANT, FixedToken(), session, sleep=sleeps.append, **options)
    return client, session, sleeps


def item(index: str, status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": index, "status": status, "headers": headers or {"Content-Type": "application/json"}, "body": body}


def test_get_attaches_bearer_token_and_parses_json() -> None:
    client, session, _ = make_client(lambda call: response(200, {"id": "x"}))
    assert client.get("/policies/authorizationPolicy", {"$select": "id"}) == {"id": "x"}
    call = session.calls[0]
    assert (call.method, call.url, call.params) == ("GET", f"{BASE}/policies/authorizationPolicy", {"$select": "id"})
    assert call.headers["Authorization"] == f"Bearer {FAKE_TOKEN}"


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (401, UnauthorizedError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (500, GraphRequestError),
        (400, GraphRequestError),
    ],
)
def test_status_errors_are_typed(status: int, error_class: type[GraphRequestError]) -> None:
    body = {"error": {"code": "SomeCode", "message": f"echo Bearer {FAKE_TOKEN}"}}
    client, _, _ = make_client(lambda call: response(status, body))
    with pytest.raises(error_class) as raised:
        client.get("/servicePrincipals", {"$filter": "appId eq 'x'"})
    error = raised.value
    assert type(error) is error_class
    assert (error.status, error.code, error.path) == (status, "SomeCode", "/v1.0/servicePrincipals")
    assert FAKE_TOKEN not in str(error) + repr(error)
    assert "eyJ" not in str(error)


@pytest.mark.parametrize("status", [429, 503])
def test_throttled_after_session_retries(status: int) -> None:
    client, _, _ = make_client(lambda call: response(status, {}, {"Retry-After": "7"}))
    with pytest.raises(ThrottledError) as raised:
        client.get("/servicePrincipals")
    assert raised.value.retry_after == 7


def test_malformed_json_is_bad_response() -> None:
    client, _, _ = make_client(lambda call: response(200, raw=b"{not json"))
    with pytest.raises(BadResponseError, match="malformed JSON"):
        client.get("/servicePrincipals")


def test_transport_failure_is_typed() -> None:
    def fail(call: Call) -> requests.Response:
        raise requests.ConnectionError(f"refused with Authorization: Bearer {FAKE_TOKEN}")

    client, _, _ = make_client(fail)
    with pytest.raises(TransportError) as raised:
        client.get("/servicePrincipals")
    assert FAKE_TOKEN not in str(raised.value)


def test_get_all_follows_next_link_verbatim() -> None:
    next_link = f"{BASE}/servicePrincipals?$skiptoken=opaque%20token&$top=1"
    pages = iter([response(200, {"value": [1], "@odata.nextLink": next_link}), response(200, {"value": [2]})])
    client, session, _ = make_client(lambda call: next(pages))
    assert client.get_all("/servicePrincipals", {"$top": "1"}, {"ConsistencyLevel": "eventual"}) == [1, 2]
    assert session.calls[1].url == next_link
    assert session.calls[1].params is None
    assert session.calls[1].headers["ConsistencyLevel"] == "eventual"


def test_next_link_to_another_host_is_not_followed() -> None:
    client, session, _ = make_client(
        lambda call: response(200, {"value": [], "@odata.nextLink": "https://evil.invalid/v1.0/x"})
    )
    with pytest.raises(BadResponseError, match="outside"):
        client.get_all("/servicePrincipals")
    assert len(session.calls) == 1


def echo_batch(call: Call, status_for: Any = None) -> requests.Response:
    """Answers every item 200 with its url, in reverse order (Graph answers in any order)."""
    assert call.method == "POST" and call.url == f"{BASE}/$batch"
    items = call.json["requests"]
    return response(200, {"responses": [item(r["id"], 200, {"url": r["url"]}) for r in reversed(items)]})


def test_batch_splits_into_chunks_of_twenty_and_maps_ids() -> None:
    client, session, _ = make_client(echo_batch)
    requests_ = [BatchRequest(f"r{n}", f"/users/{n}") for n in range(45)]
    results = client.batch(requests_)
    assert [len(c.json["requests"]) for c in session.calls] == [20, 20, 5]
    assert all(r["method"] == "GET" for c in session.calls for r in c.json["requests"])
    assert set(results) == {f"r{n}" for n in range(45)}
    assert results["r44"].body == {"url": "/users/44"} and results["r44"].status == 200


def test_batch_rejects_duplicate_ids_and_absolute_urls() -> None:
    client, _, _ = make_client(echo_batch)
    with pytest.raises(ValueError, match="unique"):
        client.batch([BatchRequest("a", "/x"), BatchRequest("A", "/y")])
    with pytest.raises(ValueError, match="relative"):
        client.batch([BatchRequest("a", f"{BASE}/x")])


def test_batch_resends_throttled_items_after_longest_retry_after() -> None:
    rounds: list[list[str]] = []

    def handler(call: Call) -> requests.Response:
        urls = [r["url"] for r in call.json["requests"]]
        rounds.append(urls)
        answers = []
        for r in call.json["requests"]:
            if len(rounds) == 1 and r["url"] == "/a":
                answers.append(item(r["id"], 429, {"error": {"code": "TooManyRequests"}}, {"Retry-After": "3"}))
            elif len(rounds) == 1 and r["url"] == "/b":
                answers.append(item(r["id"], 503, None, {"retry-after": "5"}))
            else:
                answers.append(item(r["id"], 200, {"ok": r["url"]}))
        return response(200, {"responses": answers})

    client, _, sleeps = make_client(handler)
    results = client.batch([BatchRequest("a", "/a"), BatchRequest("b", "/b"), BatchRequest("c", "/c")])
    assert rounds == [["/a", "/b", "/c"], ["/a", "/b"]]
    assert sleeps == [5.0]
    assert {k: v.body for k, v in results.items()} == {"a": {"ok": "/a"}, "b": {"ok": "/b"}, "c": {"ok": "/c"}}


def test_batch_gives_up_with_throttled_error() -> None:
    client, session, sleeps = make_client(
        lambda call: response(
            200, {"responses": [item(r["id"], 429, None, {"Retry-After": "1"}) for r in call.json["requests"]]}
        ),
        max_throttle_rounds=2,
    )
    with pytest.raises(ThrottledError, match="after 2 retries"):
        client.batch([BatchRequest("a", "/a")])
    assert len(session.calls) == 3
    assert sleeps == [1.0, 1.0]


def test_a_tenant_that_keeps_stalling_is_given_up_at_its_deadline() -> None:
    now = [0.0]

    def handler(call: Call) -> requests.Response:
        now[0] += 40.0  # each $batch takes 40 s and is throttled for 50 s more
        return response(
            200, {"responses": [item(r["id"], 429, None, {"Retry-After": "50"}) for r in call.json["requests"]]}
        )

    session = FakeSession(handler)

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = GraphClient(
        ENDPOINTS,
        TENANT,
        FixedToken(),
        session,
        sleep=sleep,
        clock=lambda: now[0],
        deadline_seconds=100.0,
        max_throttle_rounds=50,
    )
    with pytest.raises(ThrottledError, match=rf"gave up on tenant {TENANT} after 100 s of retries"):
        client.batch([BatchRequest("a", "/a")])
    # Sent at 0 s and 90 s (after one 50 s wait); the next 50 s wait would end past 100 s, so it
    # stops at 130 s instead of retrying on: at most one request's own time past the deadline.
    assert len(session.calls) == 2 and now[0] == 130.0


def test_batch_without_retry_after_backs_off() -> None:
    answers = iter([429, 200])

    def handler(call: Call) -> requests.Response:
        return response(200, {"responses": [item("0", next(answers), {"value": []})]})

    client, _, sleeps = make_client(handler)
    assert client.batch([BatchRequest("a", "/a")])["a"].status == 200
    assert sleeps == [2.0]


def test_batch_pages_items_in_later_rounds_and_merges_values() -> None:
    rounds: list[list[str]] = []

    def handler(call: Call) -> requests.Response:
        rounds.append([r["url"] for r in call.json["requests"]])
        answers = []
        for r in call.json["requests"]:
            url = r["url"]
            if url == "/grants":
                body = {"@odata.context": "ctx", "value": [1, 2], "@odata.nextLink": f"{BASE}/grants?$skiptoken=p2"}
            elif url == "/grants?$skiptoken=p2":
                body = {"value": [3], "@odata.nextLink": f"{BASE}/grants?$skiptoken=p3"}
            elif url == "/grants?$skiptoken=p3":
                body = {"value": [4]}
            else:
                body = {"value": ["single"]}
            answers.append(item(r["id"], 200, body))
        return response(200, {"responses": answers})

    client, _, sleeps = make_client(handler)
    results = client.batch([BatchRequest("grants", "/grants"), BatchRequest("sp", "/sp")])
    assert rounds == [["/grants", "/sp"], ["/grants?$skiptoken=p2"], ["/grants?$skiptoken=p3"]]
    assert results["grants"].body == {"@odata.context": "ctx", "value": [1, 2, 3, 4]}
    assert results["sp"].body == {"value": ["single"]}
    assert sleeps == []


def test_batch_item_errors_are_results_not_exceptions() -> None:
    client, _, _ = make_client(
        lambda call: response(200, {"responses": [item("0", 404, {"error": {"code": "Request_ResourceNotFound"}})]})
    )
    result = client.batch([BatchRequest("sp", "/servicePrincipals(appId='x')")])["sp"]
    assert (result.status, result.ok) == (404, False)
    assert result.headers == {"content-type": "application/json"}


@pytest.mark.parametrize(
    "envelope",
    [
        {"nope": []},
        {"responses": [{"id": "0"}]},
        {"responses": [item("7")]},
        {"responses": []},
        {"responses": [item("0"), item("0")]},
    ],
)
def test_malformed_batch_envelope(envelope: Any) -> None:
    client, _, _ = make_client(lambda call: response(200, envelope))
    with pytest.raises(BadResponseError):
        client.batch([BatchRequest("a", "/a")])


def test_whole_batch_403_is_permission_denied() -> None:
    client, _, _ = make_client(
        lambda call: response(403, {"error": {"code": "Authorization_RequestDenied", "message": "no"}})
    )
    with pytest.raises(PermissionDeniedError):
        client.batch([BatchRequest("a", "/a")])


def test_item_headers_are_forwarded() -> None:
    client, session, _ = make_client(echo_batch)
    client.batch([BatchRequest("n", "/users/$count", {"ConsistencyLevel": "eventual"}), BatchRequest("m", "/x")])
    sent = session.calls[0].json["requests"]
    assert sent[0]["headers"] == {"ConsistencyLevel": "eventual"}
    assert "headers" not in sent[1]


# --- $batch retry timing: which wait, how long, and the tenant's deadline ----------------------


def throttle_then_ok(statuses: list[tuple[int, dict[str, str]]]) -> Any:
    """A handler answering the one item with each (status, headers) in turn, then 200."""
    answers = iter(statuses)

    def handler(call: Call) -> requests.Response:
        status, headers = next(answers, (200, {}))
        body = {"value": []} if status == 200 else None
        return response(200, {"responses": [item("0", status, body, headers)]})

    return handler


def test_without_retry_after_the_wait_doubles_each_round() -> None:
    client, _, sleeps = make_client(throttle_then_ok([(429, {}), (503, {}), (500, {})]))
    assert client.batch([BatchRequest("a", "/a")])["a"].status == 200
    assert sleeps == [2.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("retry_after", "slept"),
    [("120", 60.0), ("0.5", 0.5), ("-3", 2.0), ("soon", 2.0), ("0", 2.0)],
)
def test_retry_after_is_honoured_up_to_60_seconds(retry_after: str, slept: float) -> None:
    # Negative, unreadable or zero: the backoff of the first round instead.
    client, _, sleeps = make_client(throttle_then_ok([(429, {"Retry-After": retry_after})]))
    client.batch([BatchRequest("a", "/a")])
    assert sleeps == [slept]


def test_throttle_rounds_start_again_on_each_page() -> None:
    # One retry allowed per page: page 1 and page 2 are each throttled once, and the item succeeds.
    answers = iter(
        [
            item("0", 429, None, {"Retry-After": "1"}),
            item("0", 200, {"value": [1], "@odata.nextLink": f"{BASE}/a?page=2"}),
            item("0", 429, None, {"Retry-After": "1"}),
            item("0", 200, {"value": [2]}),
        ]
    )
    client, _, sleeps = make_client(lambda call: response(200, {"responses": [next(answers)]}), max_throttle_rounds=1)
    assert client.batch([BatchRequest("a", "/a")])["a"].body == {"value": [1, 2]}
    assert sleeps == [1.0, 1.0]


def test_a_throttled_item_that_gives_up_names_its_path_and_wait() -> None:
    client, _, _ = make_client(throttle_then_ok([(429, {"Retry-After": "9"})] * 3), max_throttle_rounds=1)
    with pytest.raises(ThrottledError) as raised:
        client.batch([BatchRequest("a", "/servicePrincipals")])
    assert (raised.value.path, raised.value.retry_after) == ("/servicePrincipals", 9)
    assert str(raised.value).startswith(
        f"Graph still answers 429 for /servicePrincipals in tenant {TENANT} after 1 retries"
    )


def _clocked_client(
    handler: Any, deadline: float, batch_seconds: float
) -> tuple[GraphClient, list[float], list[float]]:
    now = [0.0]
    sleeps: list[float] = []

    def timed(call: Call) -> requests.Response:
        now[0] += batch_seconds
        return handler(call)

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    client = GraphClient(
        ENDPOINTS, TENANT, FixedToken(), FakeSession(timed), sleep=sleep, clock=lambda: now[0],
        deadline_seconds=deadline, max_throttle_rounds=50,
    )  # fmt: skip
    return client, sleeps, now


def test_no_wait_is_begun_that_would_end_past_the_deadline() -> None:
    client, sleeps, now = _clocked_client(throttle_then_ok([(429, {"Retry-After": "45"})] * 5), 100.0, 10.0)
    with pytest.raises(ThrottledError, match=r"\(waiting 45 s to retry 1 \$batch item\(s\)\)"):
        client.batch([BatchRequest("a", "/a")])
    # Sent at 0 (answer at 10), waited to 55, sent again (answer at 65): a second wait would end at 110.
    assert sleeps == [45.0] and now[0] == 65.0


def test_a_wait_that_ends_exactly_at_the_deadline_is_still_taken() -> None:
    client, sleeps, now = _clocked_client(throttle_then_ok([(429, {"Retry-After": "50"})] * 2), 100.0, 0.0)
    assert client.batch([BatchRequest("a", "/a")])["a"].status == 200
    assert sleeps == [50.0, 50.0] and now[0] == 100.0


# --- pages, limits and single requests -----------------------------------------------------------


def test_get_all_stops_after_max_pages() -> None:
    def pages(count: int) -> Any:
        links = iter(range(2, count + 2))

        def handler(call: Call) -> requests.Response:
            page = next(links)
            body: dict[str, Any] = {"value": [page - 1]}
            if page <= count:
                body["@odata.nextLink"] = f"{BASE}/users?page={page}"
            return response(200, body)

        return handler

    client, session, _ = make_client(pages(2), max_pages=2)
    assert client.get_all("/users") == [1, 2]
    assert [call.method for call in session.calls] == ["GET", "GET"]
    client, _, _ = make_client(pages(3), max_pages=2)
    with pytest.raises(BadResponseError, match=r"^more than 2 pages for /users$"):
        client.get_all("/users")


def test_a_batch_item_stops_after_max_pages() -> None:
    def handler(call: Call) -> requests.Response:
        (request,) = call.json["requests"]
        page = int(request["url"].rpartition("=")[2]) if "=" in request["url"] else 1
        body = {"value": [page], "@odata.nextLink": f"{BASE}/grants?page={page + 1}"}
        return response(200, {"responses": [item(request["id"], 200, body)]})

    client, session, _ = make_client(handler, max_pages=3)
    with pytest.raises(BadResponseError, match=r"^more than 3 pages for /grants$"):
        client.batch([BatchRequest("g", "/grants")])
    assert len(session.calls) == 4


def test_single_requests_ask_for_json_with_the_callers_headers() -> None:
    client, session, _ = make_client(lambda call: response(200, {"value": []}))
    client.get("/users", {"$top": "1"}, {"ConsistencyLevel": "eventual"})
    assert session.calls[0].headers == {
        "Accept": "application/json",
        "ConsistencyLevel": "eventual",
        "Authorization": f"Bearer {FAKE_TOKEN}",
    }


@pytest.mark.parametrize(("status", "raw"), [(204, b""), (200, b"")])
def test_an_answer_without_content_is_none(status: int, raw: bytes) -> None:
    client, _, _ = make_client(lambda call: response(status, raw=raw))
    assert client.get("/x") is None


@pytest.mark.parametrize("status", [300, 302])
def test_a_redirect_answer_is_an_error(status: int) -> None:
    client, _, _ = make_client(lambda call: response(status, {"error": {"code": "Moved"}}))
    with pytest.raises(GraphRequestError) as raised:
        client.get("/x")
    assert raised.value.status == status


def test_whole_request_throttling_names_path_and_tenant() -> None:
    client, _, _ = make_client(lambda call: response(429, {}, {"Retry-After": "3"}))
    with pytest.raises(ThrottledError) as raised:
        client.get("/servicePrincipals")
    assert raised.value.path == "/v1.0/servicePrincipals"
    assert str(raised.value) == f"Graph still answered 429 for /v1.0/servicePrincipals in tenant {TENANT} after retries"


def test_a_failed_item_is_typed_like_a_whole_request() -> None:
    denied = BatchResult("sp", 403, {}, {"error": {"code": "Authorization_RequestDenied", "message": "no"}})
    error = denied.error()
    assert type(error) is PermissionDeniedError
    assert (error.status, error.code, error.path) == (403, "Authorization_RequestDenied", "$batch item sp")
    with pytest.raises(PermissionDeniedError):
        denied.json_object()
    with pytest.raises(BadResponseError, match=r"^batch item sp: expected a JSON object$"):
        BatchResult("sp", 200, {}, ["not", "an object"]).json_object()
    assert BatchResult("sp", 204, {}, {"a": 1}).json_object() == {"a": 1}


def test_get_all_sends_params_once_and_headers_on_every_page() -> None:
    pages = iter(
        [response(200, {"value": [1], "@odata.nextLink": f"{BASE}/users?$skiptoken=2"}), response(200, {"value": [2]})]
    )
    client, session, _ = make_client(lambda call: next(pages))
    client.get_all("/users", {"$top": "1"}, {"ConsistencyLevel": "eventual"})
    first, second = session.calls
    assert (first.url, first.params, first.headers["ConsistencyLevel"]) == (f"{BASE}/users", {"$top": "1"}, "eventual")
    assert (second.method, second.params, second.headers["ConsistencyLevel"]) == ("GET", None, "eventual")


@pytest.mark.parametrize("body", [{"items": []}, ["a list"], {"value": "not a list"}])
def test_a_collection_without_a_value_list_is_a_bad_response(body: Any) -> None:
    client, _, _ = make_client(lambda call: response(200, body))
    with pytest.raises(BadResponseError, match=r"^Graph answer for /users has no 'value' list$"):
        client.get_all("/users")


def test_a_batch_item_answering_200_without_an_object_is_a_bad_response() -> None:
    client, _, _ = make_client(lambda call: response(200, {"responses": [item("0", 200, "text")]}))
    with pytest.raises(BadResponseError) as raised:
        client.batch([BatchRequest("a", "/a")])
    assert str(raised.value) == f"$batch item for /a in tenant {TENANT} answered 200 without a JSON object"


def test_results_carry_their_request_id_status_and_headers() -> None:
    answers = iter(
        [
            [item("0", 200, {"value": [1], "@odata.nextLink": f"{BASE}/g?p=2"}, {"X-Page": "1"}), item("1", 404, {})],
            [item("0", 200, {"value": [2]}, {"X-Page": "2"})],
        ]
    )
    client, _, _ = make_client(lambda call: response(200, {"responses": next(answers)}))
    results = client.batch([BatchRequest("grants", "/g"), BatchRequest("sp", "/sp")])
    grants, sp = results["grants"], results["sp"]
    assert (grants.id, grants.status, grants.headers["x-page"], grants.body) == ("grants", 200, "2", {"value": [1, 2]})
    assert (sp.id, sp.status) == ("sp", 404)


@pytest.mark.parametrize(
    ("envelope", "message"),
    [
        ([], "has no 'responses' list"),
        ({"responses": [item("1")]}, "has a malformed or repeated item"),  # ids are 0..n-1
        ({"responses": [dict(item("0"), id=0)]}, "has a malformed or repeated item"),  # ids are strings
        ({"responses": [item("0"), item("0")]}, "has a malformed or repeated item"),
        ({"responses": []}, "has 0 items for 1 requests"),
    ],
)
def test_a_malformed_envelope_says_what_is_wrong(envelope: Any, message: str) -> None:
    client, _, _ = make_client(lambda call: response(200, envelope))
    with pytest.raises(BadResponseError) as raised:
        client.batch([BatchRequest("a", "/a")])
    assert str(raised.value) == f"$batch answer in tenant {TENANT} {message}"


def test_a_request_after_the_deadline_is_not_sent() -> None:
    now = [0.0]
    client = GraphClient(
        ENDPOINTS,
        TENANT,
        FixedToken(),
        FakeSession(lambda call: response(200, {})),
        clock=lambda: now[0],
        deadline_seconds=10.0,
    )
    now[0] = 10.5
    with pytest.raises(ThrottledError) as raised:
        client.get("/users")
    assert str(raised.value) == f"gave up on tenant {TENANT} after 10 s of retries (sending GET /v1.0/users)"


def test_transport_failure_names_host_path_tenant_and_cause() -> None:
    def fail(call: Call) -> requests.Response:
        raise requests.ConnectionError("refused")

    client, _, _ = make_client(fail)
    with pytest.raises(TransportError) as raised:
        client.get("/users")
    assert str(raised.value) == (
        f"no answer from Graph at {ENDPOINTS.graph_label} for /v1.0/users in tenant {TENANT} after retries: "
        "ConnectionError: refused"
    )


def test_a_path_must_start_at_the_version_root() -> None:
    client, session, _ = make_client(lambda call: response(200, {}))
    with pytest.raises(ValueError, match=r"^Graph paths are relative to the version root and start with '/': 'users'$"):
        client.get("users")
    assert session.calls == []


def test_a_later_page_without_a_value_list_names_the_collection() -> None:
    pages = iter([response(200, {"value": [1], "@odata.nextLink": f"{BASE}/users?$skiptoken=2"}), response(200, {})])
    client, _, _ = make_client(lambda call: next(pages))
    with pytest.raises(BadResponseError, match=r"^Graph answer for /users has no 'value' list$"):
        client.get_all("/users")
    answers = iter(
        [item("0", 200, {"value": [1], "@odata.nextLink": f"{BASE}/grants?$skiptoken=2"}), item("0", 200, {"x": 1})]
    )
    client, _, _ = make_client(lambda call: response(200, {"responses": [next(answers)]}))
    with pytest.raises(BadResponseError, match=r"^Graph answer for /grants has no 'value' list$"):
        client.batch([BatchRequest("g", "/grants")])
