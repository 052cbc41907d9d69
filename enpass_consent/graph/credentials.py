"""Which identity signs in, read from the same environment variables the azuread provider reads.

Order of precedence (docs/reference.md#credentials), the first that applies wins:

1. ``ARM_CLIENT_CERTIFICATE_PATH`` (+ ``ARM_CLIENT_CERTIFICATE_PASSWORD``): PFX/PKCS#12, or PEM
   holding the private key and the certificate.
2. ``ARM_CLIENT_SECRET``.
3. ``ARM_OIDC_TOKEN``: a federated assertion given verbatim.
4. ``ARM_OIDC_TOKEN_FILE_PATH``: re-read on every token request (the file is rotated under us).
5. ``ARM_USE_OIDC=true`` with Azure DevOps (``ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID``,
   ``SYSTEM_ACCESSTOKEN``, ``SYSTEM_OIDCREQUESTURI``) when a service connection is named, else
   GitHub Actions (``ACTIONS_ID_TOKEN_REQUEST_URL``, ``ACTIONS_ID_TOKEN_REQUEST_TOKEN``).
6. Nothing set: device-code sign-in when stdin and stderr are terminals and ``CI`` is unset,
   with ``ENPASS_CONSENT_PUBLIC_CLIENT_ID`` or Microsoft Graph Command Line Tools.

1-5 are confidential clients: the client id is the stack's ``azuread:clientId``, else
``ARM_CLIENT_ID``. OIDC assertions are fetched whenever msal actually requests a token, so a long
run never presents an expired one. Every secret value is registered for scrubbing as soon as it is
read; ``kind`` is what may be logged, never a value.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from enpass_consent import catalog
from enpass_consent.graph.errors import AuthError, ConfigurationError, TransportError, safe_path
from enpass_consent.graph.redact import register_secret

CLIENT_ID = "ARM_CLIENT_ID"
CERTIFICATE_PATH = "ARM_CLIENT_CERTIFICATE_PATH"
CERTIFICATE_PASSWORD = "ARM_CLIENT_CERTIFICATE_PASSWORD"
CLIENT_SECRET = "ARM_CLIENT_SECRET"
OIDC_TOKEN = "ARM_OIDC_TOKEN"
OIDC_TOKEN_FILE_PATH = "ARM_OIDC_TOKEN_FILE_PATH"
USE_OIDC = "ARM_USE_OIDC"
GITHUB_REQUEST_URL = "ACTIONS_ID_TOKEN_REQUEST_URL"
GITHUB_REQUEST_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
ADO_SERVICE_CONNECTION_ID = "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"
ADO_ACCESS_TOKEN = "SYSTEM_ACCESSTOKEN"
ADO_OIDC_REQUEST_URI = "SYSTEM_OIDCREQUESTURI"
PUBLIC_CLIENT_ID = "ENPASS_CONSENT_PUBLIC_CLIENT_ID"
CI = "CI"

# The audience Entra expects in a federated assertion (workload identity federation).
FEDERATION_AUDIENCE = "api://AzureADTokenExchange"
ADO_OIDC_API_VERSION = "7.1"

MsalCredential = str | dict[str, Any]
"""What ``msal.ConfidentialClientApplication(client_credential=...)`` accepts."""


@dataclass(frozen=True)
class Credential:
    """One way to sign in. ``kind`` is safe to log; secret fields never appear in ``repr``."""

    kind: str
    public: bool = False
    """True for device-code sign-in (a public client), False for an app's own credential."""
    default_client_id: str | None = None
    """``ARM_CLIENT_ID`` for confidential credentials; the public client id for device code."""
    variables: str = ""
    """The environment variables this credential was read from, for messages (never their values)."""

    @property
    def label(self) -> str:
        """``kind`` with the variables behind it, so an error names what to fix."""
        return f"{self.kind} ({self.variables})" if self.variables else self.kind

    def client_id_source(self, stack_client_id: str | None) -> str:
        """Where :meth:`client_id` takes the client id from, for messages."""
        if self.public:
            return PUBLIC_CLIENT_ID if self.default_client_id else "Microsoft Graph Command Line Tools"
        return "azuread:clientId" if stack_client_id else CLIENT_ID

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        """``client_credential`` for msal; assertions are fetched through ``session`` per token request."""
        raise NotImplementedError(f"{self.kind} has no confidential client credential")

    def client_id(self, stack_client_id: str | None) -> str:
        """The client id to sign in with for a stack whose ``azuread:clientId`` is ``stack_client_id``."""
        if self.public:
            # The stack's client id names its deploying app, which has no public-client sign-in.
            return self.default_client_id or catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID
        client_id = stack_client_id or self.default_client_id
        if not client_id:
            raise ConfigurationError(
                f"{self.kind} sign-in needs a client id: set azuread:clientId in the stack file or {CLIENT_ID}"
            )
        if not stack_client_id and not _is_guid(client_id):
            # The stack's own client id is a GUID already (the settings parser checks it).
            raise ConfigurationError(f"{CLIENT_ID} must be an application (client) id, a GUID (got {client_id!r})")
        return client_id


