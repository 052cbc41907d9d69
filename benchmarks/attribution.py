"""``--attribution`` in the fleet benchmark: tenants whose drift the audit log explains, and what the control adds.

A share of the N tenants has drift **and** the audit events that explain it, recorded with the emulator's
helpers (:mod:`enpass_consent.emulator.audit_events`): an administrator consents to ``Mail.Read`` in the
portal (``Consent to application`` + ``Add delegated permission grant``, one correlation id: finding
``SCOPE_EXTRA``) and assigns a user (``Add app role assignment grant to user``: ``ASSIGNMENT_EXTRA``).
Every tenant has Microsoft Entra ID P1 (the 30-day window is kept, so the window check passes) and the
benchmark's app holds ``AuditLog.Read.All`` besides the defaults, ``Directory.Read.All`` among them
(https://learn.microsoft.com/graph/api/directoryaudit-list: "AuditLog.Read.All and Directory.Read.All").

The tool then costs 3 round trips for a tenant in sync and 4 for a tenant with findings (the audit-log
``$batch``, when its reads fit one page). The control makes exactly those requests: it is told which
tenants have drift (it evaluates nothing), takes the two service principal ids from its first ``$batch``
answer and posts the audit-log ``$batch`` of :func:`enpass_consent.attribution.collect.requests_for`,
following ``@odata.nextLink`` of each item in further ``$batch`` rounds as the tool's client does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from enpass_consent.attribution import DEFAULT_DAYS
from enpass_consent.attribution.collect import requests_for
from enpass_consent.audit.collect import GRAPH_SP, SP
from enpass_consent.emulator import audit_events, scenarios
from enpass_consent.emulator.audit_events import ago
from enpass_consent.emulator.state import DEFAULT_CLIENT_ROLES, Tenant
from enpass_consent.graph.client import BatchRequest

DAYS = DEFAULT_DAYS
"""``--attribution-days`` of the benchmark: the default (30), so the tenant's licences are read too."""
AUDIT_READER_ROLES = (*DEFAULT_CLIENT_ROLES, "AuditLog.Read.All")
EXPLAINED_FINDINGS = ("SCOPE_EXTRA", "ASSIGNMENT_EXTRA")
"""The findings of a tenant with drift, each explained by an event in the window."""


def drifted(ids: Sequence[str], share: float) -> list[str]:
    """``round(share * N)`` tenants, spread evenly over ``ids`` (so every part of the run meets some)."""
    wanted = round(share * len(ids))
    if wanted <= 0:
        return []
    step = len(ids) / wanted
    return [ids[int(index * step)] for index in range(wanted)]


def tenant(tenant_id: str, *, drift: bool) -> Tenant:
    """An in-sync tenant the benchmark's app may audit and read the audit log of; with ``drift``, two changes."""
    built = scenarios.in_sync_tenant(tenant_id, client_roles=list(AUDIT_READER_ROLES))
    if drift:
        admin = scenarios.add_user(built, "Admin")
        eve = scenarios.add_user(built, "Eve")
        audit_events.person_consents(built, admin, ["Mail.Read"], at=ago(days=2))
        audit_events.admin_assigns(built, admin, eve, at=ago(hours=5))
    scenarios.add_entra_id_p1(built)
    return built


def audit_log_requests(base_answers: Mapping[str, Any], since: str) -> list[BatchRequest]:
    """The tool's audit-log ``$batch`` items, from the first ``$batch``'s answers (bodies keyed by item id)."""
    enpass_sp_id = str(base_answers[SP]["id"])
    graph_sp_id = str(base_answers[GRAPH_SP].get("id") or "") or None
    return requests_for(since, enpass_sp_id, graph_sp_id, DAYS)
