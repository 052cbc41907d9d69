"""The audit-log reads of one tenant with findings: one more ``$batch`` (one round trip when each read fits a page).

Events concern Enpass in two ways, and both are read in the same ``$batch``:

- the Enpass SP is a **target** (``Consent to application``, app role assignments, ``Update service
  principal``): ``targetResources/any(t: t/id eq '{enpass}')``;
- a delegated grant's events name the **resource** SP (Microsoft Graph) as their target and the client
  SP in the modified property ``ServicePrincipal.ObjectID`` (assumption from published detection queries,
  see docs/findings.md): one read per delegated-grant activity on Microsoft Graph's SP, of which only
  the events naming Enpass's SP are kept. Microsoft's restore-permissions script finds removals by the
  client's id as a target too (https://learn.microsoft.com/entra/identity/enterprise-apps/restore-permissions),
  so an event can come back from both reads: they are merged by event id.

``$filter`` on ``activityDateTime ge``, ``activityDisplayName eq`` and ``targetResources/any(t: t/id eq …)``:
https://learn.microsoft.com/graph/api/directoryaudit-list (``eq``, ``ge``, ``le``, ``startswith``) and
https://learn.microsoft.com/graph/filter-query-parameter (lambda ``any``). Paging follows
``@odata.nextLink`` (the client merges the pages of a ``$batch`` item).

When the window is longer than 7 days, the tenant's licences are read in the same ``$batch``: without
Microsoft Entra ID P1/P2 the log keeps 7 days
(https://learn.microsoft.com/entra/identity/monitoring-health/reference-reports-data-retention), and a
window the log cannot cover would report "no event" for changes it never kept.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from enpass_consent import catalog
from enpass_consent.attribution import FREE_RETENTION_DAYS
from enpass_consent.attribution.events import AuditEvent
from enpass_consent.audit.collect import odata_string
from enpass_consent.graph.client import BatchRequest, BatchResult, GraphClient
from enpass_consent.graph.errors import ConsentRequiredError, GraphClientError, PermissionDeniedError, shorten

AUDIT_LOG_PATH = "/auditLogs/directoryAudits"
ENPASS_TARGET = "audit:enpass"
SKUS = "audit:licences"
# "Add delegated permission grant" and "Remove delegated permission grant" are in Microsoft's list
# (reference-audit-activities, Core Directory); "Update delegated permission grant" is an assumption (the
# issue's list; a PATCH of a grant's scope is not in that list by name).
DELEGATED_GRANT_ACTIVITIES = (
    "Add delegated permission grant",
    "Update delegated permission grant",
    "Remove delegated permission grant",
)
CLIENT_PROPERTY = "ServicePrincipal.ObjectID"
_P1_PLAN_IDS = {plan.service_plan_id for plan in catalog.ENTRA_ID_P1_PLANS}


@dataclass(frozen=True)
class AuditLogRead:
    """The events of the window that concern Enpass, or why they could not be read."""

    events: tuple[AuditEvent, ...] = ()
    unavailable: str | None = None


def since_text(now: datetime.datetime, days: int) -> str:
    """The window's start, UTC, whole seconds: ``2026-11-01T08:00:00Z``."""
    start = now.astimezone(datetime.UTC) - datetime.timedelta(days=days)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def audit_log_url(since: str, target_id: str, activity: str | None = None) -> str:
    clauses = [f"activityDateTime ge {since}"]
    if activity is not None:
        clauses.append(f"activityDisplayName eq {odata_string(activity)}")
    clauses.append(f"targetResources/any(t: t/id eq {odata_string(target_id)})")
    return f"{AUDIT_LOG_PATH}?$filter={quote(' and '.join(clauses), safe='')}"


def grant_read_id(index: int) -> str:
    return f"audit:grants:{index}"


