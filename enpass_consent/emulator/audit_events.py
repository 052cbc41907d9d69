"""The directory audit log of an emulated tenant: events as Entra writes them, and what the licence keeps.

Scenario helpers change the tenant **and** record the events the real service writes for that change,
so a test of ``--attribution`` sets up "who did what" in one call:

- :func:`person_consents`: the tenant-wide grant (or the person's own) gets the scopes; records
  ``Consent to application`` on the Enpass SP and ``Add delegated permission grant`` on Microsoft
  Graph's SP, with one ``correlationId``;
- :func:`admin_adds_scope`, :func:`admin_removes_scope`: the tenant-wide grant's scopes; records
  ``Update delegated permission grant`` on Microsoft Graph's SP;
- :func:`admin_removes_grant`: deletes the tenant-wide grant; ``Remove delegated permission grant``;
- :func:`admin_assigns`, :func:`admin_unassigns`: a user or group (un)assigned to Enpass;
  ``Add app role assignment grant to user`` / ``Add app role assignment to group`` (``Remove … from
  user/group``);
- :func:`admin_grants_app_permission`: a Microsoft Graph app role assigned to Enpass; ``Add app role
  assignment to service principal``;
- :func:`admin_updates_sp`: ``accountEnabled``, ``appRoleAssignmentRequired``, ``notes`` of the Enpass
  SP; ``Update service principal``.

Shapes: the directoryAudit resource (https://learn.microsoft.com/graph/api/resources/directoryaudit);
activity names and categories: https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities
(Core Directory; "Add app role assignment grant to user" and "Update delegated permission grant" are not
in that list by these names: assumptions from published detection queries and the issue). Property names
``DelegatedPermissionGrant.Scope`` (a JSON string with a leading space) and ``AppRole.Id``: Microsoft's
restore-permissions script (https://learn.microsoft.com/entra/identity/enterprise-apps/restore-permissions).
``ServicePrincipal.ObjectID``, ``DelegatedPermissionGrant.ConsentType``/``PrincipalId``,
``ConsentContext.*`` and the text of ``ConsentAction.Permissions``: assumptions from published detection
queries (Azure Sentinel, and the consent-grant investigation guidance,
https://learn.microsoft.com/defender-office-365/detect-and-remediate-illicit-consent-grants).

Retention: 7 days without Microsoft Entra ID P1/P2, 30 with it
(https://learn.microsoft.com/entra/identity/monitoring-health/reference-reports-data-retention).
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Sequence

from enpass_consent.catalog import DEFAULT_ACCESS_APP_ROLE_ID, ENTRA_ID_P1_PLANS
from enpass_consent.emulator import scenarios
from enpass_consent.emulator.doc_examples import GRAPH_APP_ROLE_IDS
from enpass_consent.emulator.odata import Json
from enpass_consent.emulator.state import AppRoleAssignment, Group, PermissionGrant, ServicePrincipal, Tenant, User

FREE_RETENTION = datetime.timedelta(days=7)
PREMIUM_RETENTION = datetime.timedelta(days=30)
_P1_PLAN_IDS = {plan.service_plan_id for plan in ENTRA_ID_P1_PLANS}

Actor = User | ServicePrincipal


def has_premium(tenant: Tenant) -> bool:
    return any(
        str(plan.get("servicePlanId", "")).lower() in _P1_PLAN_IDS
        for sku in tenant.subscribed_skus
        for plan in sku.get("servicePlans") or []
        if isinstance(plan, dict)
    )


def retention(tenant: Tenant) -> datetime.timedelta:
    return PREMIUM_RETENTION if has_premium(tenant) else FREE_RETENTION


def retained_events(tenant: Tenant, now: datetime.datetime) -> list[Json]:
    """The events the licence still keeps, newest first (the order is an assumption)."""
    oldest = now - retention(tenant)
    kept = [event for event in tenant.audit_events if _when(event) >= oldest]
    return sorted(kept, key=_when, reverse=True)


def _when(event: Json) -> datetime.datetime:
    return datetime.datetime.fromisoformat(str(event["activityDateTime"]).replace("Z", "+00:00"))


def ago(**delta: float) -> datetime.datetime:
    """``ago(days=2)``: a moment in the past, for an event's time."""
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(**delta)


# --- one event ---------------------------------------------------------------------------------------
def initiated_by(actor: Actor) -> Json:
    if isinstance(actor, User):
        return {
            "app": None,
            "user": {
                "id": actor.id,
                "displayName": actor.display_name,
                "userPrincipalName": actor.user_principal_name,
                "ipAddress": "203.0.113.7",
            },
        }
    return {
        "user": None,
        "app": {
            "appId": actor.app_id,
            "displayName": actor.display_name,
            "servicePrincipalId": actor.id,
            "servicePrincipalName": None,
        },
    }


def prop(name: str, old: object, new: object) -> Json:
    """A modified property: values are strings holding JSON, as Entra writes them."""
    return {
        "displayName": name,
        "oldValue": None if old is None else json.dumps(old),
        "newValue": None if new is None else json.dumps(new),
    }


