"""Typed errors of the Graph client seam. Every message is scrubbed (see :mod:`.redact`).

::

    GraphClientError                      base: anything the CLI reports for one tenant as ``error``
    ├── ConfigurationError                credentials, client id or CA bundle missing or unusable
    ├── AuthError                         token acquisition failed (msal error code + description)
    ├── TransportError                    no HTTP answer (connection, TLS, timeout) after retries
    ├── ThrottledError                    still 429/503 after bounded retries
    ├── BadResponseError                  malformed JSON or an unexpected shape
    └── GraphRequestError                 Graph answered with an error status
        ├── UnauthorizedError             401
        ├── PermissionDeniedError         403 (preflight turns it into a failed check)
        └── NotFoundError                 404

No message, ``str`` or ``repr`` holds an access token, client secret, certificate, assertion or
password: the message is scrubbed when the error is made and again whenever it is rendered, so a
secret registered later (a token received after the error was built) is removed as well. Errors
wrapping a library exception are raised ``from None`` with the cause's scrubbed text in the
message, so a printed traceback carries no unscrubbed text either.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from enpass_consent.graph.redact import scrub

_MAX_DETAIL = 500


def safe_path(url: str) -> str:
    """The path of ``url`` without scheme, host, query or fragment (query strings may carry tokens)."""
    return urlsplit(url).path or "/"


def shorten(text: str, limit: int = _MAX_DETAIL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class GraphClientError(Exception):
    """Base of every error the Graph seam raises."""

    def __init__(self, message: str) -> None:
        self._message = scrub(message)
        super().__init__(self._message)

    @property
    def args(self) -> tuple[str]:
        return (str(self),)

    @args.setter
    def args(self, value: object) -> None:
        # BaseException.__init__ sets args; the message is kept (scrubbed) in _message instead.
        pass

    def __str__(self) -> str:
        return scrub(self._message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigurationError(GraphClientError):
    """The environment does not describe a usable credential, client id or CA bundle."""


class AuthError(GraphClientError):
    """Entra refused or failed to issue a token."""

    def __init__(self, message: str, *, error_code: str | None = None, description: str | None = None) -> None:
        self.error_code = error_code
        self.description = scrub(shorten(description)) if description else None
        detail = ": ".join(part for part in (error_code, self.description) if part)
        super().__init__(f"{message} ({detail})" if detail else message)


class ConsentRequiredError(AuthError):
    """A silent token request for named delegated scopes the sign-in client has no consent to in that tenant.

    Entra answers ``invalid_grant`` with AADSTS65001 (``consent_required``) when a refresh token is
    redeemed for scopes nobody consented to for the client
    (https://learn.microsoft.com/entra/identity-platform/reference-error-codes: DelegationDoesNotExist).
    """

    def __init__(
        self, message: str, *, client_id: str, scopes: tuple[str, ...], description: str | None = None
    ) -> None:
        self.client_id = client_id
        self.scopes = scopes
        super().__init__(message, error_code="consent_required", description=description)


class TransportError(GraphClientError):
    """The request got no HTTP response (connection refused, TLS failure, timeout) after retries."""


class ThrottledError(GraphClientError):
    """Graph (or Entra) still answered 429/503 after the bounded retries."""

    def __init__(self, message: str, *, path: str | None = None, retry_after: float | None = None) -> None:
        self.path = path
        self.retry_after = retry_after
        super().__init__(message)


class BadResponseError(GraphClientError):
    """The response was not JSON, or not the shape Graph documents."""


class GraphRequestError(GraphClientError):
    """Graph answered with an error status.

    ``path`` is the request path only; the query string is left out because a ``$skiptoken`` or
    a ``nextLink`` may carry opaque state that is nobody's business in a report.
    """

    def __init__(self, status: int, *, code: str | None, message: str | None, path: str) -> None:
        self.status = status
        self.code = code
        self.graph_message = scrub(shorten(message)) if message else None
        self.path = path
        detail = ": ".join(part for part in (code, self.graph_message) if part)
        super().__init__(f"Graph returned {status} for {path}" + (f" ({detail})" if detail else ""))


class UnauthorizedError(GraphRequestError):
    """401: the token was refused (wrong audience, expired, or the app is disabled in the tenant)."""


class PermissionDeniedError(GraphRequestError):
    """403: the signed-in identity lacks a permission or role for this request."""


class NotFoundError(GraphRequestError):
    """404: the object does not exist (or is not replicated yet: Entra is eventually consistent)."""


_ERRORS_BY_STATUS: dict[int, type[GraphRequestError]] = {
    401: UnauthorizedError,
    403: PermissionDeniedError,
    404: NotFoundError,
}


def error_for_status(status: int, body: object, path: str) -> GraphRequestError:
    """The typed error for Graph's answer ``status`` with the parsed JSON ``body`` (``None`` when it had none).

    The one mapping for whole requests and ``$batch`` items alike: a 403 is a
    :class:`PermissionDeniedError` wherever it comes from.
    """
    code, message = _graph_error(body)
    return _ERRORS_BY_STATUS.get(status, GraphRequestError)(status, code=code, message=message, path=path)


def _graph_error(body: object) -> tuple[str | None, str | None]:
    """Graph's ``{"error": {"code", "message"}}``, tolerating any other body."""
    error = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(error, Mapping):
        return None, None
    code, message = error.get("code"), error.get("message")
    return (code if isinstance(code, str) else None), (message if isinstance(message, str) else None)
