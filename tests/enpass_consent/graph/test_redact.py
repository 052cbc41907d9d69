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


def test_six_characters_are_a_secret_five_are_not() -> None:
    register_secret("q7w8e9")
    register_secret("k2j3h")
    register_secret(None)
    register_secret("")
    assert scrub("q7w8e9 k2j3h") == f"{REDACTED} k2j3h"


def test_a_secret_with_surrounding_whitespace_is_removed_with_and_without_it() -> None:
    register_secret("  padded-fake-value \n")
    assert scrub("x=padded-fake-value;") == f"x={REDACTED};"


def test_a_longer_secret_holding_a_shorter_one_is_removed_whole() -> None:
    # Registered shorter first, and the shorter sorts after the longer alphabetically: only length decides.
    register_secret("zq-fake-inner")
    register_secret("azq-fake-inner-outer")
    assert scrub("<azq-fake-inner-outer> <zq-fake-inner>") == f"<{REDACTED}> <{REDACTED}>"
