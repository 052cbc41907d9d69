"""Attribution for one audited tenant: decide whether to read, read, match. Never fails the tenant."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from enpass_consent.attribution.collect import read_audit_log, since_text
from enpass_consent.attribution.match import last_changes
from enpass_consent.attribution.result import Attribution, AttributionStatus
from enpass_consent.audit.result import Status, TenantResult
from enpass_consent.audit.state import TenantState
from enpass_consent.graph.client import GraphClient
from enpass_consent.graph.errors import GraphClientError, shorten

NOT_AUDITED = "the tenant could not be audited, so there is nothing to attribute"
IN_SYNC = "in sync: nothing to attribute, the audit log was not read"
NO_SERVICE_PRINCIPAL = (
    "Enpass has no service principal in this tenant: there is no object whose audit events could be read"
)


def attribute(
    result: TenantResult,
    state: TenantState | None,
    audit_log_client: Callable[[], GraphClient],
    days: int,
    now: datetime.datetime,
) -> TenantResult:
    """``result`` with its ``attribution`` and, when the log was read, each finding's last change.

    Only a tenant with drift findings reads the log (one more ``$batch``): a tenant in sync costs what it
    costs without attribution. ``audit_log_client`` is called only then (a person's sign-in may need a
    token of its own for AuditLog.Read.All).
    """
    since = since_text(now, days)
    if result.status is Status.ERROR or state is None:
        return result.with_attribution(Attribution.unavailable(since, NOT_AUDITED))
    if result.status is Status.IN_SYNC:
        return result.with_attribution(Attribution(AttributionStatus.OK, since, IN_SYNC))
    sp = state.service_principal
    if sp is None:
        return result.with_attribution(Attribution.unavailable(since, NO_SERVICE_PRINCIPAL))
    try:
        client = audit_log_client()
    except (GraphClientError, ValueError) as exc:
        return result.with_attribution(
            Attribution.unavailable(since, f"no token to read the audit log: {shorten(str(exc), 300)}")
        )
    read = read_audit_log(client, sp.object_id, state.graph_service_principal_id, since, days)
    if read.unavailable is not None:
        return result.with_attribution(Attribution.unavailable(since, read.unavailable))
    changes = last_changes(result.findings, read.events, state)
    return result.with_attribution(Attribution(AttributionStatus.OK, since), changes)
