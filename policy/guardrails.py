"""The pack's policies, importable without the Pulumi engine (``__main__.py`` only serves them)."""

from __future__ import annotations

from pulumi_policy import Policy
from rules import (
    assignment_required_when_assigned,
    client_id_pinned,
    no_application_permissions,
    no_drift_suppression,
    protected,
    scopes_allowlisted,
)

PACK_NAME = "enpass-consent-guardrails"
PACK_DESCRIPTION = "Guardrails that stop consent creep for the Enpass service principal in Microsoft Entra ID."

POLICIES: list[Policy] = [
    scopes_allowlisted.POLICY,
    client_id_pinned.POLICY,
    no_application_permissions.POLICY,
    no_drift_suppression.POLICY,
    assignment_required_when_assigned.POLICY,
    protected.POLICY,
]
