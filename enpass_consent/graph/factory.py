"""Everything a multi-tenant run shares, built once: the HTTP session, the credentials, one person's sign-in.

``GraphFactory(environ, concurrency, command="audit").client(endpoints, tenant_id, stack_client_id,
stack="contoso")`` hands out one :class:`GraphClient` per tenant. The credential is resolved per
stack client id (the provider's rules depend on whether a client id exists, see
:mod:`.credentials`), once per run, and each new kind is logged. Token sources are kept per
(authority, client id, kind), so a tenant's token is requested once per run however many stacks
share it, and a device-code sign-in is shared by every tenant (:class:`~.tokens.SignIn`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from types import TracebackType

import msal
import requests
from urllib3.util.retry import Retry

from enpass_consent.clouds import CA_BUNDLE_ENV, Endpoints
from enpass_consent.graph import scopes
from enpass_consent.graph.azure_cli import AzureCliTokenSource, Runner
from enpass_consent.graph.client import GraphClient
from enpass_consent.graph.credentials import AzureCli, Credential, DeviceCode, ManagedIdentity, resolve_credential
from enpass_consent.graph.errors import ConfigurationError
from enpass_consent.graph.managed_identity import ManagedIdentityTokenSource, metadata_session
from enpass_consent.graph.proxy import proxy_config
from enpass_consent.graph.session import DEFAULT_TIMEOUT, GraphSession, Timeout, build_session
from enpass_consent.graph.tokens import ScopedTokenSource, SignIn, TokenProvider, TokenSource


class GraphFactory:
    """Shared session (pool size = ``concurrency``), credentials and sign-in for one CLI run.

    ``command`` picks the named delegated scopes a device-code sign-in asks for
    (:func:`.scopes.for_command`; every command's when None). App-only tokens (secret, certificate,
    OIDC) each get a cache of their own: msal searches a cache linearly under its lock on every
    miss, so a cache shared by N tenants costs O(N²) for a fleet; a person's sign-in shares one
    cache, whose refresh token signs them in to every other tenant.
    """

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        concurrency: int = 16,
        *,
        command: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        is_terminal: Callable[[], bool] | None = None,
        prompt: Callable[[str], None] | None = None,
        pause: Callable[[], AbstractContextManager[None]] | None = None,
        retry: Retry | None = None,
        log: Callable[[str], None] | None = None,
        which: Callable[[str, str | None], str | None] | None = None,
        run_az: Runner | None = None,
    ) -> None:
        self._environ = dict(os.environ if environ is None else environ)
        self._is_terminal = is_terminal
        self._which = which
        self._run_az = run_az
        self._log = log
        self._retry = retry
        self._timeout = timeout
        self.delegated_scopes = scopes.for_command(command) if command else scopes.every_scope()
        self.session: GraphSession = build_session(
            self._environ.get(CA_BUNDLE_ENV) or None,
            concurrency,
            timeout,
            retry=retry,
            proxy=proxy_config(self._environ),
        )
        self.sign_in = SignIn(prompt=prompt, pause=pause)
        self._credentials: dict[tuple[str, str], Credential] = {}
        self._sources: dict[tuple[str, str, str], TokenSource] = {}
        self._logged: set[str] = set()
        self._metadata_session: requests.Session | None = None
        self._lock = threading.Lock()

    @property
    def token_cache(self) -> msal.SerializableTokenCache:
        """The cache a person's sign-in shares across tenants."""
        return self.sign_in.token_cache

    def credential_for(self, stack_client_id: str | None = None, tenant_id: str | None = None) -> Credential:
        """The credential for a stack (resolved once per client id and tenant). Raises ``ConfigurationError``."""
        key = ((stack_client_id or "").lower(), (tenant_id or "").lower())
        with self._lock:
            credential = self._credentials.get(key)
            if credential is None:
                options: dict[str, object] = {}
                if self._is_terminal is not None:
                    options["is_terminal"] = self._is_terminal
                if self._which is not None:
                    options["which"] = self._which
                credential = resolve_credential(
                    self._environ,
                    stack_client_id=stack_client_id,
                    tenant_id=tenant_id,
                    **options,  # type: ignore[arg-type]
                )
                self._credentials[key] = credential
                self._note(credential)
            return credential

    @property
    def credential(self) -> Credential:
        """The credential the environment alone describes (no stack client id)."""
        return self.credential_for()

    def _note(self, credential: Credential) -> None:
        line = f"signing in with {credential.describe()}"
        if self._log is not None and line not in self._logged:
            self._logged.add(line)
            self._log(line)

    def announce(self) -> None:
        """Log (through ``log``) which kind signs in when no stack says otherwise, or why none can."""
        try:
            self.credential_for()
        except ConfigurationError as exc:
            if self._log is not None:
                self._log(str(exc))

    def credential_note(self) -> str:
        """One line for stderr: which kind of credential signs in (never its value), or why none can."""
        try:
            return f"signing in with {self.credential.describe()}"
        except ConfigurationError as exc:
            return str(exc)

    def token_provider(
        self, endpoints: Endpoints, tenant_id: str, stack_client_id: str | None = None, *, stack: str | None = None
    ) -> TokenSource:
        """The token source for a stack's tenant; ``stack`` is named when the person must sign in."""
        credential = self.credential_for(stack_client_id, tenant_id)
        key = (endpoints.authority(tenant_id).lower(), (credential.client_id or "").lower(), credential.kind)
        with self._lock:
            source = self._sources.get(key)
            if source is None:
                source = self._source(credential, endpoints, tenant_id)
                self._sources[key] = source
            if stack and isinstance(source, TokenProvider) and stack not in source.stacks:
                source.stacks.append(stack)
            return source

    def _source(self, credential: Credential, endpoints: Endpoints, tenant_id: str) -> TokenSource:
        resource = endpoints.cloud.graph_root
        if isinstance(credential, AzureCli):
            options = {"run": self._run_az} if self._run_az is not None else {}
            return AzureCliTokenSource(credential, tenant_id, resource, self._environ, **options)  # type: ignore[arg-type]
        if isinstance(credential, ManagedIdentity):
            if self._metadata_session is None:
                verify = self.session.verify if self.session.verify is not None else True
                self._metadata_session = metadata_session(verify, self._retry)
            return ManagedIdentityTokenSource(
                credential, tenant_id, resource, self._metadata_session, timeout=self._timeout
            )
        assert credential.client_id is not None
        return TokenProvider(
            endpoints=endpoints,
            tenant_id=tenant_id,
            client_id=credential.client_id,
            credential=credential,
            session=self.session,
            sign_in=self.sign_in if isinstance(credential, DeviceCode) else None,
            delegated_scopes=self.delegated_scopes,
        )

    def client(
        self, endpoints: Endpoints, tenant_id: str, stack_client_id: str | None = None, *, stack: str | None = None
    ) -> GraphClient:
        """A Graph client for one stack's tenant. Raises ``ConfigurationError`` for unusable credentials."""
        return GraphClient(
            endpoints, tenant_id, self.token_provider(endpoints, tenant_id, stack_client_id, stack=stack), self.session
        )

    def audit_log_client(self, client: GraphClient) -> GraphClient:
        """A client for the directory audit log of ``client``'s tenant (``--attribution``).

        An app's credential, managed identity or the Azure CLI: the same token (its permissions decide;
        a 403 makes attribution ``unavailable``). A person's sign-in: a token for the audit log's
        delegated scopes acquired silently, so the command's named scopes, and the consent they need,
        do not grow (:func:`.scopes.attribution_scopes`).
        """
        source = client.token_source
        if isinstance(source, TokenProvider) and source.public:
            return client.with_token_source(ScopedTokenSource(source, scopes.attribution_scopes()))
        return client

    def close(self) -> None:
        self.session.close()
        if self._metadata_session is not None:
            self._metadata_session.close()

    def __enter__(self) -> GraphFactory:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
