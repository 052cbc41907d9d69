"""Access tokens for Microsoft Graph through msal: an app's own credential, or one sign-in of a person.

msal applications do HTTP in their constructor (OIDC discovery), so they are built lazily on the
thread that first needs a token, and a failure there becomes an :class:`AuthError` for that
tenant only. Each keeps msal's own ``http_cache``: msal wraps that mapping with a lock of its own
per application, so one dict shared by applications in different threads would be mutated under
different locks; and its entries (discovery, throttled errors) are keyed by the tenant's URLs
anyway, so sharing would save nothing while the application itself is reused.

A person signs in once (:class:`SignIn`, shared by every tenant of a run): the first tenant that
needs a token runs the device flow, every other tenant redeems that sign-in's refresh token
silently (msal's ``acquire_token_silent`` with the tenant's authority, through the shared token
cache). Only a tenant that demands its own interaction (MFA there, consent missing there) asks
again, one tenant at a time, the prompt naming the tenant and its stack, with any progress display
paused while the person reads and signs in.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

import msal
import requests

from enpass_consent.clouds import Endpoints
from enpass_consent.graph.credentials import Credential
from enpass_consent.graph.errors import AuthError, ConsentRequiredError, GraphClientError, TransportError, shorten
from enpass_consent.graph.redact import register_secret, scrub

_EXPIRY_MARGIN_SECONDS = 300

# Errors of a silent sign-in that only the person can resolve in that tenant (AADSTS error codes:
# https://learn.microsoft.com/entra/identity-platform/reference-error-codes).
_NOT_IN_TENANT = "AADSTS50020"
_CONSENT_REQUIRED = "AADSTS65001"
_REASONS = {
    "AADSTS50076": "multi-factor authentication is required there",
    "AADSTS50079": "multi-factor authentication registration is required there",
    "AADSTS50158": "a Conditional Access challenge is required there",
    "AADSTS65001": "consent is needed there for the scopes this command asks for",
    "AADSTS700082": "the earlier sign-in has expired",
}


class TokenSource(Protocol):
    """What :class:`~enpass_consent.graph.client.GraphClient` needs: a current access token."""

    def get_token(self) -> str: ...


def _print_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class SignIn:
    """What every tenant of a run shares for a person's sign-in: one token cache, one prompt at a time."""

    def __init__(
        self,
        *,
        prompt: Callable[[str], None] | None = None,
        pause: Callable[[], AbstractContextManager[None]] | None = None,
    ) -> None:
        self.token_cache = msal.SerializableTokenCache()
        self.prompt = prompt or _print_to_stderr
        self.pause = pause or contextlib.nullcontext
        self.lock = threading.Lock()
        """Held for the whole of an interactive sign-in: never two prompts at once."""
        self.signed_in = False

    @contextlib.contextmanager
    def interaction(self, message: str) -> Iterator[None]:
        """Show ``message`` and keep other output (a progress bar) paused until the block ends."""
        with self.pause():
            self.prompt(message)
            yield


def token_tenant(access_token: str) -> str | None:
    """The ``tid`` claim of an access token (read, never verified: only to check which tenant it is for)."""
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    tenant = claims.get("tid") if isinstance(claims, dict) else None
    return tenant if isinstance(tenant, str) else None


