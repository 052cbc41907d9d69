"""Which identity signs in: the azuread provider's credential rules, exactly, plus a device code on a terminal.

Sources: terraform-provider-azuread ``internal/provider/provider.go`` (the variables, their
defaults, ``use_oidc || use_aks_workload_identity``) and ``internal/provider/helpers.go`` (the
``*_FILE_PATH`` variants, AKS's ``AZURE_TENANT_ID``), and hashicorp/go-azure-sdk
``sdk/auth/auth.go`` ``NewAuthorizerFromCredentials`` (the order) with the authorizers in
``sdk/auth/*_authorizer.go``. pulumi-azuread wraps that provider, so ``pulumi up`` signs in by the
same rules. The first that applies wins; "client id" is the stack's ``azuread:clientId``, else
``ARM_CLIENT_ID`` (or the content of ``ARM_CLIENT_ID_FILE_PATH``):

1. client certificate: a client id and ``ARM_CLIENT_CERTIFICATE`` (base64 PKCS#12) or
   ``ARM_CLIENT_CERTIFICATE_PATH`` (+ ``ARM_CLIENT_CERTIFICATE_PASSWORD``);
2. client secret: a client id and ``ARM_CLIENT_SECRET`` (or ``ARM_CLIENT_SECRET_FILE_PATH``);
3. only with ``ARM_USE_OIDC=true`` (or ``ARM_USE_AKS_WORKLOAD_IDENTITY=true``) and a client id:
   a. ``ARM_OIDC_TOKEN`` / ``ARM_OIDC_TOKEN_FILE_PATH``, a federated assertion given as is;
   b. Azure DevOps: a service connection id (``ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID``, else
      ``ARM_OIDC_AZURE_SERVICE_CONNECTION_ID``) with a request URL and token;
   c. GitHub Actions (or any issuer with the same protocol): a request URL and token;
   the request URL is ``ARM_OIDC_REQUEST_URL``, else ``ACTIONS_ID_TOKEN_REQUEST_URL``, else
   ``SYSTEM_OIDCREQUESTURI``; the token ``ARM_OIDC_REQUEST_TOKEN``, else
   ``ACTIONS_ID_TOKEN_REQUEST_TOKEN``, else ``SYSTEM_ACCESSTOKEN``;
4. managed identity: ``ARM_USE_MSI=true`` (the client id, when set, picks a user-assigned identity;
   ``ARM_MSI_ENDPOINT`` replaces the metadata endpoint);
5. Azure CLI: ``ARM_USE_CLI`` (default true) and ``az`` on ``PATH``;
6. not in the provider: a device-code sign-in, when stdin and stderr are terminals and ``CI`` is
   unset (``ENPASS_CONSENT_PUBLIC_CLIENT_ID``, else Microsoft Graph Command Line Tools).

Booleans are read as Go's ``strconv.ParseBool`` reads them (what the provider's schema does). A
method whose variables are only partly set is skipped, as in the provider; when nothing applies the
error lists what to set. Files named by ``*_FILE_PATH`` are read once (``ARM_OIDC_TOKEN_FILE_PATH``
again on every token request, because CI platforms rotate it); a file and its variable that disagree
are an error, as in the provider. An empty variable counts as unset, as in the provider
(terraform-plugin-sdk ``helper/schema/schema.go``, ``EnvDefaultFunc``). A client id from the
environment must be a GUID (the stack's is checked by the settings parser). Every secret is
registered for scrubbing when read; ``label`` (the kind and the variables behind it) is what may be
logged, never a value. The user-facing table is in README.md and docs/reference.md#credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
import shutil
import sys
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import requests

from enpass_consent import catalog
from enpass_consent.graph.errors import AuthError, ConfigurationError, TransportError, safe_path
from enpass_consent.graph.redact import register_secret

CLIENT_ID = "ARM_CLIENT_ID"
CLIENT_ID_FILE_PATH = "ARM_CLIENT_ID_FILE_PATH"
CERTIFICATE = "ARM_CLIENT_CERTIFICATE"
CERTIFICATE_PATH = "ARM_CLIENT_CERTIFICATE_PATH"
CERTIFICATE_PASSWORD = "ARM_CLIENT_CERTIFICATE_PASSWORD"
CLIENT_SECRET = "ARM_CLIENT_SECRET"
CLIENT_SECRET_FILE_PATH = "ARM_CLIENT_SECRET_FILE_PATH"
USE_OIDC = "ARM_USE_OIDC"
USE_AKS_WORKLOAD_IDENTITY = "ARM_USE_AKS_WORKLOAD_IDENTITY"
AKS_TENANT_ID = "AZURE_TENANT_ID"
OIDC_TOKEN = "ARM_OIDC_TOKEN"
OIDC_TOKEN_FILE_PATH = "ARM_OIDC_TOKEN_FILE_PATH"
OIDC_REQUEST_URL = "ARM_OIDC_REQUEST_URL"
OIDC_REQUEST_TOKEN = "ARM_OIDC_REQUEST_TOKEN"
GITHUB_REQUEST_URL = "ACTIONS_ID_TOKEN_REQUEST_URL"
GITHUB_REQUEST_TOKEN = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
ADO_SERVICE_CONNECTION_ID = "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"
ADO_SERVICE_CONNECTION_ID_ALIAS = "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"
ADO_ACCESS_TOKEN = "SYSTEM_ACCESSTOKEN"
ADO_OIDC_REQUEST_URI = "SYSTEM_OIDCREQUESTURI"
USE_MSI = "ARM_USE_MSI"
MSI_ENDPOINT = "ARM_MSI_ENDPOINT"
USE_CLI = "ARM_USE_CLI"
PUBLIC_CLIENT_ID = "ENPASS_CONSENT_PUBLIC_CLIENT_ID"
CI = "CI"
PATH = "PATH"

# MultiEnvDefaultFunc orders of provider.go: the first variable that is set wins.
REQUEST_URL_VARIABLES = (OIDC_REQUEST_URL, GITHUB_REQUEST_URL, ADO_OIDC_REQUEST_URI)
REQUEST_TOKEN_VARIABLES = (OIDC_REQUEST_TOKEN, GITHUB_REQUEST_TOKEN, ADO_ACCESS_TOKEN)
SERVICE_CONNECTION_VARIABLES = (ADO_SERVICE_CONNECTION_ID, ADO_SERVICE_CONNECTION_ID_ALIAS)

# The audience Entra expects in a federated assertion (workload identity federation).
FEDERATION_AUDIENCE = "api://AzureADTokenExchange"
ADO_OIDC_API_VERSION = "7.1"  # go-azure-sdk sdk/auth/ado_pipeline_oidc_authorizer.go: adoPipelineOIDCAPIVersion
AZURE_CLI_EXECUTABLE = "az"

MsalCredential = str | dict[str, Any]
"""What ``msal.ConfidentialClientApplication(client_credential=...)`` accepts."""


@dataclass(frozen=True)
class Credential:
    """One way to sign in. ``kind`` is safe to log; secret fields never appear in ``repr``."""

    kind: str
    client_id: str | None = None
    """The client id it signs in as: the app (confidential), the user-assigned identity (managed
    identity), the public client (device code); None for the Azure CLI and a system-assigned identity."""
    note: str = field(default="", compare=False)
    """Why a credential that was set up is not the one used (logged with the kind), or empty."""
    variables: str = field(default="", compare=False)
    """The environment variables this credential was read from, for messages (never their values)."""
    client_id_source: str = field(default="", compare=False)
    """Where ``client_id`` came from (``azuread:clientId``, ``ARM_CLIENT_ID``, ...), for messages."""

    @property
    def label(self) -> str:
        """``kind`` with the variables behind it, so an error names what to fix."""
        return f"{self.kind} ({self.variables})" if self.variables else self.kind

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        """``client_credential`` for msal; assertions are fetched through ``session`` per token request."""
        raise NotImplementedError(f"{self.kind} has no confidential client credential")

    @property
    def confidential(self) -> bool:
        return False

    def describe(self) -> str:
        """``label``, and why a credential that was set up is not used, if one was."""
        return f"{self.label}; {self.note}" if self.note else self.label


@dataclass(frozen=True)
class ConfidentialCredential(Credential):
    """An app's own credential (msal ``ConfidentialClientApplication``); ``client_id`` is always set."""

    @property
    def confidential(self) -> bool:
        return True


