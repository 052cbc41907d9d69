"""``enpass-consent consent-url``: the admin-consent link for a customer's own tenant (the manual path)."""

from __future__ import annotations

import uuid

import click

from enpass_consent import catalog, clouds
from enpass_consent.commands.common import UsageError, emit


@click.command("consent-url")
@click.option("--tenant", "tenant_id", required=True, metavar="TENANT_ID", help="The customer's tenant id (a GUID).")
def consent_url(tenant_id: str) -> int:
    """Print the v2 admin-consent URL that grants Enpass its scopes in TENANT_ID.

    Always the customer's tenant id, never 'organizations' or 'common': those consent in the
    signed-in admin's home tenant, which for an MSP technician is the MSP's own.
    """
    try:
        parsed = uuid.UUID(tenant_id)
    except ValueError:
        raise UsageError(
            f"--tenant: must be the customer's tenant id (a GUID), got {tenant_id!r}; "
            "'organizations' or 'common' would consent in the signed-in admin's home tenant"
        ) from None
    emit(clouds.admin_consent_url(clouds.GLOBAL, str(parsed), catalog.ENPASS_SCOPE_NAMES), None)
    return 0
