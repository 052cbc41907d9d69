"""Typed directory state of the emulated tenants.

Entities render themselves with ``to_graph()`` into the JSON shape Microsoft Graph v1.0 returns
(property names and defaults follow the documented response examples; see ``scenarios.py`` for
the citations). Tests mutate the dataclasses directly between requests; request handlers only read.
"""

from __future__ import annotations

import base64
import copy
import uuid
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

# Obviously fake credentials of the default deploying identity the scenario builders register.
TEST_CLIENT_ID = "c1e17000-0000-4000-8000-00000000c11e"
TEST_CLIENT_SECRET = "fake-test-secret-not-real"

# Application permissions (roles claim) a read-only audit/preflight identity would hold.
DEFAULT_CLIENT_ROLES: tuple[str, ...] = (
    "Application.Read.All",
    "Directory.Read.All",
    "Policy.Read.All",
    "LicenseAssignment.Read.All",
    "User.Read.All",
    "GroupMember.Read.All",
    "RoleManagement.Read.Directory",
)

# What an identity that runs `pulumi up` holds, plus the reads above: preflight's identity check passes
# with these. Sources: the Graph API pages cited in enpass_consent/preflight/permissions.py
# (serviceprincipal-update for an existing SP, oauth2permissiongrant-post, serviceprincipal-post-approleassignedto).
DEPLOYER_CLIENT_ROLES: tuple[str, ...] = (
    "Application.ReadWrite.All",
    "DelegatedPermissionGrant.ReadWrite.All",
    "AppRoleAssignment.ReadWrite.All",
    *DEFAULT_CLIENT_ROLES,
)


def grant_id(client_id: str, resource_id: str, principal_id: str | None = None) -> str:
    """oauth2PermissionGrant id as Entra derives it: base64url of clientId, resourceId [, principalId] as
    little-endian GUID bytes, unpadded. Observed, not documented: the ids of Microsoft's published examples
    (microsoft-graph-docs-contrib ``api-reference/v1.0/api/oauth2permissiongrant-list.md``) follow it.
    """
    raw = uuid.UUID(client_id).bytes_le + uuid.UUID(resource_id).bytes_le
    if principal_id:
        raw += uuid.UUID(principal_id).bytes_le
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def assignment_id(principal_id: str, salt: str = "") -> str:
    """appRoleAssignment id: the first 16 bytes are principalId.bytes_le (observed); the rest is ours."""
    tail = uuid.uuid5(uuid.NAMESPACE_URL, f"{principal_id}/{salt}").bytes_le
    return base64.urlsafe_b64encode(uuid.UUID(principal_id).bytes_le + tail).rstrip(b"=").decode()


