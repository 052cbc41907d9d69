from __future__ import annotations

import pytest

from enpass_consent.graph.redact import REDACTED, register_secret, scrub


def test_registered_secret_is_removed_wherever_it_appears() -> None:
    register_secret("fake-registered-value-123")
    assert scrub("before fake-registered-value-123 after") == f"before {REDACTED} after"


def test_short_values_are_not_registered() -> None:
    register_secret("abc")
    assert scrub("abc") == "abc"


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer abc.def-ghi_jkl",
        "authorization: basic ZmFrZTpmYWtl",
        "token eyJhbGciOiJub25lIn0.eyJzdWIiOiJmYWtlIn0.c2ln here",
        "client_secret=not-a-real-secret&scope=x",
        '{"access_token": "not-a-real-token"}',
        "client_assertion=abc123def&grant_type=client_credentials",
        "ARM_CLIENT_SECRET=fake-secret-value",
        "password: hunter2-fake",
        "-----BEGIN PRIVATE KEY-----\nMIIfake\n-----END PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIfake truncated",
    ],
)
def test_secret_patterns_are_removed(text: str) -> None:
    cleaned = scrub(text)
    for fragment in (
        "abc.def-ghi_jkl",
        "ZmFrZTpmYWtl",
        "eyJ",
        "not-a-real",
        "abc123def",
        "fake-secret-value",
        "hunter2",
        "MIIfake",
    ):
        assert fragment not in cleaned
    assert REDACTED in cleaned


def test_ordinary_text_is_untouched() -> None:
    text = "Graph returned 403 for /v1.0/servicePrincipals (Authorization_RequestDenied: Insufficient privileges)"
    assert scrub(text) == text
