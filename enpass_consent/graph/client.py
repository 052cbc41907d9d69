"""Read-only Microsoft Graph requests for one tenant: single GETs, paging, and ``$batch``.

The client can only read: ``get``, ``get_all`` and ``batch`` of GET items (``$batch`` itself is a
POST). Read-only commands therefore cannot write to a tenant by construction, and retrying any
request is always safe.

Retries happen in two places. Whole requests (429/5xx, connection and read failures) are retried
by the session's urllib3 ``Retry``. Items inside a ``$batch`` are throttled one by one while the
envelope says 200, which the session never sees: those are re-sent here in a new batch after the
longest ``Retry-After``, for a bounded number of rounds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from enpass_consent.clouds import Endpoints
from enpass_consent.graph.errors import (
    BadResponseError,
    GraphRequestError,
    ThrottledError,
    TransportError,
    error_for_status,
    safe_path,
    shorten,
)
from enpass_consent.graph.redact import scrub
from enpass_consent.graph.session import RETRY_AFTER_MAX_SECONDS
from enpass_consent.graph.tokens import TokenSource

MAX_BATCH_SIZE = 20
"""Graph's limit of requests per ``$batch``."""
THROTTLED_STATUSES = frozenset({429, 503})
# Items re-sent in a later batch: throttling, and the transient server errors a whole request is
# retried on by the session (README.md: bounded retries for 5xx, also inside a $batch).
RETRIED_ITEM_STATUSES = THROTTLED_STATUSES | {500, 502, 504}
DEFAULT_MAX_THROTTLE_ROUNDS = 4
DEFAULT_MAX_PAGES = 1000
DEFAULT_TENANT_DEADLINE_SECONDS = 300.0
"""How long one tenant may keep retrying before it is given up (it is then ``error``; the others go on)."""
NEXT_LINK = "@odata.nextLink"


@dataclass(frozen=True)
class BatchRequest:
    """One GET inside a ``$batch``. ``url`` is relative to the version root: ``/servicePrincipals?...``."""

    id: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    """One item's answer. ``headers`` have lower-case names. Pages of a 200 are merged into one ``body``."""

    id: str
    status: int
    headers: Mapping[str, str]
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error(self) -> GraphRequestError:
        """The typed error of a failed item, as for a whole request (a 403 is a ``PermissionDeniedError``)."""
        return error_for_status(self.status, self.body, f"$batch item {self.id}")

    def json_object(self) -> Mapping[str, Any]:
        """The body of a successful item; a failed one raises :meth:`error`, a non-object ``BadResponseError``."""
        if not self.ok:
            raise self.error()
        if not isinstance(self.body, Mapping):
            raise BadResponseError(f"batch item {self.id}: expected a JSON object")
        return self.body


@dataclass
class _Pending:
    request: BatchRequest
    url: str
    throttled_rounds: int = 0
    pages: int = 0
    first: BatchResult | None = None
    values: list[Any] = field(default_factory=list)


