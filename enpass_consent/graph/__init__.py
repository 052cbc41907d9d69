"""The one Microsoft Graph seam of the CLI: credentials, one HTTP session, tokens, paging, ``$batch``.

Commands use :class:`GraphFactory` once per run and one :class:`GraphClient` per tenant::

    with GraphFactory(os.environ, concurrency) as graph:
        client = graph.client(endpoints, tenant_id, stack_client_id)
        results = client.batch([BatchRequest("sp", "/servicePrincipals(appId='...')")])

Every failure is a :class:`GraphClientError` (tree in :mod:`.errors`) whose text holds no secret.
"""

from __future__ import annotations

from enpass_consent.graph.client import BatchRequest, BatchResult, GraphClient
from enpass_consent.graph.credentials import Credential, resolve_credential
from enpass_consent.graph.errors import (
    AuthError,
    BadResponseError,
    ConfigurationError,
    GraphClientError,
    GraphRequestError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
    TransportError,
    UnauthorizedError,
)
from enpass_consent.graph.factory import GraphFactory
from enpass_consent.graph.redact import scrub
from enpass_consent.graph.session import build_session
from enpass_consent.graph.tokens import TokenProvider, TokenSource

__all__ = [
    "AuthError",
    "BadResponseError",
    "BatchRequest",
    "BatchResult",
    "ConfigurationError",
    "Credential",
    "GraphClient",
    "GraphClientError",
    "GraphFactory",
    "GraphRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "ThrottledError",
    "TokenProvider",
    "TokenSource",
    "TransportError",
    "UnauthorizedError",
    "build_session",
    "resolve_credential",
    "scrub",
]
