"""Live state x settings -> findings. Pure: no I/O, no clock, deterministic order."""

from __future__ import annotations

from collections.abc import Iterable

from enpass_consent import catalog
from enpass_consent.audit.state import ALL_PRINCIPALS, PRINCIPAL, Grant, TenantState
from enpass_consent.findings import Finding, Severity, finding
from enpass_consent.render import plain_value
from enpass_consent.settings import ADOPT, ADOPT_SERVICE_PRINCIPAL, Settings

# Sign-in scopes grant no data access: held without being asked for, they are informational.
_SIGN_IN_SCOPES = frozenset(s.lower() for s in catalog.SIGN_IN_SCOPE_NAMES)


def evaluate(settings: Settings, state: TenantState) -> list[Finding]:
    """Every difference between the tenant and its stack, one finding per scope, principal or object."""
    sp = state.service_principal
    if sp is None:
        return [
            finding(
                "SP_MISSING",
                "Enpass has no service principal in this tenant: nobody has consented yet.",
                expected=catalog.ENPASS_APP_ID,
            )
        ]
    findings: list[Finding] = []
    # A stack that turns Enpass off (accountEnabled: false) is in sync with a disabled SP.
    if not sp.account_enabled and settings.account_enabled:
        findings.append(finding("SP_DISABLED", "The Enpass service principal is disabled.", object_id=sp.object_id))
    if sp.account_enabled and not settings.account_enabled:
        findings.append(
            finding(
                "SP_ENABLED",
                "The Enpass service principal is enabled, the stack turns Enpass off (accountEnabled: false).",
                object_id=sp.object_id,
                expected=False,
                actual=True,
            )
        )
    if sp.app_role_assignment_required != settings.assignment_required:
        findings.append(
            finding(
                "ASSIGNMENT_REQUIRED_MISMATCH",
                f"appRoleAssignmentRequired is {plain_value(sp.app_role_assignment_required)}, "
                f"the stack says {plain_value(settings.assignment_required)}.",
                object_id=sp.object_id,
                expected=settings.assignment_required,
                actual=sp.app_role_assignment_required,
            )
        )
    findings += _grant_findings(settings, state)
    findings += _app_permission_findings(state)
    findings += _assignment_findings(settings, state)
    return findings


def recorded_service_principal_mismatch(recorded_object_id: str | None, state: TenantState) -> str | None:
    """An error message when the stack's adopt block names another SP than the tenant's Enpass SP, else None.

    The recorded id builds the assignments' import ids; another SP's id means the block was copied from
    another tenant's stack file, or Enpass was deleted and consented again since it was written.
    """
    sp = state.service_principal
    if recorded_object_id is None or sp is None or sp.object_id.lower() == recorded_object_id.lower():
        return None
    return (
        f"{ADOPT}.{ADOPT_SERVICE_PRINCIPAL} records service principal {recorded_object_id}, but the tenant's Enpass "
        f"service principal is {sp.object_id.lower()}: the adopt block belongs to another service principal (a stack "
        "file copied from another tenant, or Enpass deleted and consented again); remove the block and run "
        "`enpass-consent adopt` again"
    )


def _grant_findings(settings: Settings, state: TenantState) -> list[Finding]:
    graph_id = (state.graph_service_principal_id or "").lower()
    findings: list[Finding] = []
    tenant_wide_seen = False
    users_seen: set[str] = set()
    for grant in sorted(state.grants, key=lambda g: g.grant_id):
        if grant.resource_id != graph_id:
            findings.append(
                finding(
                    "FOREIGN_GRANT",
                    f"Grant {grant.grant_id} ({grant.consent_type}) is on resource {grant.resource_id}, "
                    "not Microsoft Graph.",
                    object_id=grant.grant_id,
                    actual=grant.resource_id,
                )
            )
            continue
        if grant.consent_type == ALL_PRINCIPALS:
            tenant_wide_seen = True
            if settings.tenant_wide_consent:
                findings += _scope_findings(settings, grant)
            else:
                findings.append(
                    finding(
                        "GRANT_UNEXPECTED",
                        f"Tenant-wide grant {grant.grant_id} exists, but the stack consents per user only.",
                        object_id=grant.grant_id,
                    )
                )
        elif grant.consent_type == PRINCIPAL and grant.principal_id in settings.consent_user_ids:
            users_seen.add(grant.principal_id)
            findings += _scope_findings(settings, grant)
        else:
            findings.append(
                finding(
                    "USER_GRANT",
                    f"User {grant.principal_id} consented to Enpass for themselves (grant {grant.grant_id}: "
                    f"{' '.join(grant.scopes)}).",
                    object_id=grant.grant_id,
                    actual=grant.principal_id,
                )
            )
    if settings.tenant_wide_consent and not tenant_wide_seen:
        findings.append(
            finding(
                "GRANT_MISSING",
                "No tenant-wide grant to Microsoft Graph: users see 'Need admin approval'.",
            )
        )
    for user_id in settings.consent_user_ids:
        if user_id not in users_seen:
            findings.append(
                finding(
                    "USER_GRANT_MISSING",
                    f"User {user_id} is in consentUsers but has no grant.",
                    expected=user_id,
                )
            )
    return findings


