"""Which audit event explains which finding: the one table (docs/findings.md#who-changed-it cites its sources).

A finding is explained by an event of one of its rule's activities whose content names the finding's
object: the scope added or removed (``DelegatedPermissionGrant.Scope`` old/new values, the scopes in
``ConsentAction.Permissions``), the user of a per-user grant (``DelegatedPermissionGrant.PrincipalId``,
or the person who consented for themselves), the assigned principal (a target of the assignment event),
the property changed on the SP (``AccountEnabled``, ``AppRoleAssignmentRequired`` of ``Update service
principal``), the app role (``AppRole.Id``). Only successful events explain (a failed change changed
nothing). Of the events that explain a finding the most recent wins; an event that does not explain
it never does, however recent. Pure: no I/O, no clock.

Activity names: Microsoft's audit activity list (Core Directory,
https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities). Property
names and value shapes: Microsoft's restore-permissions script
(https://learn.microsoft.com/entra/identity/enterprise-apps/restore-permissions: ``DelegatedPermissionGrant.Scope``,
``AppRole.Id``) and, where marked, published detection queries (assumption).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from enpass_consent.attribution.events import AuditEvent
from enpass_consent.attribution.result import LastChange
from enpass_consent.audit.state import ALL_PRINCIPALS, PRINCIPAL, Grant, TenantState
from enpass_consent.findings import Finding

ADD_GRANT = "Add delegated permission grant"
UPDATE_GRANT = "Update delegated permission grant"  # assumption: not in Microsoft's list by this name
REMOVE_GRANT = "Remove delegated permission grant"
CONSENT = "Consent to application"
UPDATE_SP = "Update service principal"
ADD_ROLE_TO_SP = "Add app role assignment to service principal"
ADD_ROLE_TO_GROUP = "Add app role assignment to group"
# Microsoft's list has "Remove app role assignment from user" but no "Add … to user"; this name is the one
# published detection queries use (assumption).
ADD_ROLE_TO_USER = "Add app role assignment grant to user"
REMOVE_ROLE_FROM_SP = "Remove app role assignment from service principal"
REMOVE_ROLE_FROM_GROUP = "Remove app role assignment from group"
REMOVE_ROLE_FROM_USER = "Remove app role assignment from user"

SCOPE = "DelegatedPermissionGrant.Scope"
CONSENT_TYPE = "DelegatedPermissionGrant.ConsentType"  # assumption: detection queries
GRANT_PRINCIPAL = "DelegatedPermissionGrant.PrincipalId"  # assumption: detection queries
CONSENT_PERMISSIONS = "ConsentAction.Permissions"  # assumption: detection queries / consent investigation
ON_BEHALF_OF_ALL = "ConsentContext.OnBehalfOfAll"  # assumption: detection queries / consent investigation
ACCOUNT_ENABLED = "AccountEnabled"
ASSIGNMENT_REQUIRED = "AppRoleAssignmentRequired"
APP_ROLE_ID = "AppRole.Id"

# ConsentAction.Permissions holds the grants as text: "[[Id: …, ClientId: …, PrincipalId: …, ResourceId: …,
# ConsentType: AllPrincipals, Scope:  User.Read Mail.Read, CreatedDateTime: …]]" (assumption: the shape the
# published consent-grant detection queries parse).
_PERMISSION_FIELD = re.compile(r"(Scope|ConsentType|PrincipalId|ResourceId)\s*[:=]\s*([^,\]]*)", re.IGNORECASE)


@dataclass(frozen=True)
class Context:
    state: TenantState

    def grant(self, grant_id: str | None) -> Grant | None:
        return next((g for g in self.state.grants if g.grant_id == grant_id), None)


Explains = Callable[[AuditEvent, Finding, Context], bool]


@dataclass(frozen=True)
class Rule:
    """How findings of one code are explained: the activities, and what in the event must name the object."""

    activities: tuple[str, ...]
    evidence: str
    explains: Explains


def _scopes(text: str | None) -> set[str]:
    return {scope.lower() for scope in (text or "").split()}


def _consent_fields(event: AuditEvent) -> dict[str, str]:
    text = event.new_value(CONSENT_PERMISSIONS) or ""
    fields: dict[str, str] = {}
    for name, value in _PERMISSION_FIELD.findall(text):
        key = name.lower()
        fields[key] = f"{fields.get(key, '')} {value.strip()}".strip()
    return fields


def _grant_kind(event: AuditEvent) -> tuple[str | None, str | None]:
    """(consent type, principal id) an event says it is about; None where it does not say."""
    if event.activity == CONSENT:
        fields = _consent_fields(event)
        kind = fields.get("consenttype") or None
        on_behalf = (event.new_value(ON_BEHALF_OF_ALL) or "").lower()
        if kind is None and on_behalf in ("true", "false"):
            kind = ALL_PRINCIPALS if on_behalf == "true" else PRINCIPAL
        principal = fields.get("principalid") or (event.actor_id if kind == PRINCIPAL else None)
        return kind, (principal or None)
    kind = event.new_value(CONSENT_TYPE) or event.old_value(CONSENT_TYPE) or None
    principal = event.new_value(GRANT_PRINCIPAL) or event.old_value(GRANT_PRINCIPAL) or None
    return kind, principal


def _same_grant(event: AuditEvent, grant: Grant | None) -> bool:
    """The event is about ``grant``'s kind (tenant-wide, or this user's); unknown details do not exclude it."""
    if grant is None:
        return True
    kind, principal = _grant_kind(event)
    if kind is not None and kind.lower() != grant.consent_type.lower():
        return False
    if grant.consent_type == PRINCIPAL and principal is not None:
        return principal.lower() == (grant.principal_id or "")
    return True


def _added_scopes(event: AuditEvent) -> set[str]:
    if event.activity == CONSENT:
        return _scopes(_consent_fields(event).get("scope"))
    if event.activity in (ADD_GRANT, UPDATE_GRANT):
        return _scopes(event.new_value(SCOPE)) - _scopes(event.old_value(SCOPE))
    return set()


def _removed_scopes(event: AuditEvent) -> set[str]:
    if event.activity in (UPDATE_GRANT, REMOVE_GRANT):
        old = _scopes(event.old_value(SCOPE))
        # A removal event may carry the scopes as its new value only (assumption): then they all went.
        return old - _scopes(event.new_value(SCOPE)) if old else _scopes(event.new_value(SCOPE))
    return set()


def _scope_extra(event: AuditEvent, finding: Finding, context: Context) -> bool:
    scope = str(finding.actual or "").lower()
    return scope in _added_scopes(event) and _same_grant(event, context.grant(finding.object_id))


def _scope_missing(event: AuditEvent, finding: Finding, context: Context) -> bool:
    scope = str(finding.expected or "").lower()
    if not _same_grant(event, context.grant(finding.object_id)):
        return False
    if scope in _removed_scopes(event):
        return True
    # The grant was created (or consented) without the scope.
    added = _added_scopes(event)
    return event.activity in (ADD_GRANT, CONSENT) and bool(added) and scope not in added


def _tenant_wide_kind(event: AuditEvent) -> bool:
    kind, _principal = _grant_kind(event)
    return kind is None or kind.lower() == ALL_PRINCIPALS.lower()


def _grant_missing(event: AuditEvent, finding: Finding, context: Context) -> bool:
    return event.activity == REMOVE_GRANT and _tenant_wide_kind(event)


def _grant_unexpected(event: AuditEvent, finding: Finding, context: Context) -> bool:
    if event.activity == ADD_GRANT:
        return _tenant_wide_kind(event)
    return event.activity == CONSENT and _grant_kind(event)[0] == ALL_PRINCIPALS


def _principal_of(event: AuditEvent) -> str | None:
    principal = _grant_kind(event)[1]
    return principal.lower() if principal else None


def _user_grant(event: AuditEvent, finding: Finding, context: Context) -> bool:
    user = str(finding.actual or "").lower()
    if event.activity not in (ADD_GRANT, UPDATE_GRANT, CONSENT):
        return False
    kind = _grant_kind(event)[0]
    return (kind is None or kind == PRINCIPAL) and _principal_of(event) == user


def _user_grant_missing(event: AuditEvent, finding: Finding, context: Context) -> bool:
    return event.activity == REMOVE_GRANT and _principal_of(event) == str(finding.expected or "").lower()


def _foreign_grant(event: AuditEvent, finding: Finding, context: Context) -> bool:
    resource = str(finding.actual or "").lower()
    if event.activity in (ADD_GRANT, UPDATE_GRANT):
        return resource in event.target_ids()
    return event.activity == CONSENT and resource in _consent_fields(event).get("resourceid", "").lower()


def _app_permission(event: AuditEvent, finding: Finding, context: Context) -> bool:
    role = str(finding.actual or "").lower()
    return event.activity == ADD_ROLE_TO_SP and (event.new_value(APP_ROLE_ID) or "").lower() == role


def _assignment_extra(event: AuditEvent, finding: Finding, context: Context) -> bool:
    return str(finding.actual or "").lower() in event.target_ids()


def _assignment_missing(event: AuditEvent, finding: Finding, context: Context) -> bool:
    entry = str(finding.expected or "").lower()
    names = {target.display_name.lower() for target in event.targets if target.display_name}
    return entry in event.target_ids() or entry in names


def _sp_property(name: str, value: Callable[[Finding], str]) -> Explains:
    def explains(event: AuditEvent, finding: Finding, context: Context) -> bool:
        new = event.new_value(name)
        return new is not None and new.lower() == value(finding)

    return explains


def _bool_text(value: object) -> str:
    return "true" if value is True else "false" if value is False else str(value).lower()


RULES: dict[str, Rule] = {
    "SCOPE_EXTRA": Rule(
        (ADD_GRANT, UPDATE_GRANT, CONSENT),
        "the scope is in DelegatedPermissionGrant.Scope's new value and not its old one, or in "
        "ConsentAction.Permissions; same grant kind (tenant-wide, or that user's)",
        _scope_extra,
    ),
    "SCOPE_MISSING": Rule(
        (UPDATE_GRANT, REMOVE_GRANT, ADD_GRANT, CONSENT),
        "the scope is in DelegatedPermissionGrant.Scope's old value and not its new one, or the grant was "
        "created or consented without it; same grant kind",
        _scope_missing,
    ),
    "GRANT_MISSING": Rule((REMOVE_GRANT,), "a tenant-wide (AllPrincipals) grant of Enpass removed", _grant_missing),
    "GRANT_UNEXPECTED": Rule(
        (ADD_GRANT, CONSENT),
        "a tenant-wide grant added, or consent on behalf of the organization (ConsentContext.OnBehalfOfAll)",
        _grant_unexpected,
    ),
    "USER_GRANT": Rule(
        (ADD_GRANT, UPDATE_GRANT, CONSENT),
        "a per-user grant for that user (DelegatedPermissionGrant.PrincipalId), or that user consenting for themselves",
        _user_grant,
    ),
    "USER_GRANT_MISSING": Rule(
        (REMOVE_GRANT,), "that user's grant removed (DelegatedPermissionGrant.PrincipalId)", _user_grant_missing
    ),
    "FOREIGN_GRANT": Rule(
        (ADD_GRANT, UPDATE_GRANT, CONSENT),
        "a grant on that resource (the resource SP is a target, or ResourceId in ConsentAction.Permissions)",
        _foreign_grant,
    ),
    "APP_PERMISSION": Rule((ADD_ROLE_TO_SP,), "that app role (AppRole.Id) assigned to Enpass", _app_permission),
    "ASSIGNMENT_EXTRA": Rule(
        (ADD_ROLE_TO_GROUP, ADD_ROLE_TO_USER, ADD_ROLE_TO_SP),
        "an assignment to Enpass whose targets include that principal",
        _assignment_extra,
    ),
    "ASSIGNMENT_MISSING": Rule(
        (REMOVE_ROLE_FROM_GROUP, REMOVE_ROLE_FROM_USER, REMOVE_ROLE_FROM_SP),
        "an assignment removed whose targets include that principal (by id, or a group's name)",
        _assignment_missing,
    ),
    "SP_DISABLED": Rule(
        (UPDATE_SP,), "AccountEnabled's new value false", _sp_property(ACCOUNT_ENABLED, lambda _f: "false")
    ),
    "SP_ENABLED": Rule(
        (UPDATE_SP,), "AccountEnabled's new value true", _sp_property(ACCOUNT_ENABLED, lambda _f: "true")
    ),
    "ASSIGNMENT_REQUIRED_MISMATCH": Rule(
        (UPDATE_SP,),
        "AppRoleAssignmentRequired's new value is the tenant's current value",
        _sp_property(ASSIGNMENT_REQUIRED, lambda f: _bool_text(f.actual)),
    ),
}
"""Finding code -> its rule. ``SP_MISSING`` has none: without the SP there is no id to read its events by."""


def explains(event: AuditEvent, finding: Finding, context: Context) -> bool:
    rule = RULES.get(finding.code)
    return (
        rule is not None
        and event.succeeded
        and event.activity in rule.activities
        and rule.explains(event, finding, context)
    )


def last_changes(
    findings: Sequence[Finding], events: Sequence[AuditEvent], state: TenantState
) -> tuple[LastChange | None, ...]:
    """For each finding (same order) the most recent event that explains it, or None."""
    context = Context(state)
    newest_first = sorted(events, key=lambda e: (e.at, e.event_id), reverse=True)
    return tuple(
        next((event.last_change() for event in newest_first if explains(event, finding, context)), None)
        for finding in findings
    )
