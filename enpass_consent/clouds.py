"""Login and Microsoft Graph endpoints per cloud: the only place that names a Microsoft host.

Hosts: https://learn.microsoft.com/graph/deployments and
https://learn.microsoft.com/entra/identity-platform/authentication-national-cloud
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from enpass_consent import catalog


@dataclass(frozen=True)
class Cloud:
    """One Microsoft cloud instance, named as the azuread provider's ``environment`` names it."""

    name: str
    login_host: str
    """Base URL of the Entra login service (the MSAL authority host)."""
    graph_root: str
    """Base URL of Microsoft Graph, without the version segment."""
    enpass_published: bool
    """Whether the Enpass multi-tenant app exists in this cloud."""


GLOBAL = Cloud("global", "https://login.microsoftonline.com", "https://graph.microsoft.com", True)
# No source says Enpass is registered outside the global cloud; each national cloud is a separate
# instance with separate app registrations.
US_GOV_L4 = Cloud("usgovernmentl4", "https://login.microsoftonline.us", "https://graph.microsoft.us", False)
US_GOV_L5 = Cloud("usgovernmentl5", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us", False)
CHINA = Cloud("china", "https://login.partner.microsoftonline.cn", "https://microsoftgraph.chinacloudapi.cn", False)

CLOUDS: dict[str, Cloud] = {c.name: c for c in (GLOBAL, US_GOV_L4, US_GOV_L5, CHINA)}
# Spellings the azuread provider also accepts for the same clouds.
ALIASES: dict[str, str] = {"public": "global", "usgovernment": "usgovernmentl4", "dod": "usgovernmentl5"}

AUTHORITY_HOST_ENV = "ENPASS_CONSENT_AUTHORITY_HOST"
GRAPH_URL_ENV = "ENPASS_CONSENT_GRAPH_URL"
CA_BUNDLE_ENV = "ENPASS_CONSENT_CA_BUNDLE"


def lookup(name: str) -> Cloud | None:
    """The cloud called ``name`` (case-insensitive, aliases allowed), or None."""
    key = name.strip().lower()
    return CLOUDS.get(ALIASES.get(key, key))


@dataclass(frozen=True)
class Endpoints:
    """Where the CLI signs in and reads Graph for one stack, after environment overrides."""

    cloud: Cloud
    authority_host: str
    graph_root: str
    ca_bundle: str | None

    def authority(self, tenant_id: str) -> str:
        return f"{self.authority_host}/{tenant_id}"

    @property
    def graph_base(self) -> str:
        """Root of v1.0 requests."""
        return f"{self.graph_root}/v1.0"

    @property
    def token_scope(self) -> str:
        # The scope follows the cloud's Graph root, not the override: an emulator or private
        # endpoint still issues tokens for the real audience.
        return f"{self.cloud.graph_root}/.default"

    @property
    def authority_label(self) -> str:
        """The login host for messages, naming the variable that set it when it is not the cloud's own."""
        return _label(self.authority_host, self.cloud.login_host, AUTHORITY_HOST_ENV)

    @property
    def graph_label(self) -> str:
        """The Graph root for messages, naming the variable that set it when it is not the cloud's own."""
        return _label(self.graph_root, self.cloud.graph_root, GRAPH_URL_ENV)

    @property
    def is_well_known(self) -> bool:
        """True when the authority host is the cloud's own (MSAL then skips instance discovery)."""
        return self.authority_host == self.cloud.login_host


def _label(url: str, cloud_url: str, variable: str) -> str:
    return url if url == cloud_url else f"{url} (from {variable})"


def endpoints(cloud: Cloud, environ: Mapping[str, str] | None = None) -> Endpoints:
    """Endpoints for ``cloud``, with the ``ENPASS_CONSENT_*`` overrides of ``environ`` applied."""
    env = os.environ if environ is None else environ
    authority_host = (env.get(AUTHORITY_HOST_ENV) or cloud.login_host).rstrip("/")
    graph_root = (env.get(GRAPH_URL_ENV) or cloud.graph_root).rstrip("/")
    for key, url in ((AUTHORITY_HOST_ENV, authority_host), (GRAPH_URL_ENV, graph_root)):
        if not url.startswith("https://"):
            raise ValueError(f"{key} must be an https:// URL (got {url!r}); TLS is never turned off")
    return Endpoints(cloud, authority_host, graph_root, env.get(CA_BUNDLE_ENV) or None)


def admin_consent_url(cloud: Cloud, tenant_id: str, scope_names: tuple[str, ...] | list[str]) -> str:
    """The v2 admin-consent URL that grants ``scope_names`` to Enpass in ``tenant_id``.

    Always the customer's tenant id: ``organizations`` or ``common`` would consent in the signed-in
    admin's home tenant, which for an MSP technician is the MSP's own.
    """
    scopes = " ".join(name if name in catalog.OPENID_SCOPES else f"{cloud.graph_root}/{name}" for name in scope_names)
    query = urlencode(
        {"client_id": catalog.ENPASS_APP_ID, "scope": scopes, "redirect_uri": catalog.ENPASS_REDIRECT_URI}
    )
    return f"{cloud.login_host}/{tenant_id}/v2.0/adminconsent?{query}"
