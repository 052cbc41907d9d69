"""Test doubles: a scripted HTTP session and a fixed token source. Secrets here are obviously fake."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

FAKE_TOKEN = "eyJhbGciOiJub25lIn0.eyJmYWtlIjoidG9rZW4ifQ.fake-signature-not-real"


def response(
    status: int, body: Any = None, headers: Mapping[str, str] | None = None, raw: bytes | None = None
) -> requests.Response:
    result = requests.Response()
    result.status_code = status
    result._content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    result.headers.update(headers or {})
    result.headers.setdefault("Content-Type", "application/json")
    return result


@dataclass
class Call:
    method: str
    url: str
    params: Any
    headers: dict[str, str]
    json: Any


class FakeSession(requests.Session):
    """Answers each request with ``handler(call)``; records every call. Nothing goes on the wire."""

    def __init__(self, handler: Callable[[Call], requests.Response]) -> None:
        super().__init__()
        self.handler = handler
        self.calls: list[Call] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        call = Call(str(method), str(url), kwargs.get("params"), dict(kwargs.get("headers") or {}), kwargs.get("json"))
        self.calls.append(call)
        return self.handler(call)


class FixedToken:
    def __init__(self, token: str = FAKE_TOKEN) -> None:
        self.token = token
        self.calls = 0

    def get_token(self) -> str:
        self.calls += 1
        return self.token
