from __future__ import annotations

import os
from pathlib import Path

import certifi
import pytest
import requests

from enpass_consent.emulator.server import Emulator
from enpass_consent.graph.errors import ConfigurationError
from enpass_consent.graph.proxy import ProxyConfig
from enpass_consent.graph.session import RETRY_AFTER_MAX_SECONDS, build_retry, build_session


def test_retry_policy() -> None:
    retry = build_retry()
    assert retry.allowed_methods is None  # POST ($batch, token) retried too
    assert set(retry.status_forcelist or ()) == {429, 500, 502, 503, 504}
    assert retry.respect_retry_after_header
    assert retry.retry_after_max == RETRY_AFTER_MAX_SECONDS <= 60
    assert retry.raise_on_status is False
    assert retry.total and retry.connect and retry.read and retry.status
    assert retry.is_retry("POST", 429, has_retry_after=True)
    assert retry.is_retry("POST", 503)
    assert not retry.is_retry("GET", 404)


def test_session_basics() -> None:
    session = build_session(None, pool_size=7, timeout=(3.0, 9.0))
    try:
        assert session.trust_env is False
        assert session.verify == certifi.where()
        adapter = session.get_adapter("https://example.invalid/")
        assert adapter._pool_maxsize == 7  # type: ignore[attr-defined]
        assert adapter.max_retries.allowed_methods is None  # type: ignore[attr-defined]
        with pytest.raises(requests.exceptions.InvalidSchema):
            session.get("http://127.0.0.1:9/")  # plain HTTP has no adapter: TLS is never skipped
    finally:
        session.close()


def test_default_timeout_is_applied_when_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def fake_request(self: requests.Session, method: str, url: str, **kwargs: object) -> requests.Response:
        seen.append(kwargs.get("timeout"))
        return requests.Response()

    monkeypatch.setattr(requests.Session, "request", fake_request)
    session = build_session(None, pool_size=1, timeout=(2.0, 5.0))
    session.get("https://example.invalid/")
    session.post("https://example.invalid/", timeout=(1.0, 1.0))
    assert seen == [(2.0, 5.0), (1.0, 1.0)]


def test_extra_ca_bundle_is_added_to_public_roots(emulator: Emulator) -> None:
    session = build_session(emulator.ca_bundle, pool_size=1)
    combined = str(session.verify)
    text = Path(combined).read_text()
    assert Path(certifi.where()).read_text().strip() in text
    assert Path(emulator.ca_bundle).read_text().strip() in text
    session.close()
    assert not os.path.exists(combined)


def test_bad_ca_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        build_session(str(tmp_path / "missing.pem"), pool_size=1)
    empty = tmp_path / "empty.pem"
    empty.write_text("nothing here\n")
    with pytest.raises(ConfigurationError, match="no PEM certificate"):
        build_session(str(empty), pool_size=1)


def test_redirects_are_never_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def fake_request(self: requests.Session, method: str, url: str, **kwargs: object) -> requests.Response:
        seen.append(kwargs.get("allow_redirects"))
        return requests.Response()

    monkeypatch.setattr(requests.Session, "request", fake_request)
    session = build_session(None, pool_size=1)
    session.get("https://example.invalid/")
    session.post("https://example.invalid/token", data={"client_secret": "fake"}, allow_redirects=True)
    assert seen == [False, False]  # a token POST's body must never follow a Location to another host


def test_the_proxy_is_chosen_per_url_also_for_a_bytes_url_and_positional_arguments_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[object, ...]] = []

    def fake_request(
        self: requests.Session, method: str, url: str, *args: object, **kwargs: object
    ) -> requests.Response:
        seen.append((url, args, kwargs.get("proxies")))
        return requests.Response()

    monkeypatch.setattr(requests.Session, "request", fake_request)
    session = build_session(None, pool_size=1, proxy=ProxyConfig(https_proxy="https://proxy.test.invalid:8443"))
    session.request("GET", b"https://graph.test.invalid/v1.0/x", {"$top": "1"})
    session.request("GET", "https://graph.test.invalid/v1.0/y")
    assert seen == [
        (b"https://graph.test.invalid/v1.0/x", ({"$top": "1"},), {"https": "https://proxy.test.invalid:8443"}),
        ("https://graph.test.invalid/v1.0/y", (), {"https": "https://proxy.test.invalid:8443"}),
    ]


def test_a_ca_bundle_that_is_not_ascii_or_absent_names_the_variable_file_and_reason(tmp_path: Path) -> None:
    # PEM is ASCII; a file that is not (a DER or UTF-16 file renamed .pem) is not read as text.
    missing = tmp_path / "missing.pem"
    with pytest.raises(ConfigurationError) as raised:
        build_session(str(missing), pool_size=1)
    assert str(raised.value) == f"ENPASS_CONSENT_CA_BUNDLE: cannot read {missing}: FileNotFoundError"
    odd = tmp_path / "odd.pem"
    odd.write_bytes("-----BEGIN CERTIFICATE-----\nprüfung\n-----END CERTIFICATE-----\n".encode())
    with pytest.raises(ConfigurationError) as raised:
        build_session(str(odd), pool_size=1)
    assert str(raised.value) == f"ENPASS_CONSENT_CA_BUNDLE: cannot read {odd}: UnicodeDecodeError"


def test_the_retry_budget() -> None:
    # Bounded: at most 6 retries of a request (3 on connect errors, 2 on read errors, 4 on
    # retryable statuses), none on other errors or redirects; backoff 0.5 s doubling up to 10 s,
    # with up to 0.5 s of jitter; a redirect answer is returned to the caller, never raised.
    retry = build_retry()
    assert (retry.total, retry.connect, retry.read, retry.status, retry.other, retry.redirect) == (6, 3, 2, 4, 0, 0)
    assert (retry.backoff_factor, retry.backoff_max, retry.backoff_jitter) == (0.5, 10, 0.5)
    assert retry.respect_retry_after_header is True and retry.raise_on_redirect is False


def test_a_pool_size_below_one_still_gets_one_connection() -> None:
    session = build_session(None, pool_size=0)
    try:
        assert session.get_adapter("https://example.invalid/")._pool_maxsize == 1  # type: ignore[attr-defined]
    finally:
        session.close()


def test_a_bundle_with_a_pem_marker_but_no_certificate_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigurationError, match=rf"^ENPASS_CONSENT_CA_BUNDLE: {broken} is not a valid PEM bundle \("):
        build_session(str(broken), pool_size=1)


def test_closing_after_the_combined_bundle_is_gone_is_quiet(emulator: Emulator) -> None:
    session = build_session(emulator.ca_bundle, pool_size=1)
    os.unlink(str(session.verify))
    session.close()
