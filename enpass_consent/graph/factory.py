"""Everything a multi-tenant run shares, built once: the HTTP session, the credential, the user sign-in cache.

``GraphFactory(environ, concurrency).client(endpoints, tenant_id, stack_client_id)`` hands out one
:class:`GraphClient` per tenant; clients for the same (authority, client id) share one msal
application (and its token cache), so a tenant's token is requested once per run however many
times it is asked for.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from types import TracebackType

import msal
from urllib3.util.retry import Retry

from enpass_consent.clouds import CA_BUNDLE_ENV, Endpoints
from enpass_consent.graph.client import GraphClient
from enpass_consent.graph.credentials import Credential, resolve_credential
from enpass_consent.graph.errors import ConfigurationError
from enpass_consent.graph.session import DEFAULT_TIMEOUT, GraphSession, Timeout, build_session
from enpass_consent.graph.tokens import TokenProvider


class GraphFactory:
    """Shared session (pool size = ``concurrency``), token cache and credential for one CLI run.

    The shared ``token_cache`` serves sign-ins as a user (device code): its refresh token signs the
    user in to every other tenant. App-only tokens (secret, certificate, OIDC) are per tenant and
    client, which one msal application per (authority, client id) caches already; each such provider
    gets a cache of its own, because msal searches a cache linearly under its lock on every miss, so a
    cache shared by N tenants costs O(N²) for a fleet.
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        concurrency: int = 16,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        is_terminal: Callable[[], bool] | None = None,
        prompt: Callable[[str], None] | None = None,
        retry: Retry | None = None,
    ) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self._is_terminal = is_terminal
        self._prompt = prompt
        self.session: GraphSession = build_session(
            self._environ.get(CA_BUNDLE_ENV) or None, concurrency, timeout, retry=retry
        )
        self.token_cache = msal.SerializableTokenCache()
        self._credential: Credential | None = None
        self._providers: dict[tuple[str, str], TokenProvider] = {}
        self._lock = threading.Lock()
        self._interactive_lock = threading.Lock()

    @property
    def credential(self) -> Credential:
        """The credential the environment describes (resolved once). Raises ``ConfigurationError``."""
        with self._lock:
            if self._credential is None:
                if self._is_terminal is None:
                    self._credential = resolve_credential(self._environ)
                else:
                    self._credential = resolve_credential(self._environ, is_terminal=self._is_terminal)
            return self._credential

    def credential_note(self) -> str:
        """One line for stderr: which kind of credential signs in (never its value), or why none can."""
        try:
            return f"signing in with {self.credential.label}"
        except ConfigurationError as exc:
            return str(exc)

    def token_provider(self, endpoints: Endpoints, tenant_id: str, stack_client_id: str | None = None) -> TokenProvider:
        """The token provider for ``tenant_id``; the client id is ``stack_client_id``, else ``ARM_CLIENT_ID``."""
        credential = self.credential
        client_id = credential.client_id(stack_client_id)
        key = (endpoints.authority(tenant_id), client_id)
        with self._lock:
            provider = self._providers.get(key)
            if provider is None:
                provider = TokenProvider(
                    endpoints=endpoints,
                    tenant_id=tenant_id,
                    client_id=client_id,
                    credential=credential,
                    session=self.session,
                    token_cache=self.token_cache if credential.public else msal.SerializableTokenCache(),
                    interactive_lock=self._interactive_lock,
                    prompt=self._prompt,
                    client_id_source=credential.client_id_source(stack_client_id),
                )
                self._providers[key] = provider
            return provider

    def client(self, endpoints: Endpoints, tenant_id: str, stack_client_id: str | None = None) -> GraphClient:
        """A Graph client for one stack's tenant. Raises ``ConfigurationError`` for unusable credentials."""
        return GraphClient(
            endpoints, tenant_id, self.token_provider(endpoints, tenant_id, stack_client_id), self.session
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> GraphFactory:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
