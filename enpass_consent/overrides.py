"""The ``ENPASS_CONSENT_*`` environment variables, checked once before any stack is touched.

They redirect sign-in and Graph (tests, the sandbox, private endpoints) and choose the public client
of a device-code sign-in. A variable that is set must be usable: set but empty is an error too,
because silently falling back to the real Microsoft endpoints (or to the default client) is never
what someone who set it meant; a CI variable that expanded to nothing looks exactly like that.
"""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Mapping
from urllib.parse import urlsplit

from enpass_consent import catalog, clouds
from enpass_consent.graph.credentials import PUBLIC_CLIENT_ID as PUBLIC_CLIENT_ID_ENV

_PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"


class OverrideError(ValueError):
    """An ``ENPASS_CONSENT_*`` variable is set to something unusable; the message names it and its value."""


def check(environ: Mapping[str, str]) -> None:
    """Raise :class:`OverrideError` for the first unusable ``ENPASS_CONSENT_*`` variable of ``environ``."""
    for name in (clouds.AUTHORITY_HOST_ENV, clouds.GRAPH_URL_ENV):
        if name in environ:
            _https_url(name, environ[name])
    if clouds.CA_BUNDLE_ENV in environ:
        _ca_bundle(environ[clouds.CA_BUNDLE_ENV])
    if PUBLIC_CLIENT_ID_ENV in environ:
        _public_client_id(environ[PUBLIC_CLIENT_ID_ENV])


def _unset_hint(name: str) -> str:
    return f"{name} is set but empty; unset it to use the default"


def _https_url(name: str, value: str) -> None:
    if not value.strip():
        raise OverrideError(_unset_hint(name))
    try:
        parts = urlsplit(value.strip())
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = urlsplit("")
    if parts.scheme != "https" or not parts.hostname or not port_ok or parts.query or parts.fragment:
        raise OverrideError(
            f"{name} must be an https:// URL with a host, such as https://127.0.0.1:8443 "
            f"(got {value!r}); TLS is never turned off"
        )


def _ca_bundle(path: str) -> None:
    name = clouds.CA_BUNDLE_ENV
    if not path.strip():
        raise OverrideError(_unset_hint(name))
    try:
        with open(path, encoding="ascii") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise OverrideError(f"{name}: {path} is not a PEM file (it holds non-text bytes)") from None
    except OSError as exc:
        raise OverrideError(f"{name}: cannot read {path} ({exc.strerror or type(exc).__name__})") from None
    if _PEM_CERTIFICATE not in text:
        raise OverrideError(f"{name}: {path} holds no PEM certificate ('{_PEM_CERTIFICATE}')")
    try:
        ssl.create_default_context(cadata=text)
    except (ssl.SSLError, ValueError) as exc:
        raise OverrideError(f"{name}: {path} is not a valid PEM bundle ({exc})") from None


def _public_client_id(value: str) -> None:
    name = PUBLIC_CLIENT_ID_ENV
    if not value.strip():
        raise OverrideError(_unset_hint(name))
    try:
        client_id = str(uuid.UUID(value.strip()))
    except ValueError:
        raise OverrideError(f"{name} must be an application (client) id, a GUID (got {value!r})") from None
    if client_id == catalog.ENPASS_APP_ID:
        # Signing administrators in as Enpass would make Enpass's own app the holder of their tokens.
        raise OverrideError(
            f"{name} must be a public client of your own (or unset for Microsoft Graph Command Line Tools), "
            "never Enpass's application id"
        )
