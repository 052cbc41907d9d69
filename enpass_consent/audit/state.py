"""What the audit read from one tenant: plain, typed records built from Graph's JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from enpass_consent.settings import Assignee

ALL_PRINCIPALS = "AllPrincipals"
PRINCIPAL = "Principal"


@dataclass(frozen=True)
class Owner:
    """An owner of the Enpass SP (a user or a service principal)."""

    object_id: str
    odata_type: str
    display_name: str
    """Empty when Graph returns limited information (the reader may not read that object type)."""

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> Owner:
        return cls(
            object_id=str(body["id"]).lower(),
            odata_type=str(body.get("@odata.type") or ""),
            display_name=str(body.get("displayName") or ""),
        )


@dataclass(frozen=True)
class ServicePrincipal:
    object_id: str
    app_id: str
    account_enabled: bool
    app_role_assignment_required: bool
    tags: tuple[str, ...] = ()
    notes: str = ""
    notification_email_addresses: tuple[str, ...] = ()
    description: str = ""
    login_url: str = ""
    preferred_single_sign_on_mode: str = ""
    alternative_names: tuple[str, ...] = ()
    owners: tuple[Owner, ...] = ()

    @classmethod
    def from_graph(cls, body: Mapping[str, Any], owners: Sequence[Mapping[str, Any]] = ()) -> ServicePrincipal:
        return cls(
            object_id=str(body["id"]),
            app_id=str(body.get("appId", "")),
            account_enabled=bool(body.get("accountEnabled", True)),
            app_role_assignment_required=bool(body.get("appRoleAssignmentRequired", False)),
            tags=_strings(body.get("tags")),
            notes=str(body.get("notes") or ""),
            notification_email_addresses=_strings(body.get("notificationEmailAddresses")),
            description=str(body.get("description") or ""),
            login_url=str(body.get("loginUrl") or ""),
            preferred_single_sign_on_mode=str(body.get("preferredSingleSignOnMode") or ""),
            alternative_names=_strings(body.get("alternativeNames")),
            owners=tuple(Owner.from_graph(owner) for owner in owners),
        )


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


@dataclass(frozen=True)
class Grant:
    """An oauth2PermissionGrant whose client is Enpass."""

    grant_id: str
    consent_type: str
    principal_id: str | None
    resource_id: str
    scopes: tuple[str, ...]
    """Claim values as Graph spells them, in Graph's order."""

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> Grant:
        principal = body.get("principalId")
        return cls(
            grant_id=str(body["id"]),
            consent_type=str(body.get("consentType", "")),
            principal_id=str(principal).lower() if principal else None,
            resource_id=str(body.get("resourceId", "")).lower(),
            scopes=tuple((body.get("scope") or "").split()),
        )


@dataclass(frozen=True)
class AppRoleAssignment:
    assignment_id: str
    app_role_id: str
    principal_id: str
    principal_type: str
    principal_display_name: str
    resource_id: str
    resource_display_name: str = ""

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> AppRoleAssignment:
        return cls(
            assignment_id=str(body["id"]),
            app_role_id=str(body.get("appRoleId", "")).lower(),
            principal_id=str(body.get("principalId", "")).lower(),
            principal_type=str(body.get("principalType", "")),
            principal_display_name=str(body.get("principalDisplayName") or ""),
            resource_id=str(body.get("resourceId", "")).lower(),
            resource_display_name=str(body.get("resourceDisplayName") or ""),
        )


@dataclass(frozen=True)
class TenantState:
    """Everything the evaluation needs; ``service_principal`` None means Enpass has no SP here."""

    service_principal: ServicePrincipal | None
    graph_service_principal_id: str | None = None
    grants: tuple[Grant, ...] = ()
    app_permissions: tuple[AppRoleAssignment, ...] = ()
    """App role assignments granted TO Enpass (application permissions)."""
    assigned_to: tuple[AppRoleAssignment, ...] = ()
    """Users, groups and service principals assigned to Enpass."""
    group_matches: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """For each group given by display name (entry as written): ids of the security groups with that name."""
    graph_app_role_names: Mapping[str, str] = field(default_factory=dict)
    """Microsoft Graph's app role id (lower case) -> permission name (``Mail.Read``)."""

    def grants_on_graph(self) -> list[Grant]:
        graph_id = (self.graph_service_principal_id or "").lower()
        return [grant for grant in self.grants if grant.resource_id == graph_id]

    def tenant_wide_grant(self) -> Grant | None:
        """The ``AllPrincipals`` grant on Microsoft Graph (Entra allows at most one)."""
        return next((g for g in self.grants_on_graph() if g.consent_type == ALL_PRINCIPALS), None)

    def user_grant(self, user_id: str) -> Grant | None:
        """``user_id``'s own (``Principal``) grant on Microsoft Graph."""
        return next(
            (g for g in self.grants_on_graph() if g.consent_type == PRINCIPAL and g.principal_id == user_id), None
        )

    def principal_ids(self, assignee: Assignee) -> tuple[str, ...]:
        """The object ids an entry of ``groups``/``users`` names: one, or for a group name any number."""
        if assignee.object_id is not None:
            return (assignee.object_id,)
        return tuple(i.lower() for i in self.group_matches.get(assignee.entry, ()))


def missing_scopes(wanted: Sequence[str], grant: Grant) -> list[str]:
    """The scopes of ``wanted`` that ``grant`` does not hold (names compared case-insensitively)."""
    held = {scope.lower() for scope in grant.scopes}
    return [name for name in wanted if name.lower() not in held]