def target(obj: User | Group | ServicePrincipal, *modified: Json) -> Json:
    kind = {User: "User", Group: "Group", ServicePrincipal: "ServicePrincipal"}[type(obj)]
    body: Json = {"id": obj.id, "displayName": obj.display_name, "type": kind, "modifiedProperties": list(modified)}
    if isinstance(obj, User):
        body["userPrincipalName"] = obj.user_principal_name
    return body


def record(
    tenant: Tenant,
    activity: str,
    actor: Actor,
    targets: Sequence[Json],
    *,
    at: datetime.datetime | None = None,
    correlation_id: str | None = None,
    result: str = "success",
    category: str = "ApplicationManagement",
    operation_type: str = "Update",
) -> Json:
    """Append one directoryAudit event; ``additionalDetails`` carries a user agent the tool must never print."""
    moment = (at or datetime.datetime.now(datetime.UTC)).astimezone(datetime.UTC)
    correlation = correlation_id or str(uuid.uuid4())
    event: Json = {
        "id": f"Directory_{correlation}_{len(tenant.audit_events) + 1}",
        "category": category,
        "correlationId": correlation,
        "result": result,
        "resultReason": "",
        "activityDisplayName": activity,
        "activityDateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z",
        "loggedByService": "Core Directory",
        "operationType": operation_type,
        "initiatedBy": initiated_by(actor),
        "targetResources": list(targets),
        "additionalDetails": [{"key": "User-Agent", "value": "SECRET-USER-AGENT token=abc123"}],
    }
    tenant.audit_events.append(event)
    return event


# --- what a person or an admin does, and what Entra records ------------------------------------------
def _scope_value(scopes: Sequence[str]) -> str:
    # "\" openid profile User.Read\"": the leading space is what the published events show.
    return " " + " ".join(scopes)


def _grant_properties(grant: PermissionGrant, old_scope: str | None, enpass: ServicePrincipal) -> list[Json]:
    new_scope = grant.scope.split()
    return [
        prop("DelegatedPermissionGrant.Scope", None if old_scope is None else _scope_value(old_scope.split()),
             _scope_value(new_scope)),
        prop("DelegatedPermissionGrant.ConsentType", None, grant.consent_type),
        *([prop("DelegatedPermissionGrant.PrincipalId", None, grant.principal_id)] if grant.principal_id else []),
        prop("ServicePrincipal.ObjectID", None, enpass.id),
    ]  # fmt: skip


def person_consents(
    tenant: Tenant,
    person: User,
    scopes: Sequence[str],
    *,
    for_organization: bool = True,
    at: datetime.datetime | None = None,
) -> PermissionGrant:
    """A person consents to Enpass in the portal: for the organization (an admin) or for themselves."""
    enpass, graph = scenarios.enpass_sp(tenant), scenarios.graph_sp(tenant)
    principal = None if for_organization else person.id
    kind = "AllPrincipals" if for_organization else "Principal"
    grant = next(
        (g for g in tenant.grants if g.client_id == enpass.id and g.resource_id == graph.id
         and g.consent_type == kind and g.principal_id == principal),
        None,
    )  # fmt: skip
    old_scope = grant.scope if grant else None
    if grant is None:
        grant = tenant.add_grant(PermissionGrant(enpass.id, graph.id, " ".join(scopes), kind, principal))
    else:
        grant.scope = " ".join(dict.fromkeys([*grant.scope.split(), *scopes]))
    correlation = str(uuid.uuid4())
    permissions = (
        f"[] => [[Id: {grant.id}, ClientId: {enpass.id}, PrincipalId: {principal or ''}, ResourceId: {graph.id}, "
        f"ConsentType: {kind}, Scope: {' '.join(scopes)}, CreatedDateTime: , LastModifiedDateTime ]]; "
    )
    consent_properties = [
        prop("ConsentContext.IsAdminConsent", None, str(for_organization)),
        prop("ConsentContext.IsAppOnly", None, "False"),
        prop("ConsentContext.OnBehalfOfAll", None, str(for_organization)),
        prop("ConsentContext.Tags", None, "WindowsAzureActiveDirectoryIntegratedApp"),
        prop("ConsentAction.Permissions", None, permissions),
        prop("TargetId.ServicePrincipalNames", None, enpass.app_id),
    ]
    record(tenant, "Consent to application", person, [target(enpass, *consent_properties)], at=at,
           correlation_id=correlation, operation_type="Assign")  # fmt: skip
    record(tenant, "Add delegated permission grant", person,
           [target(graph, *_grant_properties(grant, old_scope, enpass))], at=at, correlation_id=correlation,
           operation_type="Assign")  # fmt: skip
    return grant


def _update_grant(tenant: Tenant, admin: Actor, old_scope: str, at: datetime.datetime | None) -> None:
    enpass, graph = scenarios.enpass_sp(tenant), scenarios.graph_sp(tenant)
    grant = scenarios.tenant_wide_grant(tenant)
    assert grant is not None
    record(tenant, "Update delegated permission grant", admin,
           [target(graph, *_grant_properties(grant, old_scope, enpass))], at=at)  # fmt: skip


