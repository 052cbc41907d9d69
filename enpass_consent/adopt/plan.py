"""Which existing objects a stack adopts, and what the first ``pulumi up`` after adopting does. Pure.

Only what the settings describe is adopted: the SP (by ``use_existing``, never by import), the
tenant-wide grant on Microsoft Graph (when ``tenantWideConsent``), per-user grants of ``consentUsers``,
and the assignments of ``groups``/``users`` entries. Every property of the SP that ``pulumi up`` sets to
another value is listed (``enpass_consent.service_principal``). Everything else is listed as ``audit``
reports it, and never adopted or deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from enpass_consent import catalog
from enpass_consent.audit.evaluate import evaluate
from enpass_consent.audit.state import Grant, TenantState
from enpass_consent.findings import Finding
from enpass_consent.service_principal import PropertyChange, changes_on_existing
from enpass_consent.settings import Adoption, Assignee, Settings

# The first Pulumi CLI that imports a resource whose inputs differ and then updates it in the same
# deployment: pulumi/pulumi CHANGELOG v3.174.0 "[engine] Overhaul of how the import option works" (#19339);
# v3.175.0 fixed a panic when importing (#19750). Older CLIs stop with "inputs to import do not match the
# existing resource".
MIN_PULUMI_CLI = "3.175.0"

# Findings the next `pulumi up` resolves (after importing), and how.
_PULUMI_UP_ACTIONS = {
    "SCOPE_EXTRA": "`pulumi up` will remove it from the grant",
    "SCOPE_MISSING": "`pulumi up` will add it to the grant",
    "GRANT_MISSING": "`pulumi up` will create it",
    "USER_GRANT_MISSING": "`pulumi up` will create it",
    "ASSIGNMENT_MISSING": "`pulumi up` will create it",
}
# Findings about the SP's own properties: listed, with every other property `pulumi up` sets, as SP changes.
_SERVICE_PRINCIPAL_CODES = frozenset({"SP_DISABLED", "SP_ENABLED", "ASSIGNMENT_REQUIRED_MISMATCH"})


@dataclass(frozen=True)
class AdoptedObject:
    kind: str
    """``service principal``, ``tenant-wide grant``, ``user grant`` or ``assignment``."""
    object_id: str
    detail: str


@dataclass(frozen=True)
class AdoptionPlan:
    adoption: Adoption | None
    """None: the tenant has no Enpass SP, so there is nothing to adopt."""
    adopted: tuple[AdoptedObject, ...] = ()
    changes: tuple[str, ...] = ()
    """What the first `pulumi up` after adopting changes in the tenant (grants and assignments)."""
    service_principal_changes: tuple[PropertyChange, ...] = ()
    """Every property of the existing SP that `pulumi up` sets to another value."""
    left_alone: tuple[Finding, ...] = ()
    """Audit findings about objects the stack does not describe: never adopted, never deleted."""


def plan_adoption(settings: Settings, state: TenantState) -> AdoptionPlan:
    sp = state.service_principal
    if sp is None:
        return AdoptionPlan(None)
    adopted = [AdoptedObject("service principal", sp.object_id, f"Enpass ({sp.app_id}), through use_existing")]

    grant_id = None
    if settings.tenant_wide_consent:
        grant = state.tenant_wide_grant()
        if grant is not None:
            grant_id = grant.grant_id
            adopted.append(AdoptedObject("tenant-wide grant", grant.grant_id, _scopes(grant)))

    user_grant_ids: dict[str, str] = {}
    for user_id in settings.consent_user_ids:
        user_grant = state.user_grant(user_id)
        if user_grant is not None:
            user_grant_ids[user_id] = user_grant.grant_id
            adopted.append(AdoptedObject("user grant", user_grant.grant_id, f"user {user_id}: {_scopes(user_grant)}"))

    assignment_ids: dict[str, str] = {}
    for assignee in settings.assignees:
        assignment_id = _assignment_id(assignee, state)
        if assignment_id is not None:
            assignment_ids[assignee.entry] = assignment_id
            adopted.append(AdoptedObject("assignment", assignment_id, f"{assignee.kind.value} {assignee.entry!r}"))

    findings = evaluate(settings, state)
    unresolved = {
        a.entry for a in settings.groups if a.object_id is None and len(state.group_matches.get(a.entry, ())) != 1
    }
    changes = tuple(
        f"{finding.message} -> {_pulumi_up_action(finding, unresolved)}."
        for finding in findings
        if finding.code in _PULUMI_UP_ACTIONS
    )
    left_alone = tuple(
        finding
        for finding in findings
        if finding.code not in _PULUMI_UP_ACTIONS and finding.code not in _SERVICE_PRINCIPAL_CODES
    )
    return AdoptionPlan(
        Adoption(sp.object_id, grant_id, user_grant_ids, assignment_ids),
        tuple(adopted),
        changes,
        changes_on_existing(settings, sp),
        left_alone,
    )


def _pulumi_up_action(finding: Finding, unresolved_group_names: set[str]) -> str:
    if finding.code == "ASSIGNMENT_MISSING" and finding.expected in unresolved_group_names:
        # The program resolves group names before registering anything, so it stops instead.
        return (
            "`pulumi up` will stop with an error until the name matches exactly one security group "
            "(or the stack uses the group's object id)"
        )
    return _PULUMI_UP_ACTIONS[finding.code]


def _assignment_id(assignee: Assignee, state: TenantState) -> str | None:
    """The default-access assignment of the entry's principal (a group name must match exactly one group)."""
    principal_ids = state.principal_ids(assignee)
    if len(principal_ids) != 1:
        return None
    return next(
        (
            a.assignment_id
            for a in state.assigned_to
            if a.principal_id == principal_ids[0] and a.app_role_id == catalog.DEFAULT_ACCESS_APP_ROLE_ID
        ),
        None,
    )


def _scopes(grant: Grant) -> str:
    return " ".join(grant.scopes) or "(no scopes)"
