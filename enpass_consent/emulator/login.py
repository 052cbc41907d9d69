"""Microsoft Entra sign-in: OpenID discovery, the v2.0 token endpoint, and a minimal device-code flow."""

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
from enpass_consent.emulator.state import Tenant
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


@dataclass
class _DeviceCode:
    tenant_id: str
    client_id: str
    scopes: list[str]
    pending_polls: int
    expires_at: float


class LoginService:
    def __init__(self, tenants: dict[str, Tenant], issuer: TokenIssuer, base_url: Callable[[], str]) -> None:
        self.tenants = tenants
        self.issuer = issuer
        self._base_url = base_url
        self._lock = threading.Lock()
        self._device_codes: dict[str, _DeviceCode] = {}
        self.device_pending_polls = 0
        """How many token polls answer ``authorization_pending`` before the device flow succeeds."""

    def reset(self) -> None:
        with self._lock:
            self._device_codes.clear()
        self.device_pending_polls = 0

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
            assertion = form["client_assertion"]
            if form.get("client_assertion_type") != JWT_BEARER:
                return oauth_error(400, "invalid_request", 50027, "Invalid client_assertion_type.")
            if not assertion or (client.valid_assertions is not None and assertion not in client.valid_assertions):
                return oauth_error(
                    401,
                    "invalid_client",
                    700213,
                    "No matching federated identity record found for presented assertion.",
                )
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
        user = tenant.users.get((tenant.signed_in_user_id or "").lower())
        if user is None:
            return oauth_error(400, "invalid_grant", 50034, "No signed-in user is configured for this tenant.")
        token = self.issuer.issue(
            tenant.tenant_id, flow.client_id, scopes=list(tenant.delegated_scopes), user_id=user.id
        )
        client_info = (
            base64.urlsafe_b64encode(json.dumps({"uid": user.id, "utid": tenant.tenant_id}).encode())
            .rstrip(b"=")
            .decode()
        )
        id_token = self.issuer.id_token(
            f"{self._base_url()}/{tenant.tenant_id}/v2.0",
            tenant.tenant_id,
            flow.client_id,
            user.id,
            user.user_principal_name,
            user.display_name,
        )
        lifetime = self.issuer.lifetime
        return LoginResponse(
            200,
            {
                "token_type": "Bearer",
                "scope": " ".join(tenant.delegated_scopes),
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
                "refresh_token": "fake-refresh-token-" + secrets.token_hex(8),
                "id_token": id_token,
                "client_info": client_info,
            },
            {},
        )
