"""Microsoft Entra sign-in: OpenID discovery, the v2.0 token endpoint (client credentials with a secret or a
federated assertion, device code, refresh token across tenants) and the managed identity endpoint (IMDS)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from enpass_consent.emulator.faults import Fault, FaultKind, retry_after_header
from enpass_consent.emulator.state import FederatedCredential, Tenant, new_id
from enpass_consent.emulator.tokens import GRAPH_AUDIENCE, TokenIssuer

Json = dict[str, Any]

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass
class LoginResponse:
    status: int
    body: Json | str
    headers: dict[str, str]
    client_id: str | None = None


def oauth_error(
    status: int, error: str, code: int, description: str, headers: dict[str, str] | None = None
) -> LoginResponse:
    """An error in Entra's token-endpoint shape (``error_codes`` carries the AADSTS number)."""
    body: Json = {
        "error": error,
        "error_description": f"AADSTS{code}: {description} Trace ID: {secrets.token_hex(16)} "
        f"Correlation ID: {secrets.token_hex(16)} Timestamp: {time.strftime('%Y-%m-%d %H:%M:%SZ', time.gmtime())}",
        "error_codes": [code],
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
        "trace_id": secrets.token_hex(16),
        "correlation_id": secrets.token_hex(16),
    }
    return LoginResponse(status, body, headers or {})


def login_fault_response(fault: Fault) -> LoginResponse:
    retry = retry_after_header(fault.retry_after)
    if fault.kind is FaultKind.THROTTLE:
        return oauth_error(429, "temporarily_unavailable", 50196, "The server is busy (injected).", retry)
    if fault.kind is FaultKind.UNAVAILABLE:
        return oauth_error(503, "temporarily_unavailable", 90033, "A transient error has occurred (injected).", retry)
    if fault.kind is FaultKind.INVALID_CLIENT:
        return oauth_error(401, "invalid_client", 7000215, "Invalid client secret provided (injected).")
    if fault.kind is FaultKind.FORBIDDEN:
        return oauth_error(400, "unauthorized_client", 700016, "Application not allowed (injected).")
    if fault.kind is FaultKind.MALFORMED_JSON:
        return LoginResponse(200, '{"token_type": "Bearer", "access_tok', {})
    if fault.kind is FaultKind.STATUS:
        return oauth_error(fault.status, fault.code or "server_error", 50000, "Injected fault.")
    return oauth_error(500, "server_error", 50000, "There was an error issuing a token (injected).")


# Scopes that only shape the sign-in itself (OpenID Connect); they never appear in a token's scp.
_OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
_MANAGED_IDENTITY_API_VERSION = "2018-02-01"


@dataclass
class _DeviceCode:
    tenant_id: str
    client_id: str
    scopes: list[str]
    pending_polls: int
    expires_at: float


@dataclass(frozen=True)
class _RefreshGrant:
    """Who a refresh token speaks for: a person (their sign-in name) and the client it was issued to."""

    sign_in_name: str
    client_id: str


@dataclass(frozen=True)
class ManagedIdentity:
    """An Azure managed identity the emulated instance metadata service (IMDS) issues tokens for.

    ``client_id`` is the identity's application id: register a ``ClientApp`` with that id in the tenant
    to give it Graph application permissions (the token's roles).
    """

    tenant_id: str
    client_id: str
    user_assigned: bool = False


@dataclass(frozen=True)
class _Principal:
    """The person of a delegated sign-in as one tenant sees them."""

    object_id: str
    """The token's ``oid`` in that tenant: their member/guest object, or their home object (GDAP)."""
    username: str
    display_name: str


def _scope_names(scopes: list[str]) -> tuple[set[str], bool, str]:
    """(named delegated scopes, whether ``/.default`` was asked, the resource) of a v2 ``scope`` list.

    A scope without a resource prefix is Microsoft Graph's
    (https://learn.microsoft.com/entra/identity-platform/scopes-oidc#scopes-and-permissions).
    """
    named: set[str] = set()
    default = False
    resource = GRAPH_AUDIENCE
    for scope in scopes:
        if scope.lower() in _OIDC_SCOPES:
            continue
        prefix, _, name = scope.rpartition("/")
        if prefix:
            resource = prefix
        if name == ".default":
            default = True
        elif name:
            named.add(name)
    return named, default, resource


