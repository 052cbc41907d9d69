"""Access tokens for Microsoft Graph, one msal application per (tenant, client id).

msal applications do HTTP in their constructor (OIDC discovery), so they are built lazily on the
thread that first needs a token, and a failure there becomes an :class:`AuthError` for that
tenant only. All applications share one ``SerializableTokenCache`` (internally locked, keyed per
tenant and client). Each keeps msal's own ``http_cache``: msal wraps that mapping with a lock of
its own per application, so one dict shared by applications in different threads would be
mutated under different locks; and its entries (discovery, throttled errors) are keyed by the
tenant's URLs anyway, so sharing would save nothing while the application itself is reused.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import msal
import requests

from enpass_consent.clouds import Endpoints
from enpass_consent.graph.credentials import Credential
from enpass_consent.graph.errors import AuthError, GraphClientError, TransportError, shorten
from enpass_consent.graph.redact import register_secret, scrub

_EXPIRY_MARGIN_SECONDS = 300


class TokenSource(Protocol):
    """What :class:`~enpass_consent.graph.client.GraphClient` needs: a current access token."""

    def get_token(self) -> str: ...


class TokenProvider:
    """Graph access tokens for one tenant and one client id, cached by msal until shortly before expiry."""

    def __init__(
        self,
        *,
        endpoints: Endpoints,
        tenant_id: str,
        client_id: str,
        credential: Credential,
        session: requests.Session,
        token_cache: msal.SerializableTokenCache,
        interactive_lock: threading.Lock | None = None,
        prompt: Callable[[str], None] | None = None,
        client_id_source: str = "",
    ) -> None:
        self.endpoints = endpoints
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.credential = credential
        # Errors name the app and where its id came from (ARM_CLIENT_ID or azuread:clientId).
        self._as = f"as {client_id} ({client_id_source})" if client_id_source else f"as {client_id}"
        self._session = session
        self._token_cache = token_cache
        self._interactive_lock = interactive_lock or threading.Lock()
        self._prompt = prompt or _print_to_stderr
        self._app: Any = None
        self._delegated: tuple[str, float] | None = None
        self._acquire_lock = threading.Lock()

    @property
    def scopes(self) -> list[str]:
        return [self.endpoints.token_scope]

    def get_token(self) -> str:
        """A valid access token, from msal's cache when possible. Raises :class:`AuthError`."""
        return self._acquire()

    def _acquire(self) -> str:
        # One acquisition at a time per tenant: threads sharing a tenant wait for the first token
        # instead of each missing the cache and asking Entra for one of their own.
        try:
            with self._acquire_lock:
                return self._acquire_locked()
        except GraphClientError:
            raise
        except requests.RequestException as exc:
            raise TransportError(
                f"no answer from the login service at {self.endpoints.authority_label} for tenant {self.tenant_id} "
                f"after retries: "
                f"{type(exc).__name__}: {shorten(scrub(exc))}"
            ) from None
        except Exception as exc:  # msal raises ValueError, MsalServiceError, OS errors alike
            raise AuthError(
                f"sign-in to tenant {self.tenant_id} {self._as} with {self.credential.label} failed: "
                f"{type(exc).__name__}: {shorten(scrub(exc))}"
            ) from None

    def _acquire_locked(self) -> str:
        app = self._application()
        if not self.credential.public:
            return self._token_from(app.acquire_token_for_client(self.scopes))[0]
        # msal's cache does not match a ``/.default`` request to a delegated token's named scopes
        # and would refresh on every call, so the current delegated token is kept here.
        if self._delegated is not None and time.monotonic() < self._delegated[1]:
            return self._delegated[0]
        token, lifetime = self._token_from(self._device_code(app))
        self._delegated = (token, time.monotonic() + max(0.0, lifetime - _EXPIRY_MARGIN_SECONDS))
        return token

    def _token_from(self, result: Any) -> tuple[str, float]:
        if isinstance(result, dict) and isinstance(result.get("access_token"), str):
            token: str = result["access_token"]
            register_secret(token)
            lifetime = result.get("expires_in")
            return token, float(lifetime) if isinstance(lifetime, int | float) else 0.0
        error = result.get("error") if isinstance(result, dict) else None
        description = result.get("error_description") if isinstance(result, dict) else None
        raise AuthError(
            f"sign-in to tenant {self.tenant_id} {self._as} with {self.credential.label} was refused",
            error_code=str(error) if error else "no_token",
            description=str(description) if description else None,
        )

    def _application(self) -> Any:
        if self._app is None:
            options: dict[str, Any] = {
                "authority": self.endpoints.authority(self.tenant_id),
                "http_client": self._session,
                "token_cache": self._token_cache,
            }
            if not self.endpoints.is_well_known:
                # Otherwise msal asks the public cloud whether an emulator or private host is valid.
                options["instance_discovery"] = False
            if self.credential.public:
                self._app = msal.PublicClientApplication(self.client_id, **options)
            else:
                self._app = msal.ConfidentialClientApplication(
                    self.client_id,
                    client_credential=self.credential.msal_credential(self._session),
                    # False, not None: None lets MSAL_FORCE_REGION move sign-in to a regional host.
                    azure_region=False,
                    **options,
                )
        return self._app

    def _device_code(self, app: Any) -> Any:
        # One device flow at a time: after the first sign-in, other tenants are served from the
        # shared cache's refresh token, so the user signs in once, not once per tenant.
        with self._interactive_lock:
            for account in app.get_accounts():
                result = app.acquire_token_silent(self.scopes, account=account)
                if result and "access_token" in result:
                    return result
            flow = app.initiate_device_flow(scopes=self.scopes)
            if "user_code" not in flow:
                return flow
            self._prompt(str(flow.get("message", "")))
            return app.acquire_token_by_device_flow(flow)


def _print_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
