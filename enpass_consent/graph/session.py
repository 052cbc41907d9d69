"""The one HTTP session every sign-in and Graph request goes through: TLS, pool, timeouts, retries.

msal gets the same session as its ``http_client``, so discovery and token requests are retried
here, below msal: msal replays a cached error response for the Retry-After period instead of
asking again (msal-python ``msal/throttled_http_client.py``: 429/5xx/Retry-After and 400 answers
to token POSTs are cached and replayed).
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
import weakref
from typing import Any

import certifi
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from enpass_consent.clouds import CA_BUNDLE_ENV
from enpass_consent.graph.errors import ConfigurationError
from enpass_consent.graph.proxy import ProxyConfig

Timeout = tuple[float, float]
"""(connect, read) seconds."""

DEFAULT_TIMEOUT: Timeout = (10.0, 60.0)
RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRY_AFTER_MAX_SECONDS = 60
"""A server asking for longer gets this; the bounded retries then give up and the tenant fails."""

_PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


def build_retry() -> Retry:
    """urllib3 retries for every request of the session.

    POST is retried too (``allowed_methods=None``): the token POST and ``$batch`` of GETs are safe
    to repeat, and this client never writes to a tenant. Retry-After is honoured up to
    :data:`RETRY_AFTER_MAX_SECONDS`; without one, a short exponential backoff applies. When the
    retries are spent the last response is returned (``raise_on_status=False``) and the caller
    maps it to a typed error.
    """
    return Retry(
        total=6,
        connect=3,
        read=2,
        status=4,
        other=0,
        redirect=0,
        allowed_methods=None,
        status_forcelist=RETRY_STATUSES,
        respect_retry_after_header=True,
        retry_after_max=RETRY_AFTER_MAX_SECONDS,
        backoff_factor=0.5,
        backoff_max=10,
        backoff_jitter=0.5,
        raise_on_status=False,
        raise_on_redirect=False,
    )


class GraphSession(requests.Session):
    """A ``requests.Session`` with a default timeout on every request, no redirects followed, and the
    proxy of :mod:`.proxy` chosen per URL.

    requests has no session-wide timeout; without one a stalled server blocks a worker forever.
    """

    def __init__(self, timeout: Timeout, proxy: ProxyConfig | None = None) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.proxy = proxy or ProxyConfig()
        self._cleanup: weakref.finalize[Any, Any] | None = None

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        # trust_env is off, so requests never reads *_PROXY itself: the proxy is chosen here, per URL.
        kwargs["proxies"] = self.proxy.requests_proxies(url if isinstance(url, str) else url.decode())
        # Never follow a redirect: requests would re-send a token POST's body (the client secret or
        # assertion) or a Graph request to whatever host the Location names. A 3xx is an error answer.
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)

    def close(self) -> None:
        super().close()
        if self._cleanup is not None:
            self._cleanup()


def build_session(
    ca_bundle: str | None,
    pool_size: int,
    timeout: Timeout = DEFAULT_TIMEOUT,
    *,
    retry: Retry | None = None,
    proxy: ProxyConfig | None = None,
) -> GraphSession:
    """A session for ``pool_size`` concurrent workers that trusts certifi's roots plus ``ca_bundle``.

    ``trust_env`` is off: this machine (and many CI runners) set ``REQUESTS_CA_BUNDLE``, which
    would silently replace ``verify``; ``HTTPS_PROXY``/``NO_PROXY`` are honoured through ``proxy``
    instead (read by :func:`.proxy.proxy_config`), which never proxies 127.0.0.1. Plain ``http://``
    has no adapter at all, so TLS can never be skipped, not even by a redirect. ``retry`` replaces
    :func:`build_retry` (tests use one without backoff).
    """
    session = GraphSession(timeout, proxy)
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=max(1, pool_size), max_retries=retry or build_retry())
    session.adapters.clear()
    session.mount("https://", adapter)
    if ca_bundle:
        combined = _combined_bundle(ca_bundle)
        session.verify = combined
        session._cleanup = weakref.finalize(session, _remove, combined)
    else:
        session.verify = certifi.where()
    return session


def _combined_bundle(extra_path: str) -> str:
    """A temporary PEM file with certifi's roots followed by the CAs in ``extra_path``.

    Extra CAs are trusted in addition to the public roots, not instead: a private Graph endpoint
    and the real login service may be used in the same run.
    """
    try:
        with open(extra_path, encoding="ascii") as handle:
            extra = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{CA_BUNDLE_ENV}: cannot read {extra_path}: {type(exc).__name__}") from None
    if _PEM_CERTIFICATE not in extra:
        raise ConfigurationError(f"{CA_BUNDLE_ENV}: {extra_path} holds no PEM certificate")
    with open(certifi.where(), encoding="ascii") as handle:
        public_roots = handle.read()
    descriptor, path = tempfile.mkstemp(prefix="enpass-consent-ca-", suffix=".pem")
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(public_roots.rstrip("\n") + "\n" + extra.strip("\n") + "\n")
    try:
        ssl.create_default_context(cafile=path)
    except ssl.SSLError as exc:
        _remove(path)
        raise ConfigurationError(f"{CA_BUNDLE_ENV}: {extra_path} is not a valid PEM bundle ({exc.reason})") from None
    return path


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