@dataclass(frozen=True)
class ClientCertificate(ConfidentialCredential):
    path: str = ""
    data: bytes = field(default=b"", repr=False)
    """PKCS#12 bytes from ``ARM_CLIENT_CERTIFICATE``; preferred over ``path`` (client_certificate_authorizer.go)."""
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        register_secret(self.password)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        if self.data:
            return _pkcs12_as_pem(self.data, self.password, CERTIFICATE)
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
        # Beyond the provider, which takes PKCS#12 only: PEM holding the key and the certificate.
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


def _pkcs12_as_pem(data: bytes, password: str | None, variable: str) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, certificate, _chain = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except (ValueError, TypeError):
        hint = f" that {CERTIFICATE_PASSWORD} opens" if password else f" (set {CERTIFICATE_PASSWORD} if it has one)"
        raise ConfigurationError(f"{variable}: not a PKCS#12 (PFX) bundle{hint}") from None
    if key is None or certificate is None:
        raise ConfigurationError(f"{variable}: the PKCS#12 bundle lacks a private key or a certificate")
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    register_secret(key_pem)
    return {"private_key": key_pem, "public_certificate": certificate.public_bytes(serialization.Encoding.PEM).decode()}


@dataclass(frozen=True)
class ClientSecret(ConfidentialCredential):
    secret: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        register_secret(self.secret)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        return self.secret


