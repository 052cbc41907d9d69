"""``enpass-consent consent-url``: the admin-consent link for a customer's own tenant (the manual path)."""

from __future__ import annotations

import os

import click

from enpass_consent import catalog, clouds, tenant_lookup
from enpass_consent.commands.common import UsageError, emit


@click.command("consent-url")
@click.option(
    "--tenant",
    required=True,
    metavar="TENANT",
    help="The customer's tenant: its id (a GUID) or any verified domain (contoso.com).",
)
def consent_url(tenant: str) -> int:
    """Print the v2 admin-consent URL that grants Enpass its scopes in TENANT.

    Always the customer's tenant id, never 'organizations' or 'common': those consent in the
    signed-in admin's home tenant, which for an MSP technician is the MSP's own. A domain is
    looked up (without credentials) and the link names the tenant id it belongs to.
    """
    try:
        ref = tenant_lookup.parse(tenant)
        if ref.tenant_id is None:
            ref = _resolve(ref)
    except (tenant_lookup.TenantLookupError, ValueError) as exc:
        raise UsageError(f"--tenant: {exc}") from None
    emit(clouds.admin_consent_url(clouds.GLOBAL, ref.tenant_id or "", catalog.ENPASS_SCOPE_NAMES), None)
    return 0


def _resolve(ref: tenant_lookup.TenantRef) -> tenant_lookup.TenantRef:
    from enpass_consent.graph.errors import ConfigurationError
    from enpass_consent.graph.session import build_session

    endpoints = clouds.endpoints(clouds.GLOBAL, os.environ)
    try:
        session = build_session(endpoints.ca_bundle, 1)
    except ConfigurationError as exc:
        raise ValueError(str(exc)) from None
    with session:
        return tenant_lookup.resolve(ref, endpoints.authority_host, session)