def _is_guid(value: str) -> bool:
    try:
        return len(value) == 36 and bool(uuid.UUID(value))
    except ValueError:
        return False


@dataclass(frozen=True)
class ClientCertificate(Credential):
    path: str = ""
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        register_secret(self.password)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        try:
            with open(self.path, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise ConfigurationError(f"{CERTIFICATE_PATH}: cannot read {self.path}: {type(exc).__name__}") from None
        if b"-----BEGIN" not in content:
            # PKCS#12, the format the azuread provider documents. public_certificate=True sends the
            # chain (x5c), which subject-name/issuer authentication needs and others ignore.
            _check_pkcs12(self.path, content, self.password)
            pfx: dict[str, Any] = {"private_key_pfx_path": self.path, "public_certificate": True}
            if self.password:
                pfx["passphrase"] = self.password
            return pfx
        text = content.decode("ascii", errors="replace")
        key = _pem_blocks(text, "PRIVATE KEY")
        certificate = _pem_blocks(text, "CERTIFICATE")
        if not key or not certificate:
            raise ConfigurationError(
                f"{CERTIFICATE_PATH}: {self.path} is PEM but lacks a private key or a certificate (it needs both)"
            )
        register_secret(key)
        pem: dict[str, Any] = {"private_key": key, "public_certificate": certificate}
        if self.password:
            pem["passphrase"] = self.password
        return pem


def _check_pkcs12(path: str, content: bytes, password: str | None) -> None:
    """Open the PFX as msal will (msal-python ``application.py`` loads it with cryptography's pkcs12),
    so a wrong file or password is an error naming the variables instead of msal's bare ValueError."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(content, password.encode() if password else None)
    except (ValueError, TypeError):
        hint = f" that {CERTIFICATE_PASSWORD} opens" if password else f" (set {CERTIFICATE_PASSWORD} if it has one)"
        raise ConfigurationError(
            f"{CERTIFICATE_PATH}: {path} is neither PEM with a private key and a certificate nor a PKCS#12 (PFX) "
            f"file{hint}"
        ) from None
    if key is None or certificate is None:
        raise ConfigurationError(f"{CERTIFICATE_PATH}: {path} lacks a private key or a certificate (it needs both)")


@dataclass(frozen=True)
class ClientSecret(Credential):
    secret: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        register_secret(self.secret)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        return self.secret


@dataclass(frozen=True)
class OidcToken(Credential):
    token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        register_secret(self.token)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        token = self.token
        # A callable: msal deprecates a static assertion string.
        return {"client_assertion": lambda: token}


@dataclass(frozen=True)
class OidcTokenFile(Credential):
    path: str = ""

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        return {"client_assertion": self.read}

    def read(self) -> str:
        try:
            with open(self.path, encoding="utf-8") as handle:
                token = handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise AuthError(f"cannot read {OIDC_TOKEN_FILE_PATH} {self.path}: {type(exc).__name__}") from None
        if not token:
            raise AuthError(f"{OIDC_TOKEN_FILE_PATH} {self.path} is empty")
        register_secret(token)  # a rotated assertion is as secret as the first one
        return token


@dataclass(frozen=True)
class GitHubOidc(Credential):
    request_url: str = field(default="", repr=False)
    request_token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        register_secret(self.request_token)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        return {"client_assertion": lambda: self.fetch(session)}

    def fetch(self, session: requests.Session) -> str:
        separator = "&" if "?" in self.request_url else "?"
        url = f"{self.request_url}{separator}audience={quote(FEDERATION_AUDIENCE, safe='')}"
        headers = {"Authorization": f"bearer {self.request_token}", "Accept": "application/json"}
        return _fetch_assertion(session, "GET", url, headers, "value", self.kind)


@dataclass(frozen=True)
class AzureDevOpsOidc(Credential):
    service_connection_id: str = ""
    request_uri: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        register_secret(self.access_token)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        return {"client_assertion": lambda: self.fetch(session)}

    def fetch(self, session: requests.Session) -> str:
        # As the Azure Pipelines tasks call it: POST {SYSTEM_OIDCREQUESTURI}?api-version=7.1
        # &serviceConnectionId={id} with the job's access token -> {"oidcToken": jwt}.
        url = (
            f"{self.request_uri}?api-version={ADO_OIDC_API_VERSION}"
            f"&serviceConnectionId={quote(self.service_connection_id, safe='')}"
        )
        headers = {
            "Authorization": f"Bearer {self.access_token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        return _fetch_assertion(session, "POST", url, headers, "oidcToken", self.kind)


def _fetch_assertion(
    session: requests.Session, method: str, url: str, headers: dict[str, str], key: str, kind: str
) -> str:
    try:
        response = session.request(method, url, headers=headers)
    except requests.RequestException as exc:
        raise TransportError(f"{kind}: no answer from {safe_path(url)}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise AuthError(f"{kind}: the CI token service returned {response.status_code} for {safe_path(url)}")
    try:
        body = json.loads(response.text)
    except ValueError:
        raise AuthError(f"{kind}: the CI token service answered with something other than JSON") from None
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise AuthError(f"{kind}: the CI token service's answer has no {key!r}")
    register_secret(value)
    return value


def _pem_blocks(text: str, label_suffix: str) -> str:
    """Every PEM block whose label ends with ``label_suffix`` (``PRIVATE KEY`` matches ``RSA PRIVATE KEY``)."""
    blocks: list[str] = []
    begin = "-----BEGIN "
    position = 0
    while (start := text.find(begin, position)) != -1:
        label_end = text.find("-----", start + len(begin))
        if label_end == -1:
            break
        label = text[start + len(begin) : label_end]
        end_marker = f"-----END {label}-----"
        end = text.find(end_marker, label_end)
        if end == -1:
            break
        position = end + len(end_marker)
        if label.endswith(label_suffix):
            blocks.append(text[start:position])
    return "\n".join(blocks)


def _default_is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "t", "true", "yes"}


def resolve_credential(
    environ: Mapping[str, str], *, is_terminal: Callable[[], bool] = _default_is_terminal
) -> Credential:
    """The credential ``environ`` describes, by the precedence in the module docstring.

    Raises :class:`ConfigurationError` naming the variables to set when nothing usable is set.
    """

    def get(name: str) -> str | None:
        # Empty counts as unset, as in the provider (terraform-plugin-sdk helper/schema/schema.go, EnvDefaultFunc).
        value = environ.get(name, "").strip()
        return value or None

    client_id = get(CLIENT_ID)
    if certificate_path := get(CERTIFICATE_PATH):
        password = environ.get(CERTIFICATE_PASSWORD) or None
        return ClientCertificate(
            "client certificate",
            default_client_id=client_id,
            variables=f"{CERTIFICATE_PATH}, {CERTIFICATE_PASSWORD}" if password else CERTIFICATE_PATH,
            path=certificate_path,
            password=password,
        )
    if secret := get(CLIENT_SECRET):
        return ClientSecret("client secret", default_client_id=client_id, variables=CLIENT_SECRET, secret=secret)
    if token := get(OIDC_TOKEN):
        return OidcToken("OIDC token", default_client_id=client_id, variables=OIDC_TOKEN, token=token)
    if token_path := get(OIDC_TOKEN_FILE_PATH):
        return OidcTokenFile(
            "OIDC token file", default_client_id=client_id, variables=OIDC_TOKEN_FILE_PATH, path=token_path
        )
    if _truthy(environ.get(USE_OIDC)):
        return _ci_oidc(get, client_id)
    if is_terminal() and not get(CI):
        public_client_id = get(PUBLIC_CLIENT_ID)
        if public_client_id and public_client_id.strip().lower() == catalog.ENPASS_APP_ID:
            # Signing administrators in as Enpass would make Enpass's own app the holder of their tokens.
            raise ConfigurationError(
                f"{PUBLIC_CLIENT_ID} must be a public client of your own (or unset for Microsoft Graph Command "
                "Line Tools), never Enpass's application id"
            )
        return Credential("device code", public=True, default_client_id=public_client_id)
    raise ConfigurationError(
        "no credentials: set ARM_CLIENT_ID with one of ARM_CLIENT_CERTIFICATE_PATH, ARM_CLIENT_SECRET, "
        "ARM_OIDC_TOKEN, ARM_OIDC_TOKEN_FILE_PATH, or ARM_USE_OIDC=true in GitHub Actions "
        "(with the job's id-token permission set to write) or Azure DevOps "
        "(ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID, SYSTEM_ACCESSTOKEN); "
        "or run in a terminal without CI set to sign in with a device code"
    )


def _ci_oidc(get: Callable[[str], str | None], client_id: str | None) -> Credential:
    if connection_id := get(ADO_SERVICE_CONNECTION_ID):
        missing = [name for name in (ADO_ACCESS_TOKEN, ADO_OIDC_REQUEST_URI) if not get(name)]
        if missing:
            raise ConfigurationError(
                f"{USE_OIDC}=true with {ADO_SERVICE_CONNECTION_ID} needs {' and '.join(missing)} "
                "(map System.AccessToken into the step's env)"
            )
        access_token = get(ADO_ACCESS_TOKEN) or ""
        return AzureDevOpsOidc(
            "Azure DevOps OIDC",
            default_client_id=client_id,
            variables=f"{USE_OIDC}, {ADO_SERVICE_CONNECTION_ID}",
            service_connection_id=connection_id,
            request_uri=get(ADO_OIDC_REQUEST_URI) or "",
            access_token=access_token,
        )
    url, request_token = get(GITHUB_REQUEST_URL), get(GITHUB_REQUEST_TOKEN)
    if url and request_token:
        return GitHubOidc(
            "GitHub Actions OIDC",
            default_client_id=client_id,
            variables=f"{USE_OIDC}, {GITHUB_REQUEST_URL}",
            request_url=url,
            request_token=request_token,
        )
    raise ConfigurationError(
        f"{USE_OIDC}=true but neither GitHub Actions ({GITHUB_REQUEST_URL}, {GITHUB_REQUEST_TOKEN}: give the job "
        f"'permissions: id-token: write') nor Azure DevOps ({ADO_SERVICE_CONNECTION_ID}, {ADO_ACCESS_TOKEN}, "
        f"{ADO_OIDC_REQUEST_URI}) provides an OIDC token"
    )
