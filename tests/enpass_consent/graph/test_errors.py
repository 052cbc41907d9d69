from __future__ import annotations

import pytest

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
    error_for_status,
    safe_path,
)
from enpass_consent.graph.redact import register_secret

SECRET = "fake-secret-registered-late-0001"
JWT = "eyJhbGciOiJub25lIn0.eyJmYWtlIjoiand0In0.fakesig"


def all_errors(text: str) -> list[GraphClientError]:
    return [
        GraphClientError(text),
        ConfigurationError(text),
        AuthError(text, error_code="invalid_client", description=text),
        TransportError(text),
        ThrottledError(text, path="/x"),
        BadResponseError(text),
        GraphRequestError(500, code="x", message=text, path="/x"),
        UnauthorizedError(401, code="InvalidAuthenticationToken", message=text, path="/x"),
        PermissionDeniedError(403, code="Authorization_RequestDenied", message=text, path="/x"),
        NotFoundError(404, code="Request_ResourceNotFound", message=text, path="/x"),
    ]


@pytest.mark.parametrize("error", all_errors(f"boom Bearer {JWT} client_secret=not-real-123 {SECRET}"))
def test_no_secret_in_str_repr_or_args(error: GraphClientError) -> None:
    register_secret(SECRET)  # registered after the error was made: rendering still removes it
    for rendered in (str(error), repr(error), " ".join(map(str, error.args))):
        assert JWT not in rendered
        assert "eyJ" not in rendered
        assert "not-real-123" not in rendered
        assert SECRET not in rendered


def test_tree() -> None:
    assert issubclass(PermissionDeniedError, GraphRequestError)
    assert issubclass(NotFoundError, GraphRequestError)
    for cls in (AuthError, ThrottledError, GraphRequestError, BadResponseError, ConfigurationError, TransportError):
        assert issubclass(cls, GraphClientError)


def test_request_error_fields_and_message() -> None:
    error = PermissionDeniedError(
        403, code="Authorization_RequestDenied", message="Insufficient privileges", path="/v1.0/x"
    )
    assert (error.status, error.code, error.path) == (403, "Authorization_RequestDenied", "/v1.0/x")
    assert str(error) == "Graph returned 403 for /v1.0/x (Authorization_RequestDenied: Insufficient privileges)"


def test_safe_path_drops_host_and_query() -> None:
    assert safe_path("https://127.0.0.1:8443/v1.0/servicePrincipals?$skiptoken=opaque") == "/v1.0/servicePrincipals"


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(401, UnauthorizedError), (403, PermissionDeniedError), (404, NotFoundError), (400, GraphRequestError)],
)
def test_error_for_status_maps_the_status_and_reads_graphs_error_body(
    status: int, error_class: type[GraphRequestError]
) -> None:
    error = error_for_status(status, {"error": {"code": "SomeCode", "message": "Some text."}}, "/x")
    assert type(error) is error_class
    assert (error.status, error.code, error.graph_message, error.path) == (status, "SomeCode", "Some text.", "/x")
    assert str(error) == f"Graph returned {status} for /x (SomeCode: Some text.)"


@pytest.mark.parametrize("body", [None, "text", [], {"error": "x"}, {"error": {"code": 7, "message": None}}])
def test_error_for_status_tolerates_any_other_body(body: object) -> None:
    error = error_for_status(403, body, "$batch item sp")
    assert (error.code, error.graph_message) == (None, None)
    assert str(error) == "Graph returned 403 for $batch item sp"