def new_id(*parts: str) -> str:
    """A deterministic object id (same inputs, same id) so fixtures and golden files are stable."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "enpass-consent-emulator/" + "/".join(parts)))


@dataclass
class User:
    id: str
    display_name: str
    user_principal_name: str
    account_enabled: bool = True
    mail: str | None = None
    assigned_plans: list[Json] = field(default_factory=list)
    extra: Json = field(default_factory=dict)
    user_type: str = "Member"
    """``Member`` or ``Guest`` (preflight counts enabled members when nobody is assigned)."""
    account: str | None = None
    """The person this object stands for when they sign in elsewhere (a guest's home sign-in name); None:
    the user's own ``user_principal_name``. A refresh token redeemed in this tenant for that sign-in name
    yields a token for this object (``oid``)."""

    @property
    def sign_in_name(self) -> str:
        return (self.account or self.user_principal_name).lower()

    def to_graph(self) -> Json:
        # Default properties of user-get/user-list plus the ones this tool $selects.
        return {
            "@odata.type": "#microsoft.graph.user",
            "id": self.id,
            "businessPhones": [],
            "displayName": self.display_name,
            "givenName": None,
            "jobTitle": None,
            "mail": self.mail,
            "mobilePhone": None,
            "officeLocation": None,
            "preferredLanguage": None,
            "surname": None,
            "userPrincipalName": self.user_principal_name,
            "accountEnabled": self.account_enabled,
            "assignedPlans": copy.deepcopy(self.assigned_plans),
            "userType": self.user_type,
            **copy.deepcopy(self.extra),
        }


@dataclass
class Group:
    id: str
    display_name: str
    security_enabled: bool = True
    mail_enabled: bool = False
    group_types: list[str] = field(default_factory=list)
    member_ids: list[str] = field(default_factory=list)
    description: str | None = None
    mail_nickname: str | None = None
    is_assignable_to_role: bool = False
    """A role-assignable group: directory roles may be assigned to it (and so to its members)."""
    extra: Json = field(default_factory=dict)

    def to_graph(self) -> Json:
        # Shape of group-get (v1.0) example 1.
        nickname = self.mail_nickname or "".join(ch for ch in self.display_name if ch.isalnum()) or "group"
        return {
            "@odata.type": "#microsoft.graph.group",
            "id": self.id,
            "deletedDateTime": None,
            "classification": None,
            "createdDateTime": "2017-07-31T18:56:16Z",
            "description": self.description,
            "displayName": self.display_name,
            "expirationDateTime": None,
            "groupTypes": list(self.group_types),
            "isAssignableToRole": True if self.is_assignable_to_role else None,
            "mail": f"{nickname}@contoso.onmicrosoft.com" if self.mail_enabled else None,
            "mailEnabled": self.mail_enabled,
            "mailNickname": nickname,
            "membershipRule": None,
            "membershipRuleProcessingState": None,
            "onPremisesDomainName": None,
            "onPremisesLastSyncDateTime": None,
            "onPremisesNetBiosName": None,
            "onPremisesSamAccountName": None,
            "onPremisesSecurityIdentifier": None,
            "onPremisesSyncEnabled": None,
            "preferredDataLocation": None,
            "preferredLanguage": None,
            "proxyAddresses": [],
            "renewedDateTime": "2020-01-24T19:01:14Z",
            "resourceBehaviorOptions": [],
            "resourceProvisioningOptions": [],
            "securityEnabled": self.security_enabled,
            "securityIdentifier": None,
            "theme": None,
            "visibility": "Private" if "Unified" in self.group_types else None,
            "onPremisesProvisioningErrors": [],
            **copy.deepcopy(self.extra),
        }


@dataclass
class ServicePrincipal:
    id: str
    app_id: str
    display_name: str
    app_display_name: str | None = None
    account_enabled: bool = True
    app_role_assignment_required: bool = False
    app_owner_organization_id: str | None = None
    verified_publisher: Json = field(
        default_factory=lambda: {"displayName": None, "verifiedPublisherId": None, "addedDateTime": None}
    )
    app_roles: list[Json] = field(default_factory=list)
    oauth2_permission_scopes: list[Json] = field(default_factory=list)
    service_principal_type: str | None = "Application"
    sign_in_audience: str | None = "AzureADMultipleOrgs"
    tags: list[str] = field(default_factory=list)
    notification_email_addresses: list[str] = field(default_factory=list)
    reply_urls: list[str] = field(default_factory=list)
    notes: str | None = None
    description: str | None = None
    login_url: str | None = None
    preferred_single_sign_on_mode: str | None = None
    alternative_names: list[str] = field(default_factory=list)
    owner_ids: list[str] = field(default_factory=list)
    """Object ids of the users and service principals that own it (``/owners``)."""
    extra: Json = field(default_factory=dict)

    def to_graph(self) -> Json:
        # Property set of serviceprincipal-get (v1.0) example 1, plus the properties of the servicePrincipal
        # resource that `pulumi up` writes (resources/serviceprincipal.md: description, loginUrl, notes,
        # preferredSingleSignOnMode). Lists are copied shallowly: rendered
        # objects are serialized at once and never mutated, and this runs for every SP read.
        return {
            "@odata.type": "#microsoft.graph.servicePrincipal",
            "id": self.id,
            "deletedDateTime": None,
            "accountEnabled": self.account_enabled,
            "addIns": [],
            "alternativeNames": list(self.alternative_names),
            "appDisplayName": self.app_display_name if self.app_display_name is not None else self.display_name,
            "appDescription": None,
            "appId": self.app_id,
            "appOwnerOrganizationId": self.app_owner_organization_id,
            "appRoleAssignmentRequired": self.app_role_assignment_required,
            "appRoles": list(self.app_roles),
            "description": self.description,
            "disabledByMicrosoftStatus": None,
            "displayName": self.display_name,
            "endpoints": [],
            "homepage": None,
            "verifiedPublisher": dict(self.verified_publisher),
            "info": {
                "termsOfServiceUrl": None,
                "supportUrl": None,
                "privacyStatementUrl": None,
                "marketingUrl": None,
                "logoUrl": None,
            },
            "keyCredentials": [],
            "loginUrl": self.login_url,
            "logoutUrl": None,
            "notes": self.notes,
            "notificationEmailAddresses": list(self.notification_email_addresses),
            "oauth2PermissionScopes": list(self.oauth2_permission_scopes),
            "passwordCredentials": [],
            "preferredSingleSignOnMode": self.preferred_single_sign_on_mode,
            "publisherName": None,
            "replyUrls": list(self.reply_urls),
            "resourceSpecificApplicationPermissions": [],
            "servicePrincipalNames": [self.app_id],
            "servicePrincipalType": self.service_principal_type,
            "signInAudience": self.sign_in_audience,
            "tags": list(self.tags),
            "tokenEncryptionKeyId": None,
            **copy.deepcopy(self.extra),
        }


@dataclass
class PermissionGrant:
    """A delegated permission grant; its id is derived like Entra's (client, resource[, principal])."""

    client_id: str
    resource_id: str
    scope: str
    consent_type: str = "AllPrincipals"
    principal_id: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = grant_id(self.client_id, self.resource_id, self.principal_id)

    def to_graph(self) -> Json:
        # Shape of oauth2permissiongrant-list (v1.0).
        return {
            "clientId": self.client_id,
            "consentType": self.consent_type,
            "id": self.id,
            "principalId": self.principal_id,
            "resourceId": self.resource_id,
            "scope": self.scope,
        }


@dataclass
class AppRoleAssignment:
    """One store serves both views: ``principalId``'s appRoleAssignments and ``resourceId``'s appRoleAssignedTo."""

    principal_id: str
    principal_type: str
    principal_display_name: str
    resource_id: str
    resource_display_name: str
    app_role_id: str
    id: str = ""
    created_date_time: str = "2021-02-02T04:22:45.4980259Z"

    def __post_init__(self) -> None:
        if not self.id:
            self.id = assignment_id(self.principal_id, f"{self.resource_id}/{self.app_role_id}")

    def to_graph(self) -> Json:
        # Shape of serviceprincipal-list-approleassignments / -approleassignedto (v1.0).
        return {
            "id": self.id,
            "deletedDateTime": None,
            "appRoleId": self.app_role_id,
            "createdDateTime": self.created_date_time,
            "principalDisplayName": self.principal_display_name,
            "principalId": self.principal_id,
            "principalType": self.principal_type,
            "resourceDisplayName": self.resource_display_name,
            "resourceId": self.resource_id,
        }


@dataclass
class DirectoryRoleAssignment:
    """An active role assignment: permanent, or a PIM activation (``assignment_type`` "Activated").

    Its principal may be a user or a role-assignable group; a tenant-wide one (scope ``/``) makes the
    principal, and every member of such a group, a member of the activated directory role.
    """

    principal_id: str
    role_definition_id: str
    """The role's template id (built-in roles' definition id equals their template id)."""
    directory_scope_id: str = "/"
    id: str = ""
    assignment_type: str = "Assigned"
    """``Assigned`` (permanent) or ``Activated`` (a PIM activation of an eligible assignment)."""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = base64.urlsafe_b64encode(
                uuid.UUID(self.role_definition_id).bytes_le + uuid.UUID(self.principal_id).bytes_le
            ).decode()

    def to_graph(self) -> Json:
        # Shape of rbacapplication-list-roleassignments (v1.0).
        return {
            "id": self.id,
            "principalId": self.principal_id,
            "resourceScope": self.directory_scope_id,
            "directoryScopeId": self.directory_scope_id,
            "roleDefinitionId": self.role_definition_id,
        }


@dataclass
class RoleEligibility:
    """A PIM eligible assignment (not active until activated); its principal may be a role-assignable group."""

    principal_id: str
    role_definition_id: str
    directory_scope_id: str = "/"
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = new_id("eligibility", self.principal_id, self.role_definition_id, self.directory_scope_id)

    def instance_for(self, principal_id: str, member_type: str) -> Json:
        """As unifiedRoleEligibilityScheduleInstance (v1.0 resource page) for ``principal_id``."""
        return {
            "@odata.type": "#microsoft.graph.unifiedRoleEligibilityScheduleInstance",
            "id": f"{self.id}-{principal_id}" if member_type != "Direct" else self.id,
            "principalId": principal_id,
            "roleDefinitionId": self.role_definition_id,
            "directoryScopeId": self.directory_scope_id,
            "appScopeId": None,
            "startDateTime": "2025-01-01T00:00:00Z",
            "endDateTime": None,
            "memberType": member_type,
            "roleEligibilityScheduleId": self.id,
        }


@dataclass
class DirectoryRole:
    """An activated directory role (what membership lists show); its ``id`` differs per tenant.

    Who is a member follows from the tenant's active tenant-wide ``DirectoryRoleAssignment`` entries.
    """

    id: str
    display_name: str
    role_template_id: str

    def to_graph(self) -> Json:
        return {
            "@odata.type": "#microsoft.graph.directoryRole",
            "id": self.id,
            "deletedDateTime": None,
            "description": None,
            "displayName": self.display_name,
            "roleTemplateId": self.role_template_id,
        }


FEDERATION_AUDIENCE = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class FederatedCredential:
    """A federated identity credential on an app registration (issuer + subject + audiences).

    https://learn.microsoft.com/graph/api/resources/federatedidentitycredential
    """

    issuer: str
    subject: str
    audiences: tuple[str, ...] = (FEDERATION_AUDIENCE,)


@dataclass
class ClientApp:
    """A deploying identity that may request tokens in one tenant."""

    client_id: str
    secret: str | None = TEST_CLIENT_SECRET
    certificates: list[str] = field(default_factory=list)
    """PEM certificates registered on the app (its keyCredentials): a client assertion it signs itself
    (iss = sub = client id) is accepted when signed by one of these."""
    federated_credentials: list[FederatedCredential] = field(default_factory=list)
    """Workload identity federation: a client assertion is accepted only when its issuer and subject match
    one of these and its audience is one of that credential's audiences."""
    roles: list[str] = field(default_factory=lambda: list(DEFAULT_CLIENT_ROLES))
    """Application permissions on Microsoft Graph (the token's roles claim)."""


@dataclass
class Tenant:
    tenant_id: str
    display_name: str = "Contoso"
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    service_principals: dict[str, ServicePrincipal] = field(default_factory=dict)
    grants: list[PermissionGrant] = field(default_factory=list)
    app_role_assignments: list[AppRoleAssignment] = field(default_factory=list)
    directory_role_assignments: list[DirectoryRoleAssignment] = field(default_factory=list)
    directory_roles: list[DirectoryRole] = field(default_factory=list)
    role_eligibilities: list[RoleEligibility] = field(default_factory=list)
    authorization_policy: Json = field(default_factory=dict)
    admin_consent_request_policy: Json = field(default_factory=dict)
    subscribed_skus: list[Json] = field(default_factory=list)
    clients: dict[str, ClientApp] = field(default_factory=dict)
    signed_in_user_id: str | None = None
    """The user who completes a device-code sign-in started in this tenant (delegated token; ``/me``)."""
    delegated_consents: dict[str, set[str]] = field(default_factory=dict)
    """Delegated Graph scopes consented for the whole tenant, per client id (lower case): what a delegated
    token of that client may carry (``scp`` = requested ∩ consented; ``/.default`` = all of these)."""
    consent_on_sign_in: bool = True
    """Whether the person completing an interactive sign-in consents, for the organization, to the scopes
    the client asks for (an administrator ticking "Consent on behalf of your organization"). False: they
    cannot, and the token carries only what was consented before."""
    interaction_required: bool = False
    """This tenant demands its own interaction (e.g. MFA by Conditional Access): refresh-token grants for
    it fail with AADSTS50076 and only an interactive sign-in started here succeeds."""
    gdap_accounts: dict[str, str] = field(default_factory=dict)
    """Sign-in names (lower case) of people from another tenant who may sign in here without an object of
    their own (GDAP), mapped to their home object id (the token's ``oid``)."""
    domains: list[str] = field(default_factory=list)
    """Verified domain names (``contoso.com``): the login endpoints accept them in place of the tenant id."""
    audit_events: list[Json] = field(default_factory=list)
    """directoryAudit objects (``auditLogs/directoryAudits``), as ``audit_events.py`` records them."""

    # --- lookups used by the router -------------------------------------------------------------
    def sp_by_app_id(self, app_id: str) -> ServicePrincipal | None:
        wanted = app_id.lower()
        return next((sp for sp in self.service_principals.values() if sp.app_id.lower() == wanted), None)

    def has_domain(self, name: str) -> bool:
        wanted = name.lower()
        return any(domain.lower() == wanted for domain in self.domains)

    def sp_by_id(self, object_id: str) -> ServicePrincipal | None:
        return self.service_principals.get(object_id.lower())

    def directory_object(self, object_id: str) -> Json | None:
        key = object_id.lower()
        for store in (self.users, self.groups, self.service_principals):
            entity = store.get(key)
            if entity is not None:
                return entity.to_graph()
        return None

    # --- convenience mutators -------------------------------------------------------------------
    def add_user(self, user: User) -> User:
        self.users[user.id.lower()] = user
        return user

    def add_group(self, group: Group) -> Group:
        self.groups[group.id.lower()] = group
        return group

    def add_sp(self, sp: ServicePrincipal) -> ServicePrincipal:
        self.service_principals[sp.id.lower()] = sp
        return sp

    def remove_sp(self, object_id: str) -> None:
        self.service_principals.pop(object_id.lower(), None)
        self.grants = [g for g in self.grants if object_id not in (g.client_id, g.resource_id)]
        self.app_role_assignments = [
            a for a in self.app_role_assignments if object_id not in (a.principal_id, a.resource_id)
        ]

    def add_grant(self, grant: PermissionGrant) -> PermissionGrant:
        if any(g.id == grant.id for g in self.grants):
            raise ValueError(f"grant {grant.id} exists (Entra answers 409)")
        self.grants.append(grant)
        return grant

    def add_client(self, client: ClientApp) -> ClientApp:
        self.clients[client.client_id.lower()] = client
        return client

    def consent(self, client_id: str, *scopes: str) -> None:
        """Record tenant-wide consent of delegated Graph ``scopes`` for ``client_id``."""
        self.delegated_consents.setdefault(client_id.lower(), set()).update(scopes)

    def consented(self, client_id: str) -> set[str]:
        return set(self.delegated_consents.get(client_id.lower(), set()))

    def user_for_sign_in(self, sign_in_name: str) -> User | None:
        """The object that stands for the person ``sign_in_name`` here (member or guest), if any."""
        wanted = sign_in_name.lower()
        return next((user for user in self.users.values() if user.sign_in_name == wanted), None)

    def groups_of(self, object_id: str) -> list[Group]:
        """Every group ``object_id`` is a member of, directly or through nested groups."""
        found: list[Group] = []
        frontier = {object_id.lower()}
        seen: set[str] = set()
        while frontier:
            next_frontier: set[str] = set()
            for group in self.groups.values():
                key = group.id.lower()
                if key in seen:
                    continue
                if frontier & {member.lower() for member in group.member_ids}:
                    seen.add(key)
                    found.append(group)
                    next_frontier.add(key)
            frontier = next_frontier
        return found

    def active_roles_of(self, object_id: str, *, transitive: bool) -> list[str]:
        """Template ids of the tenant-wide active roles of ``object_id`` (and, transitively, of its groups)."""
        principals = {object_id.lower()}
        if transitive:
            principals |= {group.id.lower() for group in self.groups_of(object_id)}
        return list(
            dict.fromkeys(
                assignment.role_definition_id
                for assignment in self.directory_role_assignments
                if assignment.directory_scope_id == "/" and assignment.principal_id.lower() in principals
            )
        )

    def directory_role(self, template_id: str) -> DirectoryRole:
        role = next((r for r in self.directory_roles if r.role_template_id.lower() == template_id.lower()), None)
        if role is None:
            role = DirectoryRole(new_id(self.tenant_id, "directory-role", template_id), "Directory role", template_id)
            self.directory_roles.append(role)
        return role