def admin_adds_scope(tenant: Tenant, admin: Actor, *scopes: str, at: datetime.datetime | None = None) -> None:
    """An admin adds scopes to the tenant-wide grant through Graph (a PATCH of the grant)."""
    grant = scenarios.tenant_wide_grant(tenant)
    assert grant is not None
    old_scope = grant.scope
    scenarios.add_scope(tenant, *scopes)
    _update_grant(tenant, admin, old_scope, at)


def admin_removes_scope(tenant: Tenant, admin: Actor, *scopes: str, at: datetime.datetime | None = None) -> None:
    grant = scenarios.tenant_wide_grant(tenant)
    assert grant is not None
    old_scope = grant.scope
    scenarios.remove_scope(tenant, *scopes)
    _update_grant(tenant, admin, old_scope, at)


def admin_removes_grant(tenant: Tenant, admin: Actor, *, at: datetime.datetime | None = None) -> None:
    enpass, graph = scenarios.enpass_sp(tenant), scenarios.graph_sp(tenant)
    grant = scenarios.tenant_wide_grant(tenant)
    assert grant is not None
    scenarios.remove_tenant_wide_grant(tenant)
    properties = [
        prop("DelegatedPermissionGrant.Scope", _scope_value(grant.scope.split()), None),
        prop("DelegatedPermissionGrant.ConsentType", grant.consent_type, None),
        prop("ServicePrincipal.ObjectID", enpass.id, None),
    ]
    record(tenant, "Remove delegated permission grant", admin, [target(graph, *properties)], at=at,
           operation_type="Unassign")  # fmt: skip


def _role_properties(role_id: str, enpass: ServicePrincipal) -> list[Json]:
    return [prop("AppRole.Id", None, role_id), prop("AppRole.Value", None, ""),
            prop("ServicePrincipal.ObjectID", None, enpass.id)]  # fmt: skip


def admin_assigns(
    tenant: Tenant, admin: Actor, principal: User | Group, *, at: datetime.datetime | None = None
) -> AppRoleAssignment:
    """An admin assigns a user or group to Enpass (Users and groups > Add assignment)."""
    enpass = scenarios.enpass_sp(tenant)
    assignment = scenarios.assign(tenant, principal)
    activity = (
        "Add app role assignment grant to user" if isinstance(principal, User) else "Add app role assignment to group"
    )
    category = "UserManagement" if isinstance(principal, User) else "GroupManagement"
    record(tenant, activity, admin,
           [target(enpass, *_role_properties(DEFAULT_ACCESS_APP_ROLE_ID, enpass)), target(principal)],
           at=at, category=category, operation_type="Assign")  # fmt: skip
    return assignment


def admin_unassigns(
    tenant: Tenant, admin: Actor, principal: User | Group, *, at: datetime.datetime | None = None
) -> None:
    enpass = scenarios.enpass_sp(tenant)
    tenant.app_role_assignments = [
        a for a in tenant.app_role_assignments
        if not (a.principal_id == principal.id and a.resource_id == enpass.id)
    ]  # fmt: skip
    user = isinstance(principal, User)
    activity = "Remove app role assignment from user" if user else "Remove app role assignment from group"
    record(tenant, activity, admin, [target(enpass), target(principal)], at=at,
           category="UserManagement" if user else "GroupManagement", operation_type="Unassign")  # fmt: skip


def admin_grants_app_permission(
    tenant: Tenant, admin: Actor, role: str = "Mail.Read", *, at: datetime.datetime | None = None
) -> AppRoleAssignment:
    """An admin grants Enpass an application permission on Microsoft Graph."""
    enpass, graph = scenarios.enpass_sp(tenant), scenarios.graph_sp(tenant)
    assignment = scenarios.add_app_permission(tenant, role)
    properties = [prop("AppRole.Id", None, GRAPH_APP_ROLE_IDS[role]), prop("AppRole.Value", None, role),
                  prop("ServicePrincipal.ObjectID", None, enpass.id)]  # fmt: skip
    record(tenant, "Add app role assignment to service principal", admin,
           [target(graph, *properties), target(enpass)], at=at, operation_type="Assign")  # fmt: skip
    return assignment


_SP_PROPERTIES = {
    "account_enabled": "AccountEnabled",
    "app_role_assignment_required": "AppRoleAssignmentRequired",
    "notes": "Notes",
}


def admin_updates_sp(tenant: Tenant, admin: Actor, *, at: datetime.datetime | None = None, **changes: object) -> None:
    """An admin changes properties of the Enpass SP (``account_enabled=False``, ``notes="…"``)."""
    enpass = scenarios.enpass_sp(tenant)
    properties = []
    for field_name, value in changes.items():
        old = getattr(enpass, field_name)
        setattr(enpass, field_name, value)
        properties.append(prop(_SP_PROPERTIES[field_name], [old], [value]))
    properties.append(prop("Included Updated Properties", None, ", ".join(_SP_PROPERTIES[n] for n in changes)))
    record(tenant, "Update service principal", admin, [target(enpass, *properties)], at=at)