@dataclass(frozen=True)
class OidcToken(ConfidentialCredential):
    token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        register_secret(self.token)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        token = self.token
        # A callable: msal deprecates a static assertion string.
        return {"client_assertion": lambda: token}


@dataclass(frozen=True)
class OidcTokenFile(ConfidentialCredential):
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
class GitHubOidc(ConfidentialCredential):
    """GitHub Actions' protocol (github_oidc_authorizer.go): GET the URL with ``audience``, bearer token."""

    request_url: str = field(default="", repr=False)
    request_token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        register_secret(self.request_token)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        return {"client_assertion": lambda: self.fetch(session)}

    def fetch(self, session: requests.Session) -> str:
        url = _with_query(self.request_url, {"audience": FEDERATION_AUDIENCE}, replace=False)
        headers = {"Authorization": f"bearer {self.request_token}", "Accept": "application/json"}
        return _fetch_assertion(session, "GET", url, headers, "value", self.label)


@dataclass(frozen=True)
class AzureDevOpsOidc(ConfidentialCredential):
    """Azure Pipelines (ado_pipeline_oidc_authorizer.go): POST ``?api-version=7.1&serviceConnectionId=``."""

    service_connection_id: str = ""
    request_uri: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        register_secret(self.access_token)

    def msal_credential(self, session: requests.Session) -> MsalCredential:
        return {"client_assertion": lambda: self.fetch(session)}

    def fetch(self, session: requests.Session) -> str:
        url = _with_query(
            self.request_uri,
            {"api-version": ADO_OIDC_API_VERSION, "serviceConnectionId": self.service_connection_id},
            replace=False,
        )
        headers = {
            "Authorization": f"Bearer {self.access_token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        return _fetch_assertion(session, "POST", url, headers, "oidcToken", self.label)


@dataclass(frozen=True)
class ManagedIdentity(Credential):
    """An Azure managed identity (msal ``ManagedIdentityClient``); ``client_id`` picks a user-assigned one."""

    endpoint: str | None = None
    """``ARM_MSI_ENDPOINT``: the whole token URL of the metadata service, replacing the default."""


@dataclass(frozen=True)
class AzureCli(Credential):
    """``az account get-access-token`` of the signed-in Azure CLI (azure_cli_authorizer.go)."""

    executable: str = AZURE_CLI_EXECUTABLE
    """The resolved path of ``az``."""


@dataclass(frozen=True)
class DeviceCode(Credential):
    """An interactive sign-in of a person through a public client (not in the provider)."""


def _with_query(url: str, params: Mapping[str, str], *, replace: bool) -> str:
    """``url`` with ``params`` added, keeping what it already carries (the authorizers only add missing ones)."""
    split = urlsplit(url)
    pairs = parse_qsl(split.query, keep_blank_values=True)
    present = {key for key, _ in pairs}
    pairs += [(key, value) for key, value in params.items() if replace or key not in present]
    return urlunsplit(split._replace(query=urlencode(pairs, quote_via=quote, safe="")))


def _where(url: str) -> str:
    """Host, port and path of ``url``, for messages: no user info, query or fragment (they may carry tokens)."""
    split = urlsplit(url)
    host = split.hostname or ""
    try:
        port = split.port
    except ValueError:  # not a number
        port = None
    if host and port:
        host = f"{host}:{port}"
    return f"{host}{safe_path(url)}" if host else safe_path(url)


def _fetch_assertion(
    session: requests.Session, method: str, url: str, headers: dict[str, str], key: str, label: str
) -> str:
    try:
        response = session.request(method, url, headers=headers)
    except requests.RequestException as exc:
        raise TransportError(f"{label}: no answer from {_where(url)}: {type(exc).__name__}") from None
    except ValueError:  # a port that is not a number, and the like
        raise AuthError(f"{label}: cannot use the request URL {_where(url)}") from None
    if response.status_code != 200:
        raise AuthError(f"{label}: the CI token service returned {response.status_code} for {_where(url)}")
    try:
        body = json.loads(response.text)
    except ValueError:
        raise AuthError(f"{label}: the CI token service answered with something other than JSON") from None
    value = body.get(key) if isinstance(body, dict) else None
    if not isinstance(value, str) or not value:
        raise AuthError(f"{label}: the CI token service's answer has no {key!r}")
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


_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


@dataclass(frozen=True)
class _Environment:
    """The provider's inputs, read once from an environment mapping."""

    environ: Mapping[str, str]
    empty_files: list[str] = field(default_factory=list)
    """Notes on ``*_FILE_PATH`` variables naming an empty file: unused, as in the provider, but said."""

    def get(self, name: str) -> str | None:
        value = self.environ.get(name, "").strip()
        return value or None

    def flag(self, name: str, default: bool) -> bool:
        """A boolean as Go's strconv.ParseBool reads it (the provider's schema.EnvDefaultFunc for TypeBool)."""
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise ConfigurationError(f"{name}={raw!r} is not a boolean (use true or false)")

    def value_or_file(self, name: str, file_variable: str) -> str | None:
        """``name``, or the trimmed content of the file ``file_variable`` names; both set must agree (helpers.go)."""
        value = self.get(name)
        path = self.get(file_variable)
        if path is None:
            return value
        try:
            with open(path, encoding="utf-8") as handle:
                from_file = handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{file_variable}: cannot read {path}: {type(exc).__name__}") from None
        register_secret(from_file if name != CLIENT_ID else None)
        if value is not None and value != from_file:
            raise ConfigurationError(
                f"{name} and the content of {file_variable} ({path}) differ: remove one or make them match"
            )
        if not from_file:
            self.empty_files.append(f"{file_variable} names an empty file ({path}), so it is not used")
        return from_file or None


def resolve_credential(
    environ: Mapping[str, str],
    *,
    stack_client_id: str | None = None,
    tenant_id: str | None = None,
    is_terminal: Callable[[], bool] = _default_is_terminal,
    which: Callable[[str, str | None], str | None] | None = None,
) -> Credential:
    """The credential ``environ`` describes for a stack (see the module docstring for the order).

    ``stack_client_id`` is the stack's ``azuread:clientId``; ``tenant_id`` its tenant (checked against
    ``AZURE_TENANT_ID`` with AKS workload identity, as the provider does). ``which`` finds ``az`` on the
    environment's ``PATH`` (``shutil.which`` by default). Raises :class:`ConfigurationError` naming the
    variables to set when nothing usable is set, or when a variable is unusable.
    """
    env = _Environment(environ)
    client_id, client_id_source = _client_id(env, stack_client_id)
    skipped: list[str] = []

    certificate_data = env.get(CERTIFICATE)
    certificate_path = env.get(CERTIFICATE_PATH)
    if certificate_data or certificate_path:
        variable = CERTIFICATE if certificate_data else CERTIFICATE_PATH
        if client_id:
            password = environ.get(CERTIFICATE_PASSWORD) or None
            return ClientCertificate(
                "client certificate",
                client_id,
                variables=f"{variable}, {CERTIFICATE_PASSWORD}" if password else variable,
                client_id_source=client_id_source,
                path=certificate_path or "",
                data=_base64_pkcs12(certificate_data) if certificate_data else b"",
                password=password,
            )
        skipped.append(_no_client_id(variable))
    secret = env.value_or_file(CLIENT_SECRET, CLIENT_SECRET_FILE_PATH)
    if secret:
        variable = CLIENT_SECRET_FILE_PATH if env.get(CLIENT_SECRET_FILE_PATH) else CLIENT_SECRET
        if client_id:
            return ClientSecret(
                "client secret", client_id, variables=variable, client_id_source=client_id_source, secret=secret
            )
        skipped.append(_no_client_id(variable))

    aks = env.flag(USE_AKS_WORKLOAD_IDENTITY, False)
    if env.flag(USE_OIDC, False) or aks:
        switch = USE_AKS_WORKLOAD_IDENTITY if aks else USE_OIDC
        oidc = _oidc(env, client_id, client_id_source, switch, skipped)
        if oidc is not None:
            if aks:
                _check_aks_tenant(env, tenant_id)
            return oidc
    elif unused := [name for name in (OIDC_TOKEN, OIDC_TOKEN_FILE_PATH, OIDC_REQUEST_URL) if env.get(name)]:
        skipped.append(
            f"{' and '.join(unused)} {'is' if len(unused) == 1 else 'are'} set but {USE_OIDC} is not true, "
            f"so {'it is' if len(unused) == 1 else 'they are'} not used"
        )

    note = "; ".join([*env.empty_files, *skipped])
    if env.flag(USE_MSI, False):
        endpoint = env.get(MSI_ENDPOINT)
        return ManagedIdentity(
            "managed identity",
            client_id,
            note,
            variables=f"{USE_MSI}, {MSI_ENDPOINT}" if endpoint else USE_MSI,
            client_id_source=client_id_source if client_id else "",
            endpoint=endpoint,
        )
    if env.flag(USE_CLI, True):
        find = which or (lambda name, path: shutil.which(name, path=path))
        # The environment's own PATH only: shutil.which would fall back to this process's PATH.
        executable = find(AZURE_CLI_EXECUTABLE, environ.get(PATH, ""))
        if executable:
            return AzureCli("Azure CLI", None, note, executable=executable)
        if env.get(USE_CLI):
            note = "; ".join([*filter(None, [note]), f"{USE_CLI} is true but az is not on PATH"])
    if is_terminal() and not env.get(CI):
        public_client_id = env.get(PUBLIC_CLIENT_ID)
        if public_client_id and public_client_id.lower() == catalog.ENPASS_APP_ID:
            # Signing administrators in as Enpass would make Enpass's own app the holder of their tokens.
            raise ConfigurationError(
                f"{PUBLIC_CLIENT_ID} must be a public client of your own (or unset for Microsoft Graph Command "
                "Line Tools), never Enpass's application id"
            )
        return DeviceCode(
            "device code",
            public_client_id or catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID,
            note,
            variables=PUBLIC_CLIENT_ID if public_client_id else "",
            client_id_source=PUBLIC_CLIENT_ID if public_client_id else "Microsoft Graph Command Line Tools",
        )
    raise ConfigurationError(
        "no credentials"
        + (f" ({note})" if note else "")
        + f": set {CLIENT_ID} (or azuread:clientId) with {CERTIFICATE}, {CERTIFICATE_PATH} or {CLIENT_SECRET}; "
        f"or {USE_OIDC}=true with {OIDC_TOKEN} or {OIDC_TOKEN_FILE_PATH}, in GitHub Actions (with the job's "
        f"id-token permission set to write) or in Azure DevOps ({ADO_SERVICE_CONNECTION_ID}, {ADO_ACCESS_TOKEN}); "
        f"or {USE_MSI}=true on a machine with a managed identity; or install the Azure CLI and run "
        "az login --tenant <tenant id>; or run in a terminal without CI set to sign in with a device code"
    )


def _client_id(env: _Environment, stack_client_id: str | None) -> tuple[str | None, str]:
    """The client id and where it came from; one from the environment must be a GUID."""
    if stack_client_id:
        return stack_client_id, "azuread:clientId"  # a GUID already: the settings parser checks it
    client_id = env.value_or_file(CLIENT_ID, CLIENT_ID_FILE_PATH)
    source = CLIENT_ID_FILE_PATH if env.get(CLIENT_ID_FILE_PATH) and not env.get(CLIENT_ID) else CLIENT_ID
    if client_id and not _is_guid(client_id):
        raise ConfigurationError(f"{source} must be an application (client) id, a GUID (got {client_id!r})")
    return client_id, source


def _is_guid(value: str) -> bool:
    try:
        return len(value) == 36 and bool(uuid.UUID(value))
    except ValueError:
        return False


def _oidc(
    env: _Environment, client_id: str | None, client_id_source: str, switch: str, skipped: list[str]
) -> Credential | None:
    token = env.get(OIDC_TOKEN)
    token_path = env.get(OIDC_TOKEN_FILE_PATH)
    request_url = _first_named(env, REQUEST_URL_VARIABLES)
    request_token = _first_named(env, REQUEST_TOKEN_VARIABLES)
    connection_id = _first_named(env, SERVICE_CONNECTION_VARIABLES)
    if not client_id:
        if token or token_path or request_url:
            skipped.append(_no_client_id(switch))
        return None
    common: dict[str, Any] = {"client_id_source": client_id_source}
    if token_path:
        from_file = env.value_or_file(OIDC_TOKEN, OIDC_TOKEN_FILE_PATH)  # checks that the two agree
        if from_file:
            return OidcTokenFile(
                "OIDC token file", client_id, variables=f"{switch}, {OIDC_TOKEN_FILE_PATH}", path=token_path, **common
            )
        # helpers.go getOidcToken: an empty file gives an empty token, which no OIDC authorizer takes.
    if token:
        return OidcToken("OIDC token", client_id, variables=f"{switch}, {OIDC_TOKEN}", token=token, **common)
    if request_url and request_token and connection_id:
        return AzureDevOpsOidc(
            "Azure DevOps OIDC",
            client_id,
            variables=f"{switch}, {connection_id[0]}, {request_url[0]}",
            service_connection_id=connection_id[1],
            request_uri=request_url[1],
            access_token=request_token[1],
            **common,
        )
    if request_url and request_token:
        return GitHubOidc(
            "GitHub Actions OIDC",
            client_id,
            variables=f"{switch}, {request_url[0]}",
            request_url=request_url[1],
            request_token=request_token[1],
            **common,
        )
    if connection_id:
        skipped.append(
            f"{connection_id[0]} is set but Azure DevOps also needs a request URL ({' / '.join(REQUEST_URL_VARIABLES)})"
            f" and a token ({' / '.join(REQUEST_TOKEN_VARIABLES)}): map {ADO_ACCESS_TOKEN} into the step's env"
        )
        return None
    skipped.append(
        f"{switch} is true but no assertion is given (neither {OIDC_TOKEN} nor {OIDC_TOKEN_FILE_PATH} nor a request "
        f"URL from {' / '.join(REQUEST_URL_VARIABLES)} with one of {' / '.join(REQUEST_TOKEN_VARIABLES)}); "
        "in GitHub Actions give the job the id-token permission set to write"
    )
    return None


def _first_named(env: _Environment, names: tuple[str, ...]) -> tuple[str, str] | None:
    """The first of ``names`` that is set, with its value (MultiEnvDefaultFunc)."""
    return next(((name, value) for name in names if (value := env.get(name))), None)


def _check_aks_tenant(env: _Environment, tenant_id: str | None) -> None:
    aks_tenant = env.get(AKS_TENANT_ID)
    if aks_tenant and tenant_id and aks_tenant.lower() != tenant_id.lower():
        raise ConfigurationError(
            f"{AKS_TENANT_ID} ({aks_tenant}) is not the stack's tenant {tenant_id}: with "
            f"{USE_AKS_WORKLOAD_IDENTITY} the two must match (the provider refuses the mismatch)"
        )


def _base64_pkcs12(value: str) -> bytes:
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{CERTIFICATE}: not base64 (it holds a PKCS#12 bundle, base64-encoded)") from None
    return data


def _no_client_id(what: str) -> str:
    return f"{what} is set but there is no client id ({CLIENT_ID} or azuread:clientId), so it is not used"
