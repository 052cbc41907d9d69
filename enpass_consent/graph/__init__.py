"""The one Microsoft Graph seam of the CLI: credentials, one HTTP session, tokens, paging, ``$batch``.

Commands use :class:`GraphFactory` once per run and one :class:`GraphClient` per tenant::

    with GraphFactory(os.environ, concurrency) as graph:
        client = graph.client(endpoints, tenant_id, stack_client_id)
        results = client.batch([BatchRequest("sp", "/servicePrincipals(appId='...')")])

Every failure is a :class:`GraphClientError` (tree in :mod:`.errors`) whose text holds no secret.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Resolved on first use: importing a light module of this package (errors, redact) must not pull in
# msal and requests, which every command would then pay for, `--help` included.
_HOMES = {
    "BatchRequest": "client",
    "BatchResult": "client",
    "GraphClient": "client",
    "Credential": "credentials",
    "resolve_credential": "credentials",
    "AuthError": "errors",
    "BadResponseError": "errors",
    "ConfigurationError": "errors",
    "GraphClientError": "errors",
    "GraphRequestError": "errors",
    "NotFoundError": "errors",
    "PermissionDeniedError": "errors",
    "ThrottledError": "errors",
    "TransportError": "errors",
    "UnauthorizedError": "errors",
    "GraphFactory": "factory",
    "scrub": "redact",
    "build_session": "session",
    "TokenProvider": "tokens",
    "TokenSource": "tokens",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


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