class GraphClient:
    """Graph reads for ``tenant_id`` through the shared ``session``, authenticated by ``token_provider``."""

    def __init__(
        self,
        endpoints: Endpoints,
        tenant_id: str,
        token_provider: TokenSource,
        session: requests.Session,
        *,
        max_throttle_rounds: int = DEFAULT_MAX_THROTTLE_ROUNDS,
        max_pages: int = DEFAULT_MAX_PAGES,
        deadline_seconds: float = DEFAULT_TENANT_DEADLINE_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoints = endpoints
        self.tenant_id = tenant_id
        self._token_provider = token_provider
        self._session = session
        self._max_throttle_rounds = max_throttle_rounds
        self._max_pages = max_pages
        self._sleep = sleep
        self._clock = clock
        self._deadline_seconds = deadline_seconds
        # One budget per tenant: a tenant that keeps throttling or stalling is given up as a whole,
        # so a nightly run always ends with a report for every other tenant.
        self._deadline = clock() + deadline_seconds

    @property
    def token_source(self) -> TokenSource:
        return self._token_provider

    def with_token_source(self, token_source: TokenSource) -> GraphClient:
        """The same tenant, session and limits, authenticated by ``token_source`` (another token's permissions)."""
        return GraphClient(
            self.endpoints,
            self.tenant_id,
            token_source,
            self._session,
            max_throttle_rounds=self._max_throttle_rounds,
            max_pages=self._max_pages,
            deadline_seconds=self._deadline_seconds,
            sleep=self._sleep,
            clock=self._clock,
        )

    # -- single requests -------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None) -> Any:
        """The JSON body of ``GET {graph_base}{path}``; error statuses raise typed errors."""
        return self._send("GET", self._absolute(path), params=params, headers=headers)

    def get_all(
        self, path: str, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
    ) -> list[Any]:
        """Every item of a collection, following ``@odata.nextLink`` verbatim (headers re-sent on each page)."""
        body = self.get(path, params, headers)
        items = list(_values(body, path))
        pages = 1
        while isinstance(body, dict) and body.get(NEXT_LINK):
            pages += 1
            if pages > self._max_pages:
                raise BadResponseError(f"more than {self._max_pages} pages for {safe_path(path)}")
            body = self._send("GET", self._next_link(body[NEXT_LINK]), params=None, headers=headers)
            items.extend(_values(body, path))
        return items

    # -- $batch ----------------------------------------------------------------------------

    def batch(self, requests_: Iterable[BatchRequest]) -> dict[str, BatchResult]:
        """Answers keyed by request id: ≤20 items per ``POST $batch``, throttled items re-sent, pages merged.

        An item that keeps answering 429/503 after the bounded rounds raises :class:`ThrottledError`
        (the tenant fails); any other item status is returned as the item's result.
        """
        pending = [_Pending(request, request.url) for request in requests_]
        _check_batch_requests([p.request for p in pending])
        results: dict[str, BatchResult] = {}
        while pending:
            next_round: list[_Pending] = []
            wait = 0.0
            for start in range(0, len(pending), MAX_BATCH_SIZE):
                chunk = pending[start : start + MAX_BATCH_SIZE]
                for item, answer in zip(chunk, self._send_batch(chunk), strict=True):
                    outcome = self._absorb(item, answer, results)
                    if outcome is not None:
                        next_round.append(item)
                        wait = max(wait, outcome)
            pending = next_round
            if pending and wait > 0:
                self._check_deadline(f"waiting {wait:g} s to retry {len(pending)} $batch item(s)", wait)
                self._sleep(wait)
        return results

    def _absorb(self, item: _Pending, answer: BatchResult, results: dict[str, BatchResult]) -> float | None:
        """Record ``answer``; return the seconds to wait before re-sending ``item``, or None when it is done."""
        if answer.status in RETRIED_ITEM_STATUSES:
            item.throttled_rounds += 1
            if item.throttled_rounds > self._max_throttle_rounds:
                raise ThrottledError(
                    f"Graph still answers {answer.status} for {safe_path(item.url)} in tenant {self.tenant_id} "
                    f"after {self._max_throttle_rounds} retries",
                    path=safe_path(item.url),
                    retry_after=_retry_after(answer.headers),
                )
            return _retry_after(answer.headers) or min(2.0**item.throttled_rounds, RETRY_AFTER_MAX_SECONDS)
        body = answer.body
        if answer.status == 200 and not isinstance(body, dict):
            raise BadResponseError(
                f"$batch item for {safe_path(item.url)} in tenant {self.tenant_id} answered 200 without a JSON object"
            )
        if answer.status != 200 or (item.first is None and NEXT_LINK not in body):
            # Done: a single page, or an error status (a failed later page replaces the partial result).
            results[item.request.id] = BatchResult(item.request.id, answer.status, answer.headers, body)
            return None
        item.pages += 1
        if item.pages > self._max_pages:
            raise BadResponseError(f"more than {self._max_pages} pages for {safe_path(item.request.url)}")
        if item.first is None:
            item.first = answer
        item.values.extend(_values(body, item.request.url))
        if body.get(NEXT_LINK):
            item.url = self._relative(body[NEXT_LINK])
            item.throttled_rounds = 0
            return 0.0
        assert item.first is not None and isinstance(item.first.body, dict)
        merged = {key: value for key, value in item.first.body.items() if key != NEXT_LINK}
        merged["value"] = item.values
        results[item.request.id] = BatchResult(item.request.id, 200, answer.headers, merged)
        return None

    def _send_batch(self, chunk: Sequence[_Pending]) -> list[BatchResult]:
        """POST one ``$batch`` and return its answers in ``chunk``'s order (Graph answers in any order)."""
        payload = {
            "requests": [
                {
                    "id": str(index),
                    "method": "GET",
                    "url": item.url,
                    **({"headers": dict(item.request.headers)} if item.request.headers else {}),
                }
                for index, item in enumerate(chunk)
            ]
        }
        envelope = self._send("POST", f"{self.endpoints.graph_base}/$batch", json_body=payload)
        responses = envelope.get("responses") if isinstance(envelope, dict) else None
        if not isinstance(responses, list):
            raise BadResponseError(f"$batch answer in tenant {self.tenant_id} has no 'responses' list")
        by_index: dict[int, BatchResult] = {}
        for response in responses:
            parsed = _parse_item(response, len(chunk))
            if parsed is None or parsed[0] in by_index:
                raise BadResponseError(f"$batch answer in tenant {self.tenant_id} has a malformed or repeated item")
            index, status, headers, body = parsed
            by_index[index] = BatchResult(chunk[index].request.id, status, headers, body)
        if len(by_index) != len(chunk):
            raise BadResponseError(
                f"$batch answer in tenant {self.tenant_id} has {len(by_index)} items for {len(chunk)} requests"
            )
        return [by_index[index] for index in range(len(chunk))]

    # -- plumbing --------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Any:
        path = safe_path(url)
        self._check_deadline(f"sending {method} {path}")
        token = self._token_provider.get_token()
        all_headers = {"Accept": "application/json", **(headers or {}), "Authorization": f"Bearer {token}"}
        try:
            response = self._session.request(method, url, params=params, headers=all_headers, json=json_body)
        except requests.RequestException as exc:
            raise TransportError(
                f"no answer from Graph at {self.endpoints.graph_label} for {path} in tenant {self.tenant_id} "
                f"after retries: "
                f"{type(exc).__name__}: {shorten(scrub(exc))}"
            ) from None
        if not 200 <= response.status_code < 300:
            raise _status_error(response, path, self.tenant_id)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise BadResponseError(
                f"Graph answered {response.status_code} with malformed JSON for {path} in tenant {self.tenant_id}"
            ) from None

    def _check_deadline(self, doing: str, needed: float = 0.0) -> None:
        if self._clock() + needed > self._deadline:
            raise ThrottledError(
                f"gave up on tenant {self.tenant_id} after {self._deadline_seconds:g} s of retries ({doing})"
            )

    def _absolute(self, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"Graph paths are relative to the version root and start with '/': {path!r}")
        return f"{self.endpoints.graph_base}{path}"

    def _next_link(self, link: object) -> str:
        """``link`` when it points below our Graph root; anything else would receive our token."""
        return f"{self.endpoints.graph_base}{self._relative(link)}"

    def _relative(self, link: object) -> str:
        base = self.endpoints.graph_base
        if not isinstance(link, str) or not link.startswith(base + "/"):
            raise BadResponseError(f"@odata.nextLink outside {base} in tenant {self.tenant_id}; not followed")
        return link[len(base) :]


def _check_batch_requests(requests_: Sequence[BatchRequest]) -> None:
    seen: set[str] = set()
    for request in requests_:
        key = request.id.lower()  # Graph treats batch ids case-insensitively.
        if not request.id or key in seen:
            raise ValueError(f"batch request ids must be unique and non-empty: {request.id!r}")
        if not request.url.startswith("/"):
            raise ValueError(f"batch request urls are relative to the version root: {request.url!r}")
        seen.add(key)


def _parse_item(response: object, size: int) -> tuple[int, int, dict[str, str], Any] | None:
    if not isinstance(response, dict):
        return None
    raw_id, status = response.get("id"), response.get("status")
    if not isinstance(raw_id, str) or not raw_id.isdigit() or int(raw_id) >= size or not isinstance(status, int):
        return None
    headers = response.get("headers") or {}
    if not isinstance(headers, dict):
        return None
    return int(raw_id), status, {str(k).lower(): str(v) for k, v in headers.items()}, response.get("body")


def _values(body: object, path: str) -> list[Any]:
    value = body.get("value") if isinstance(body, dict) else None
    if not isinstance(value, list):
        raise BadResponseError(f"Graph answer for {safe_path(path)} has no 'value' list")
    return value


def _retry_after(headers: Mapping[str, str]) -> float | None:
    raw = headers.get("retry-after")
    try:
        seconds = float(raw) if raw is not None else None
    except ValueError:
        return None
    return None if seconds is None or seconds < 0 else min(seconds, RETRY_AFTER_MAX_SECONDS)


def _status_error(response: requests.Response, path: str, tenant_id: str) -> Exception:
    status = response.status_code
    if status in THROTTLED_STATUSES:
        return ThrottledError(
            f"Graph still answered {status} for {path} in tenant {tenant_id} after retries",
            path=path,
            retry_after=_retry_after({k.lower(): v for k, v in response.headers.items()}),
        )
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    return error_for_status(status, body, path)