def _jwt_claims(assertion: str) -> Json | None:
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def _thumbprint(certificate: Any, digest: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    der = certificate.public_bytes(serialization.Encoding.DER)
    return base64.urlsafe_b64encode(digest(der).digest()).rstrip(b"=").decode()


def _certificate_assertion_refusal(
    certificates: list[str], assertion: str, token_endpoint: str
) -> LoginResponse | None:
    """A certificate credential: the assertion (iss = sub = client id, aud = token endpoint) must be signed
    by a certificate registered on the app, named by its ``x5t#S256`` (or ``x5t``) header
    (https://learn.microsoft.com/entra/identity-platform/certificate-credentials)."""
    import hashlib

    import jwt
    from cryptography import x509

    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        return oauth_error(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
    # base64url thumbprints (RFC 7515 4.1.7/4.1.8), compared without their padding.
    named = {str(header.get(key, "")).rstrip("=") for key in ("x5t#S256", "x5t")} - {""}
    for pem in certificates:
        certificate = x509.load_pem_x509_certificate(pem.encode())
        if named & {_thumbprint(certificate, hashlib.sha256), _thumbprint(certificate, hashlib.sha1)}:
            try:
                jwt.decode(
                    assertion,
                    certificate.public_key(),  # type: ignore[arg-type]
                    algorithms=["PS256", "RS256"],
                    audience=token_endpoint,
                )
            except jwt.ExpiredSignatureError:
                return oauth_error(
                    400, "invalid_client", 700024, "Client assertion is not within its valid time range."
                )
            except jwt.PyJWTError:
                return oauth_error(401, "invalid_client", 700027, "Client assertion contains an invalid signature.")
            return None
    return oauth_error(
        401,
        "invalid_client",
        700027,
        "The certificate with identifier used to sign the client assertion is not registered on application.",
    )


class LoginService:
    """Discovery, the token endpoint (client credentials, device code, refresh token), device code, IMDS.

    Delegated tokens carry ``scp`` = the named scopes asked for ∩ what the tenant consented for that
    client (``Tenant.delegated_consents``); an interactive sign-in may consent first
    (``Tenant.consent_on_sign_in``). A refresh token serves the same person in every tenant where they
    have a member or guest object or GDAP access, unless that tenant demands its own interaction.
    """

    def __init__(self, tenants: dict[str, Tenant], issuer: TokenIssuer, base_url: Callable[[], str]) -> None:
        self.tenants = tenants
        self.issuer = issuer
        self._base_url = base_url
        self._lock = threading.Lock()
        self._device_codes: dict[str, _DeviceCode] = {}
        self._refresh_tokens: dict[str, _RefreshGrant] = {}
        self.device_pending_polls = 0
        """How many token polls answer ``authorization_pending`` before the device flow succeeds."""
        self.device_user: str | None = None
        """Sign-in name of the person who completes device flows (at the browser); None: each tenant's
        ``signed_in_user_id``."""
        self.managed_identities: list[ManagedIdentity] = []

    def reset(self) -> None:
        with self._lock:
            self._device_codes.clear()
            self._refresh_tokens.clear()
        self.device_pending_polls = 0
        self.device_user = None
        self.managed_identities = []

    def _tenant(self, tenant_id: str) -> Tenant | None:
        """The tenant a login path names: its id, or (as in Entra) any of its verified domains."""
        tenant = self.tenants.get(tenant_id.lower())
        if tenant is None:
            tenant = next((t for t in list(self.tenants.values()) if t.has_domain(tenant_id)), None)
        return tenant

    def _unknown_tenant(self, tenant_id: str) -> LoginResponse:
        return oauth_error(
            400,
            "invalid_tenant",
            90002,
            f"Tenant '{tenant_id}' not found. Check to make sure you have the correct tenant ID and are signing "
            "into the correct cloud.",
        )

    def discovery(self, tenant_id: str) -> LoginResponse:
        tenant = self._tenant(tenant_id)
        if tenant is None:
            return self._unknown_tenant(tenant_id)
        # Asked by domain, Entra still answers with the tenant id in the issuer and every endpoint.
        base = f"{self._base_url()}/{tenant.tenant_id}"
        return LoginResponse(
            200,
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "private_key_jwt",
                    "client_secret_basic",
                ],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{base}/v2.0",
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": f"{base}/openid/userinfo",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "tid", "oid", "preferred_username"],
                "tenant_region_scope": "EU",
                "cloud_instance_name": "emulator.invalid",
            },
            {},
        )

    # ---------------------------------------------------------------------------------------------
    def token(self, tenant_id: str, form: dict[str, str]) -> LoginResponse:
        tenant = self._tenant(tenant_id)
        if tenant is None:
            return self._unknown_tenant(tenant_id)
        grant_type = form.get("grant_type", "")
        if grant_type == "client_credentials":
            response = self._client_credentials(tenant, form)
        elif grant_type == DEVICE_CODE_GRANT:
            response = self._device_code_token(tenant, form)
        elif grant_type == "refresh_token":
            response = self._refresh_token(tenant, form)
        else:
            response = oauth_error(
                400, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'."
            )
        response.client_id = form.get("client_id")
        return response

    def _client_credentials(self, tenant: Tenant, form: dict[str, str]) -> LoginResponse:
        client_id = form.get("client_id", "")
        client = tenant.clients.get(client_id.lower())
        if client is None:
            return oauth_error(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory '{tenant.tenant_id}'.",
            )
        if "client_secret" in form:
            if client.secret is None or not secrets.compare_digest(form["client_secret"], client.secret):
                return oauth_error(
                    401,
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                    f"secret value, not the client secret ID, for a secret added to app '{client_id}'.",
                )
        elif "client_assertion" in form:
            if form.get("client_assertion_type") != JWT_BEARER:
                return oauth_error(400, "invalid_request", 50027, "Invalid client_assertion_type.")
            assertion = form["client_assertion"]
            claims = _jwt_claims(assertion)
            if claims is not None and claims.get("iss") == claims.get("sub") == client.client_id:
                endpoint = f"{self._base_url()}/{tenant.tenant_id}/oauth2/v2.0/token"
                refused = _certificate_assertion_refusal(client.certificates, assertion, endpoint)
            else:
                refused = self._federated_assertion_refusal(client.federated_credentials, assertion)
            if refused is not None:
                return refused
        else:
            return oauth_error(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
        scopes = form.get("scope", "").split()
        default = [s for s in scopes if s.endswith("/.default")]
        if not default:
            return oauth_error(
                400,
                "invalid_scope",
                1002012,
                f"The provided value for scope {' '.join(scopes)} is "
                "not valid. Client credential flows must have a scope value with /.default.",
            )
        audience = default[0].removesuffix("/.default") or GRAPH_AUDIENCE
        token = self.issuer.issue(tenant.tenant_id, client.client_id, roles=client.roles, audience=audience)
        lifetime = self.issuer.lifetime
        return LoginResponse(
            200,
            {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token},
            {},
        )

    @staticmethod
    def _federated_assertion_refusal(credentials: list[FederatedCredential], assertion: str) -> LoginResponse | None:
        """Workload identity federation: the assertion's issuer, subject and audience must match one
        federated credential of the app (https://learn.microsoft.com/entra/workload-id/workload-identity-federation).

        The signature is not checked (the emulator cannot fetch a CI provider's keys); expiry is.
        """
        claims = _jwt_claims(assertion)
        if claims is None:
            return oauth_error(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
        if int(claims.get("exp", 0) or 0) <= time.time():
            return oauth_error(400, "invalid_client", 700024, "Client assertion is not within its valid time range.")
        issuer, subject = str(claims.get("iss", "")), str(claims.get("sub", ""))
        raw_audience = claims.get("aud", [])
        audiences = [raw_audience] if isinstance(raw_audience, str) else [str(a) for a in raw_audience or []]
        if any(
            credential.issuer == issuer and credential.subject == subject and set(audiences) & set(credential.audiences)
            for credential in credentials
        ):
            return None
        return oauth_error(
            401,
            "invalid_client",
            70021,
            "No matching federated identity record found for presented assertion. "
            f"Assertion Issuer: '{issuer}'. Assertion Subject: '{subject}'. "
            f"Assertion Audience: '{','.join(audiences)}'.",
        )

    # ---------------------------------------------------------------------------------------------
    def device_code(self, tenant_id: str, form: dict[str, str]) -> LoginResponse:
        tenant = self._tenant(tenant_id)
        if tenant is None:
            return self._unknown_tenant(tenant_id)
        code = secrets.token_urlsafe(24)
        user_code = secrets.token_hex(4).upper()
        with self._lock:
            self._device_codes[code] = _DeviceCode(
                tenant.tenant_id,
                form.get("client_id", ""),
                form.get("scope", "").split(),
                self.device_pending_polls,
                time.time() + 900,
            )
        uri = f"{self._base_url()}/devicelogin"
        return LoginResponse(
            200,
            {
                "device_code": code,
                "user_code": user_code,
                "verification_uri": uri,
                "expires_in": 900,
                "interval": 0,
                "message": f"To sign in, use a web browser to open the page {uri} and enter the code {user_code} "
                "to authenticate.",
            },
            {},
            form.get("client_id"),
        )

    def _device_code_token(self, tenant: Tenant, form: dict[str, str]) -> LoginResponse:
        with self._lock:
            flow = self._device_codes.get(form.get("device_code", ""))
            if flow is not None and flow.pending_polls > 0:
                flow.pending_polls -= 1
                return oauth_error(400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Pending.")
            if flow is not None:
                del self._device_codes[form.get("device_code", "")]
        if flow is None or flow.expires_at < time.time() or flow.tenant_id.lower() != tenant.tenant_id.lower():
            return oauth_error(
                400,
                "expired_token",
                70020,
                "The provided value for the input parameter 'device_code' is not valid. The code has expired.",
            )
        sign_in_name = self.device_user
        if sign_in_name is None:
            user = tenant.users.get((tenant.signed_in_user_id or "").lower())
            if user is None:
                return oauth_error(400, "invalid_grant", 50034, "No signed-in user is configured for this tenant.")
            sign_in_name = user.sign_in_name
        return self._delegated(tenant, flow.client_id, sign_in_name, flow.scopes, interactive=True)

    def _refresh_token(self, tenant: Tenant, form: dict[str, str]) -> LoginResponse:
        with self._lock:
            grant = self._refresh_tokens.get(form.get("refresh_token", ""))
        client_id = form.get("client_id", "")
        if grant is None or grant.client_id.lower() != client_id.lower():
            return oauth_error(400, "invalid_grant", 70000, "Provided grant is invalid or malformed.")
        if tenant.interaction_required:
            # What Conditional Access answers a silent request that needs MFA in this tenant.
            response = oauth_error(
                400,
                "invalid_grant",
                50076,
                "Due to a configuration change made by your administrator, or because you moved to a new location, "
                "you must use multi-factor authentication to access this resource.",
            )
            if isinstance(response.body, dict):
                response.body["suberror"] = "basic_action"
            return response
        return self._delegated(tenant, client_id, grant.sign_in_name, form.get("scope", "").split(), interactive=False)

    def _principal(self, tenant: Tenant, sign_in_name: str) -> _Principal | None:
        user = tenant.user_for_sign_in(sign_in_name)
        if user is not None:
            return _Principal(user.id, user.user_principal_name, user.display_name)
        home_object_id = tenant.gdap_accounts.get(sign_in_name.lower())
        if home_object_id is not None:
            return _Principal(home_object_id, sign_in_name, sign_in_name)
        return None

    def _home(self, sign_in_name: str) -> tuple[str, str]:
        """(home object id, home tenant id) of a person: their member object wherever it is emulated."""
        for tenant in self.tenants.values():
            for user in tenant.users.values():
                if user.account is None and user.sign_in_name == sign_in_name.lower():
                    return user.id, tenant.tenant_id
        return new_id("home-user", sign_in_name), new_id("home-tenant", sign_in_name)

    def _delegated(
        self, tenant: Tenant, client_id: str, sign_in_name: str, scopes: list[str], *, interactive: bool
    ) -> LoginResponse:
        """A delegated token for ``sign_in_name`` in ``tenant``, or the error Entra would give instead."""
        principal = self._principal(tenant, sign_in_name)
        if principal is None:
            return oauth_error(
                400,
                "invalid_grant",
                50020,
                f"User account '{sign_in_name}' from identity provider does not exist in tenant "
                f"'{tenant.tenant_id}' and cannot access the application '{client_id}' in that tenant.",
            )
        named, default, resource = _scope_names(scopes)
        if interactive and tenant.consent_on_sign_in and named:
            tenant.consent(client_id, *named)
        consented = {scope.lower(): scope for scope in tenant.consented(client_id)}
        missing = sorted(name for name in named if name.lower() not in consented)
        if missing and not default:
            response = oauth_error(
                400,
                "invalid_grant",
                65001,
                f"The user or administrator has not consented to use the application with ID '{client_id}' for "
                f"{' '.join(missing)}. Send an interactive authorization request for this user and resource.",
            )
            if isinstance(response.body, dict):
                response.body["suberror"] = "consent_required"
            return response
        granted = sorted(consented.values()) if default else sorted(consented[name.lower()] for name in named)
        token = self.issuer.issue(
            tenant.tenant_id, client_id, scopes=granted, user_id=principal.object_id, audience=resource
        )
        home_object_id, home_tenant_id = self._home(sign_in_name)
        client_info = (
            base64.urlsafe_b64encode(json.dumps({"uid": home_object_id, "utid": home_tenant_id}).encode())
            .rstrip(b"=")
            .decode()
        )
        id_token = self.issuer.id_token(
            f"{self._base_url()}/{tenant.tenant_id}/v2.0",
            tenant.tenant_id,
            client_id,
            principal.object_id,
            principal.username,
            principal.display_name,
        )
        refresh_token = "fake-refresh-token-" + secrets.token_hex(16)
        with self._lock:
            self._refresh_tokens[refresh_token] = _RefreshGrant(sign_in_name.lower(), client_id)
        lifetime = self.issuer.lifetime
        return LoginResponse(
            200,
            {
                "token_type": "Bearer",
                "scope": " ".join([*(f"{resource}/{name}" for name in granted), "openid", "profile", "offline_access"]),
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
                "refresh_token": refresh_token,
                "id_token": id_token,
                "client_info": client_info,
            },
            {},
        )

    def issue_refresh_token(self, sign_in_name: str, client_id: str) -> str:
        """A refresh token for ``sign_in_name`` and ``client_id`` as an earlier interactive sign-in left it
        (what ``az login`` keeps in its cache); for tests and the fake ``az``."""
        refresh_token = "fake-refresh-token-" + secrets.token_hex(16)
        with self._lock:
            self._refresh_tokens[refresh_token] = _RefreshGrant(sign_in_name.lower(), client_id)
        return refresh_token

    # ---------------------------------------------------------------------------------------------
    def managed_identity_token(self, query: dict[str, str], headers: dict[str, str]) -> LoginResponse:
        """The instance metadata service's token endpoint, as on an Azure VM.

        https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token
        """
        if not any(k.lower() == "metadata" and v.lower() == "true" for k, v in headers.items()):
            return LoginResponse(
                400, {"error": "invalid_request", "error_description": "Required metadata header not specified"}, {}
            )
        if query.get("api-version") != _MANAGED_IDENTITY_API_VERSION or not query.get("resource"):
            return LoginResponse(
                400, {"error": "invalid_request", "error_description": "Required query variable missing"}, {}
            )
        wanted = (query.get("client_id") or "").lower()
        identity = next(
            (
                mi
                for mi in self.managed_identities
                if (mi.user_assigned and mi.client_id.lower() == wanted) or (not mi.user_assigned and not wanted)
            ),
            None,
        )
        tenant = self._tenant(identity.tenant_id) if identity is not None else None
        if identity is None or tenant is None:
            return LoginResponse(400, {"error": "invalid_request", "error_description": "Identity not found"}, {})
        client = tenant.clients.get(identity.client_id.lower())
        resource = query["resource"].rstrip("/")
        token = self.issuer.issue(
            tenant.tenant_id, identity.client_id, roles=list(client.roles) if client else [], audience=resource
        )
        now = int(time.time())
        lifetime = self.issuer.lifetime
        return LoginResponse(
            200,
            {
                "access_token": token,
                "client_id": identity.client_id,
                "expires_in": str(lifetime),
                "expires_on": str(now + lifetime),
                "ext_expires_in": str(lifetime),
                "not_before": str(now),
                "resource": query["resource"],
                "token_type": "Bearer",
            },
            {},
        )