def _scope_findings(settings: Settings, grant: Grant) -> list[Finding]:
    held = {scope.lower(): scope for scope in grant.scopes}
    wanted = {scope.lower(): scope for scope in settings.scopes}
    findings = [
        finding(
            "SCOPE_MISSING",
            f"Grant {grant.grant_id} lacks {scope}: users get 'Need admin approval' when Enpass asks for it.",
            object_id=grant.grant_id,
            expected=scope,
        )
        for key, scope in wanted.items()
        if key not in held
    ]
    for key, scope in held.items():
        if key in wanted:
            continue
        sign_in = key in _SIGN_IN_SCOPES
        findings.append(
            finding(
                "SCOPE_EXTRA",
                f"Grant {grant.grant_id} holds {scope}, which the stack does not ask for"
                + (" (a sign-in scope: no data access)." if sign_in else "."),
                object_id=grant.grant_id,
                actual=scope,
                severity=Severity.INFO if sign_in else None,
            )
        )
    return findings


def _app_permission_findings(state: TenantState) -> Iterable[Finding]:
    graph_id = (state.graph_service_principal_id or "").lower()
    for assignment in sorted(state.app_permissions, key=lambda a: a.assignment_id):
        resource = assignment.resource_display_name or "resource"
        name = state.graph_app_role_names.get(assignment.app_role_id) if assignment.resource_id == graph_id else None
        if name:
            permission = f"{name} (app role {assignment.app_role_id})"
        elif assignment.resource_id == graph_id:
            permission = f"app role {assignment.app_role_id} (not among Microsoft Graph's app roles)"
        else:
            # Only Microsoft Graph's roles are read (in the same batch); another API's would cost a read.
            permission = f"app role {assignment.app_role_id} (its name is not read for APIs other than Microsoft Graph)"
        yield finding(
            "APP_PERMISSION",
            f"Enpass holds application permission {permission} on {resource} {assignment.resource_id}: "
            "it can act without a signed-in user.",
            object_id=assignment.assignment_id,
            actual=assignment.app_role_id,
        )


def _assignment_findings(settings: Settings, state: TenantState) -> list[Finding]:
    assigned = {a.principal_id for a in state.assigned_to}
    expected: set[str] = set()
    findings: list[Finding] = []
    for assignee in settings.assignees:
        principal_ids = state.principal_ids(assignee)
        if len(principal_ids) != 1:
            matched = "no security group" if not principal_ids else f"{len(principal_ids)} security groups"
            findings.append(
                finding(
                    "ASSIGNMENT_MISSING",
                    f"Group name {assignee.entry!r} matches {matched}; it must match exactly one.",
                    expected=assignee.entry,
                )
            )
            expected.update(principal_ids)
            continue
        expected.add(principal_ids[0])
        if principal_ids[0] not in assigned:
            findings.append(
                finding(
                    "ASSIGNMENT_MISSING",
                    f"{assignee.kind.value.capitalize()} {assignee.entry!r} is not assigned to Enpass.",
                    expected=assignee.entry,
                )
            )
    for assignment in sorted(state.assigned_to, key=lambda a: a.assignment_id):
        if assignment.principal_id not in expected:
            name = f" ({assignment.principal_display_name})" if assignment.principal_display_name else ""
            findings.append(
                finding(
                    "ASSIGNMENT_EXTRA",
                    f"{assignment.principal_type or 'Principal'} {assignment.principal_id}{name} is assigned to "
                    "Enpass but not in the stack.",
                    object_id=assignment.assignment_id,
                    actual=assignment.principal_id,
                )
            )
    return findings
