"""Graph tokens of an Azure managed identity (``ARM_USE_MSI``), through msal's ``ManagedIdentityClient``.

The provider asks the instance metadata service (IMDS) at ``http://169.254.169.254/metadata/identity/
oauth2/token`` with ``api-version=2018-02-01``, the resource and, for a user-assigned identity, its
``client_id``; ``ARM_MSI_ENDPOINT`` names another URL (hashicorp/go-azure-sdk
``sdk/auth/managed_identity_authorizer.go``). msal (``managed_identity.py``,
``_obtain_token_on_azure_vm``) makes the same request; its URL is fixed apart from the host, so a
custom endpoint is substituted in the HTTP client msal is given. msal chooses App Service, Azure
Arc, Service Fabric or Azure ML itself from the process environment (``IDENTITY_ENDPOINT`` …).

IMDS is plain http on a link-local address and is never reached through a proxy ("IMDS is not
intended to be used behind a proxy", https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service#proxies),
so it gets a session of its own; TLS endpoints (App Service, a custom https endpoint) keep the CA rules.
A managed identity belongs to one tenant: a token for another tenant than the stack's is refused.
"""

from __future__ import annotations

import threading
from typing import Any

import msal
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from enpass_consent.graph import session as graph_session
from enpass_consent.graph.credentials import ManagedIdentity
from enpass_consent.graph.errors import AuthError, GraphClientError, TransportError, shorten
from enpass_consent.graph.redact import register_secret, scrub
from enpass_consent.graph.session import DEFAULT_TIMEOUT, Timeout
from enpass_consent.graph.tokens import token_tenant

IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token"


class _MetadataHttpClient:
    """The ``http_client`` msal calls (``get``/``post``), sending IMDS requests to ``ARM_MSI_ENDPOINT`` if set."""

    def __init__(self, session: requests.Session, endpoint: str | None, timeout: Timeout) -> None:
        self._session = session
        self._endpoint = endpoint
        self._timeout = timeout

    def _url(self, url: str) -> str:
        return self._endpoint if self._endpoint and url.split("?", 1)[0].endswith(IMDS_TOKEN_PATH) else url

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return self._session.get(self._url(url), allow_redirects=False, **kwargs)

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self._timeout)
        return self._session.post(self._url(url), allow_redirects=False, **kwargs)

    def close(self) -> None:
        self._session.close()


def metadata_session(verify: str | bool, retry: Retry | None = None) -> requests.Session:
    """http and https, no proxy, no environment (``trust_env`` off), the run's CA rules for https."""
    session = requests.Session()
    session.trust_env = False
    # The session module's build_retry, looked up per call: the run's retry policy, one place to change it.
    adapter = HTTPAdapter(max_retries=retry or graph_session.build_retry())
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.verify = verify
    return session


class ManagedIdentityTokenSource:
    """Tokens of the machine's managed identity for ``resource``, in ``tenant_id`` only."""

    def __init__(
        self,
        credential: ManagedIdentity,
        tenant_id: str,
        resource: str,
        session: requests.Session,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.credential = credential
        self.tenant_id = tenant_id
        self.resource = resource
        identity: Any = (
            msal.UserAssignedManagedIdentity(client_id=credential.client_id)
            if credential.client_id
            else msal.SystemAssignedManagedIdentity()
        )
        self._http = _MetadataHttpClient(session, credential.endpoint, timeout)
        self._client = msal.ManagedIdentityClient(identity, http_client=self._http)
        self._lock = threading.Lock()

    def get_token(self) -> str:
        try:
            with self._lock:
                result = self._client.acquire_token_for_client(resource=self.resource)
        except GraphClientError:
            raise
        except requests.RequestException as exc:
            raise TransportError(
                f"no answer from the endpoint of the {self.credential.label} for tenant {self.tenant_id}: "
                f"{type(exc).__name__}: {shorten(scrub(exc))}"
            ) from None
        except Exception as exc:  # msal raises ManagedIdentityError (a ValueError), JSON errors alike
            raise AuthError(
                f"{self.credential.label} sign-in for tenant {self.tenant_id} failed: {type(exc).__name__}: "
                f"{shorten(scrub(exc))}"
            ) from None
        token = result.get("access_token") if isinstance(result, dict) else None
        if not isinstance(token, str) or not token:
            error = result.get("error") if isinstance(result, dict) else None
            description = result.get("error_description") if isinstance(result, dict) else None
            raise AuthError(
                f"the endpoint of the {self.credential.label} gave no token for tenant {self.tenant_id}",
                error_code=str(error) if error else "no_token",
                description=str(description) if description else None,
            )
        register_secret(token)
        tenant = token_tenant(token)
        if tenant is not None and tenant.lower() != self.tenant_id.lower():
            raise AuthError(
                f"the managed identity belongs to tenant {tenant}, not to the stack's tenant {self.tenant_id}: "
                "a managed identity signs in to its own tenant only"
            )
        return token