class TokenProvider:
    """Graph access tokens for one tenant and one client id, cached by msal until shortly before expiry.

    ``credential`` is an app's own (confidential: a ``/.default`` token with its application
    permissions) or a device code (a person: the named ``delegated_scopes``, never only ``/.default``,
    so an administrator is offered consent to exactly those).
    """

    def __init__(
        self,
        *,
        endpoints: Endpoints,
        tenant_id: str,
        client_id: str,
        credential: Credential,
        session: requests.Session,
        token_cache: msal.SerializableTokenCache | None = None,
        sign_in: SignIn | None = None,
        delegated_scopes: Sequence[str] = (),
        stacks: Sequence[str] = (),
    ) -> None:
        self.endpoints = endpoints
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.credential = credential
        # Errors name the app and where its id came from (ARM_CLIENT_ID or azuread:clientId).
        source = credential.client_id_source
        self._as = f"as {client_id} ({source})" if source else f"as {client_id}"
        self._session = session
        self._sign_in = sign_in
        self._token_cache = sign_in.token_cache if sign_in is not None else token_cache or msal.SerializableTokenCache()
        self._delegated_scopes = tuple(delegated_scopes)
        self.stacks: list[str] = list(stacks)
        """The stacks this tenant's token serves (named in prompts)."""
        self._app: Any = None
        self._delegated: tuple[str, float] | None = None
        self._extra: dict[tuple[str, ...], tuple[str, float]] = {}
        self._acquire_lock = threading.Lock()

    @property
    def public(self) -> bool:
        return self._sign_in is not None

    @property
    def scopes(self) -> list[str]:
        if self.public and self._delegated_scopes:
            # Named scopes on the cloud's Graph root (the resource), not on an emulator or private endpoint.
            return [f"{self.endpoints.cloud.graph_root}/{name}" for name in self._delegated_scopes]
        return [self.endpoints.token_scope]

    def get_token(self) -> str:
        """A valid access token, from msal's cache when possible. Raises :class:`AuthError`."""
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

    def token_for_scopes(self, names: Sequence[str]) -> str:
        """A token for delegated scopes beyond the command's (``AuditLog.Read.All``), never asking the person.

        An app's own credential has one token (``/.default``: its application permissions), returned as is.
        A person's sign-in redeems its refresh token for exactly ``names`` (msal's silent acquisition,
        https://learn.microsoft.com/entra/msal/python/getting-started/acquiring-tokens); when that needs
        consent (:class:`ConsentRequiredError`, AADSTS65001) or an interaction, this raises :class:`AuthError` and
        the caller goes without: the
        sign-in's own named scopes never grow, so a tenant that has not consented to them still works.
        """
        if not self.public:
            return self.get_token()
        key = tuple(sorted(names))
        try:
            with self._acquire_lock:
                cached = self._extra.get(key)
                if cached is not None and time.monotonic() < cached[1]:
                    return cached[0]
                app = self._application()
                scopes = [f"{self.endpoints.cloud.graph_root}/{name}" for name in key]
                result, reason = self._silent(app, scopes)
                if result is None and reason is not None and _CONSENT_REQUIRED in reason:
                    raise ConsentRequiredError(
                        f"the sign-in client {self.client_id} has no consent to {', '.join(key)} in tenant "
                        f"{self.tenant_id}; nothing was asked",
                        client_id=self.client_id,
                        scopes=key,
                        description=reason,
                    )
                if result is None:
                    raise AuthError(
                        f"tenant {self.tenant_id} gave no token for {', '.join(key)} without signing in again",
                        error_code="interaction_required",
                        description=reason,
                    )
                token, lifetime = self._token_from(result)
                self._extra[key] = (token, time.monotonic() + max(0.0, lifetime - _EXPIRY_MARGIN_SECONDS))
                return token
        except GraphClientError:
            raise
        except Exception as exc:  # msal raises ValueError, MsalServiceError, OS errors alike
            raise AuthError(
                f"no token for {', '.join(key)} in tenant {self.tenant_id}: {type(exc).__name__}: {shorten(scrub(exc))}"
            ) from None

    def _acquire_locked(self) -> str:
        app = self._application()
        if not self.public:
            return self._token_from(app.acquire_token_for_client(self.scopes))[0]
        # msal's cache matches a token to the scopes asked for; a tenant that consented fewer would make
        # it refresh on every call, so the current delegated token is kept here.
        if self._delegated is not None and time.monotonic() < self._delegated[1]:
            return self._delegated[0]
        token, lifetime = self._token_from(self._person(app))
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
            if self.public:
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

    # -- a person's sign-in ---------------------------------------------------------------------

    def _silent(self, app: Any, scopes: Sequence[str] | None = None) -> tuple[Any, str | None]:
        """(a token result, or None; the reason the last silent attempt needs the person, or None)."""
        reason: str | None = None
        for account in app.get_accounts():
            result = app.acquire_token_silent_with_error(list(scopes or self.scopes), account=account)
            if isinstance(result, dict) and "access_token" in result:
                return result, None
            if isinstance(result, dict) and result.get("error"):
                reason = str(result.get("error_description") or result.get("error"))
        return None, reason

    def _person(self, app: Any) -> Any:
        sign_in = self._sign_in
        assert sign_in is not None
        result, reason = self._silent(app)  # most tenants: the refresh token of the one sign-in
        if result is not None:
            return result
        with sign_in.lock:
            result, reason = self._silent(app)  # another tenant may have signed in while this one waited
            if result is not None:
                return result
            if reason is not None and _NOT_IN_TENANT in reason:
                raise AuthError(
                    f"your account has no access to tenant {self.tenant_id}{self._stack_note()} (no member or "
                    "guest account there, no GDAP relationship); signing in again would not change that",
                    error_code="invalid_grant",
                    description=reason,
                )
            flow = app.initiate_device_flow(scopes=self.scopes)
            if "user_code" not in flow:
                return flow
            with sign_in.interaction(self._prompt_text(sign_in, reason, str(flow.get("message", "")))):
                result = app.acquire_token_by_device_flow(flow)
            if isinstance(result, dict) and "access_token" in result:
                sign_in.signed_in = True
            return result

    def _stack_note(self) -> str:
        return f" (stack {', '.join(self.stacks)})" if self.stacks else ""

    def _prompt_text(self, sign_in: SignIn, reason: str | None, msal_message: str) -> str:
        where = f"tenant {self.tenant_id}{self._stack_note()}"
        if not sign_in.signed_in:
            head = (
                f"Sign in for {where}. This one sign-in is used for every selected tenant; only a tenant "
                "that demands its own sign-in (MFA or consent there) asks again."
            )
        else:
            why = next((text for code, text in _REASONS.items() if reason and code in reason), None)
            head = f"{where[0].upper()}{where[1:]} needs its own sign-in" + (f": {why}." if why else ".")
        return f"{head}\n{msal_message}"


class ScopedTokenSource:
    """Tokens of ``provider`` for the named delegated ``scopes`` (see :meth:`TokenProvider.token_for_scopes`)."""

    def __init__(self, provider: TokenProvider, scopes: Sequence[str]) -> None:
        self.provider = provider
        self.scopes = tuple(scopes)

    def get_token(self) -> str:
        return self.provider.token_for_scopes(self.scopes)
