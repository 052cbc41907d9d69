"""Graph tokens from the signed-in Azure CLI, as the azuread provider gets them.

The provider runs ``az account get-access-token`` with the scope of Microsoft Graph and ``--tenant``
(hashicorp/go-azure-sdk ``sdk/auth/azure_cli_authorizer.go``) and reads ``accessToken``,
``expiresOn`` (local time, ``YYYY-MM-DD HH:MM:SS.ffffff``), ``tenant`` and ``tokenType`` from its JSON
(the ``azureCliToken`` struct there); newer Azure CLI releases add ``expires_on`` (POSIX seconds),
which is preferred when present (Azure/azure-sdk-for-python ``azure-identity``
``_credentials/azure_cli.py`` reads the same fields). Here it runs as a list of arguments, no shell,
with a timeout, its colour output off (``AZURE_CORE_NO_COLOR``, as azure-identity does); on failure
its stderr is shown scrubbed, with the command that fixes it.

Two sign-ins of az refuse ``--tenant`` ("Tenant shouldn't be specified for Cloud Shell account" /
"... for managed identity account", Azure/azure-cli ``src/azure-cli-core/azure/cli/core/_profile.py``
``Profile.get_raw_token``). The provider leaves ``--tenant`` out in Cloud Shell
(``AZUREPS_HOST_ENVIRONMENT`` starting with ``cloud-shell/``, ``azure_cli_authorizer.go``), and so does this
module; the token's tenant is then checked against the stack's, so a Cloud Shell signed in to another
tenant is an error, never a read of the wrong tenant. An az signed in as a managed identity can only give
tokens for the identity's own tenant, so its refusal is explained, not worked around.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from enpass_consent.graph.credentials import AzureCli
from enpass_consent.graph.errors import AuthError, shorten
from enpass_consent.graph.redact import register_secret, scrub
from enpass_consent.graph.tokens import token_tenant

DEFAULT_TIMEOUT_SECONDS = 60.0
"""Enough for az's own token refresh against a slow network, short enough that a hung az ends."""
_EXPIRY_MARGIN_SECONDS = 300
CLOUD_SHELL_VARIABLE = "AZUREPS_HOST_ENVIRONMENT"
_CLOUD_SHELL_PREFIX = "cloud-shell/"
_MANAGED_IDENTITY_REFUSAL = "specified for managed identity account"
_NOT_SIGNED_IN_HINTS = ("az login", "az account set", "AADSTS50076", "AADSTS700082", "AADSTS50020", "AADSTS65001")

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


def in_cloud_shell(environ: Mapping[str, str]) -> bool:
    """Does this run in Azure Cloud Shell, as go-azure-sdk's Azure CLI authorizer tells?"""
    return environ.get(CLOUD_SHELL_VARIABLE, "").startswith(_CLOUD_SHELL_PREFIX)


class AzureCliTokenSource:
    """Tokens for one tenant from ``az``; each is reused until shortly before it expires."""

    def __init__(
        self,
        credential: AzureCli,
        tenant_id: str,
        resource: str,
        environ: Mapping[str, str],
        *,
        run: Runner = subprocess.run,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.credential = credential
        self.tenant_id = tenant_id
        self.resource = resource
        self._environ = {**environ, "AZURE_CORE_NO_COLOR": "true"}
        self.in_cloud_shell = in_cloud_shell(environ)
        self._run = run
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[str, float] | None = None

    @property
    def argv(self) -> list[str]:
        tenant = [] if self.in_cloud_shell else ["--tenant", self.tenant_id]
        return [
            self.credential.executable,
            "account",
            "get-access-token",
            *tenant,
            "--resource",
            self.resource,
            "--output",
            "json",
        ]

    def get_token(self) -> str:
        """A current access token. Raises :class:`AuthError` with az's scrubbed message and the fix."""
        with self._lock:
            if self._cached is not None and self._clock() < self._cached[1] - _EXPIRY_MARGIN_SECONDS:
                return self._cached[0]
            token, expires_at = self._ask_az()
            self._cached = (token, expires_at)
            return token

    def _ask_az(self) -> tuple[str, float]:
        try:
            completed = self._run(
                self.argv,
                capture_output=True,
                text=True,
                timeout=self._timeout,
                stdin=subprocess.DEVNULL,
                env=self._environ,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise AuthError(
                f"Azure CLI did not answer within {self._timeout:g} s for tenant {self.tenant_id} "
                "(az account get-access-token)"
            ) from None
        except OSError as exc:
            raise AuthError(f"cannot run the Azure CLI ({self.credential.executable}): {type(exc).__name__}") from None
        if completed.returncode != 0:
            raise AuthError(self._failure(completed.stderr or completed.stdout or ""))
        return self._parse(completed.stdout)

    def _failure(self, output: str) -> str:
        detail = shorten(scrub(output).strip()) or "exit code without a message"
        fix = f"run az login --tenant {self.tenant_id} --allow-no-subscriptions"
        if _MANAGED_IDENTITY_REFUSAL in output:
            return (
                f"the Azure CLI is signed in as a managed identity (az login --identity), which has tokens only for "
                f"its own tenant, not for tenant {self.tenant_id}: {detail}; use ARM_USE_MSI=true in the identity's "
                f"own tenant, or {fix}"
            )
        if any(hint in output for hint in _NOT_SIGNED_IN_HINTS):
            return f"the Azure CLI has no usable sign-in for tenant {self.tenant_id}: {detail}; {fix}"
        return (
            f"az account get-access-token failed for tenant {self.tenant_id}: {detail} "
            f"(if you are not signed in: {fix})"
        )

    def _parse(self, stdout: str) -> tuple[str, float]:
        try:
            body: Any = json.loads(stdout)
        except ValueError:
            raise AuthError(f"the Azure CLI answered tenant {self.tenant_id} with something other than JSON") from None
        token = body.get("accessToken") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError(f"the Azure CLI's answer for tenant {self.tenant_id} has no accessToken")
        register_secret(token)
        tenant = body.get("tenant") or token_tenant(token)
        if isinstance(tenant, str) and tenant.lower() != self.tenant_id.lower():
            where = ""
            if self.in_cloud_shell:
                where = " (in Azure Cloud Shell az gives tokens only for the tenant it is signed in to)"
            raise AuthError(
                f"the Azure CLI returned a token for tenant {tenant}, not {self.tenant_id}{where}; "
                f"run az login --tenant {self.tenant_id} --allow-no-subscriptions"
            )
        return token, _expires_at(body)


def _expires_at(body: dict[str, Any]) -> float:
    """``expires_on`` (POSIX seconds) when az gives it, else ``expiresOn`` (a naive local time)."""
    posix = body.get("expires_on")
    if isinstance(posix, int | float) or (isinstance(posix, str) and posix.isdigit()):
        return float(posix)
    local = body.get("expiresOn")
    if isinstance(local, str):
        try:
            return datetime.datetime.strptime(local, "%Y-%m-%d %H:%M:%S.%f").timestamp()
        except ValueError:
            pass
    return 0.0  # unknown expiry: ask az again next time (az keeps its own cache)