def requests_for(since: str, enpass_sp_id: str, graph_sp_id: str | None, days: int) -> list[BatchRequest]:
    requests = [BatchRequest(ENPASS_TARGET, audit_log_url(since, enpass_sp_id))]
    if graph_sp_id:
        requests += [
            BatchRequest(grant_read_id(index), audit_log_url(since, graph_sp_id, activity))
            for index, activity in enumerate(DELEGATED_GRANT_ACTIVITIES)
        ]
    if days > FREE_RETENTION_DAYS:
        requests.append(BatchRequest(SKUS, "/subscribedSkus?$select=capabilityStatus,servicePlans,skuPartNumber"))
    return requests


def read_audit_log(
    client: GraphClient, enpass_sp_id: str, graph_sp_id: str | None, since: str, days: int
) -> AuditLogRead:
    """Never raises for Graph's answers: whatever keeps the log from being read is the ``unavailable`` reason."""
    try:
        results = client.batch(requests_for(since, enpass_sp_id, graph_sp_id, days))
    except ConsentRequiredError as exc:
        return AuditLogRead(unavailable=consent_missing(exc))
    except GraphClientError as exc:
        return AuditLogRead(unavailable=f"the audit log could not be read: {shorten(str(exc), 300)}")
    if SKUS in results:
        retention = _licence_problem(results[SKUS], days)
        if retention is not None:
            return AuditLogRead(unavailable=retention)
    events: dict[str, AuditEvent] = {}
    for read_id, result in results.items():
        if read_id == SKUS:
            continue
        if not result.ok:
            return AuditLogRead(unavailable=_read_failure(result))
        for item in _values(result):
            event = AuditEvent.from_graph(item)
            if event is None:
                continue
            if read_id != ENPASS_TARGET and not names_client(event, enpass_sp_id):
                continue
            events.setdefault(event.event_id or f"{event.activity}|{event.at.isoformat()}|{len(events)}", event)
    return AuditLogRead(events=tuple(events.values()))


def names_client(event: AuditEvent, enpass_sp_id: str) -> bool:
    """Whether a delegated-grant event is about a grant whose client is Enpass's SP."""
    wanted = enpass_sp_id.lower()
    if wanted in event.target_ids():
        return True
    return any(wanted in f"{prop.new_value} {prop.old_value}".lower() for prop in event.properties(CLIENT_PROPERTY))


def consent_missing(exc: ConsentRequiredError) -> str:
    """A person's sign-in whose client has no consent to the audit log's scopes here (AADSTS65001)."""
    return (
        f"the sign-in client {exc.client_id} has no consent to {' and '.join(exc.scopes)} in this tenant "
        "(AADSTS65001 consent_required), so the audit log was not read and nothing was asked: an administrator "
        "consents to them for that client, and the person needs a role that may read audit logs "
        "(docs/permissions.md#attribution)"
    )


def _read_failure(result: BatchResult) -> str:
    error = result.error()
    if isinstance(error, PermissionDeniedError) or result.status == 403:
        return (
            "the audit log needs AuditLog.Read.All (with Directory.Read.All) and a role that may read it "
            "(Reports Reader, Security Reader): Graph answered 403 (docs/permissions.md#attribution)"
        )
    return f"the audit log could not be read: {shorten(str(error), 300)}"


def _licence_problem(result: BatchResult, days: int) -> str | None:
    hint = f"run with --attribution-days {FREE_RETENTION_DAYS} or less"
    if not result.ok:
        return (
            f"the tenant's licences could not be read (Graph answered {result.status}), so it is unknown whether "
            f"its audit log reaches back {days} days; {hint}"
        )
    for sku in _values(result):
        if str(sku.get("capabilityStatus", "")).lower() != "enabled":
            continue
        for plan in sku.get("servicePlans") or []:
            if (
                isinstance(plan, Mapping)
                and str(plan.get("provisioningStatus", "")).lower() == "success"
                and str(plan.get("servicePlanId", "")).lower() in _P1_PLAN_IDS
            ):
                return None
    return (
        f"without Microsoft Entra ID P1 or P2 the audit log keeps {FREE_RETENTION_DAYS} days, not the {days} "
        f"asked for; {hint}"
    )


def _values(result: BatchResult) -> list[Mapping[str, Any]]:
    body = result.body if isinstance(result.body, Mapping) else {}
    value = body.get("value")
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
