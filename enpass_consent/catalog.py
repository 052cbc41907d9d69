"""The single source of truth: Enpass, the Microsoft Graph scopes it asks for, and well-known ids.

Every app id, role id and scope name the program, the CLI and the docs use comes from here. The
policy pack keeps its own copies on purpose (a guardrail must not trust the code it guards); a test
pins them equal to this module. Sources are cited next to each fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Enpass's multi-tenant application, as published by the vendor:
# https://help.enpass.io/business/latest/microsoft-365/add-enpass-to-microsoft-entra-id
ENPASS_APP_ID = "b642a132-0d12-4ff0-98d6-f5a4aee7089f"
ENPASS_REDIRECT_URI = "https://auth.enpass.io/onedrive/"
ENPASS_DISPLAY_NAME = "Enpass"

# Microsoft Graph's application id is the same in every tenant; its service principal's object id
# is not (it is the resourceId of every Graph grant).
MICROSOFT_GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"

# "Default access": the app role id used to assign a user or group to an app that defines no roles.
# https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto
DEFAULT_ACCESS_APP_ROLE_ID = "00000000-0000-0000-0000-000000000000"

# The tag that lists a service principal under Enterprise applications in the Entra portal: the
# azuread provider's `feature_tags.enterprise` (terraform-provider-azuread v3.9.0
# internal/helpers/applications/applications.go, ExpandFeatures).
ENTERPRISE_APP_TAG = "WindowsAzureActiveDirectoryIntegratedApp"
# The tag that hides an app from users' My Apps portal and the Microsoft 365 launcher: the provider's
# `feature_tags.hide` (same ExpandFeatures; https://learn.microsoft.com/entra/identity/enterprise-apps/hide-application-from-user-portal).
# The provider reads tags back case-insensitively (FlattenFeatures, same file).
HIDE_APP_TAG = "HideApp"

# The tenant of personal Microsoft accounts ("the consumer tenant GUID ... in place of consumers",
# https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc; the `consumers` metadata's issuer
# names it, openiddict/openiddict-core#1764). No organisation consents to Enpass there. That a consumer
# domain such as outlook.com resolves to it too is an assumption (not found in a source).
PERSONAL_ACCOUNTS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"

# The public client the CLI signs people in with when no deploying identity is configured:
# "Microsoft Graph Command Line Tools". Never Enpass's own client id.
GRAPH_COMMAND_LINE_TOOLS_APP_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

# Delegated scopes that only serve OpenID Connect sign-in (plus offline_access, which refreshes
# tokens). They are never qualified with the Graph root in a consent URL.
OPENID_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})


class Risk(StrEnum):
    """How much a scope lets Enpass do, from our reading of Microsoft's description."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Scope:
    """One delegated Microsoft Graph permission that Enpass may hold."""

    name: str
    """The claim value as Microsoft Graph spells it."""
    graph_scope_id: str
    """The delegated permission's id on Microsoft Graph (the same in every tenant)."""
    allows: str
    """What Microsoft says the permission allows (admin consent description)."""
    purpose: str
    """Why Enpass needs it."""
    risk: Risk
    """Our rating; the reason is in ``risk_reason``."""
    risk_reason: str
    scanner_rating: str | None
    """How ScubaGear's RiskyAppPermissions.json rates the delegated permission (None: not listed)."""
    requested_by_enpass: bool
    """True for the eight scopes Enpass's consent link asks for; False for optional sign-in scopes."""
    admin_consent_required: bool
    """Whether Microsoft marks the delegated permission as needing admin consent."""


_ENPASS_GUIDE = "Enpass: enpass-enterprise-app-permissions"

# Scope ids: microsoft-graph-docs-contrib concepts/includes/permissions-ids.md. Descriptions and the
# admin-consent flags: concepts/permissions-reference.md (https://learn.microsoft.com/graph/permissions-reference).
# Scanner ratings: cisagov/ScubaGear PowerShell/ScubaGear/schemas/RiskyAppPermissions.json (Graph, delegated).

SCOPES: tuple[Scope, ...] = (
    Scope(
        name="User.Read",
        graph_scope_id="e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        allows=(
            "Allows users to sign in to the app, and allows the app to read the profile of signed-in "
            "users. It also allows the app to read basic company information of signed-in users."
        ),
        purpose=(
            "Reads the signed-in user's email, display name, UPN and id to identify the user in the "
            f"Enpass team account and associate vaults ({_ENPASS_GUIDE})."
        ),
        risk=Risk.LOW,
        risk_reason="Only the signed-in user's own profile.",
        scanner_rating=None,
        requested_by_enpass=True,
        admin_consent_required=False,
    ),
    Scope(
        name="Files.ReadWrite.AppFolder",
        graph_scope_id="8019c312-3263-48e6-825e-2b833497195b",
        allows="Allows the app to read, create, update and delete files in the application's folder.",
        purpose=(
            "Stores the user's primary vault in the private app folder OneDrive > Apps > Enpass and "
            f"nothing else on the user's OneDrive ({_ENPASS_GUIDE})."
        ),
        risk=Risk.LOW,
        risk_reason="Confined to Enpass's own app folder.",
        scanner_rating=None,
        requested_by_enpass=True,
        admin_consent_required=False,
    ),
    Scope(
        name="offline_access",
        graph_scope_id="7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
        allows=(
            "Allows the app to see and update the data you gave it access to, even when users are not "
            "currently using the app. This does not give the app any additional permissions."
        ),
        purpose=(
            "Refresh tokens, so vault sync continues without signing in again; tokens stay encrypted in "
            f"the local Enpass database, never on Enpass servers ({_ENPASS_GUIDE})."
        ),
        risk=Risk.LOW,
        risk_reason="Adds no data access; extends the lifetime of what is granted.",
        scanner_rating=None,
        requested_by_enpass=True,
        admin_consent_required=False,
    ),
    Scope(
        name="Sites.ReadWrite.All",
        graph_scope_id="89fe6a52-be36-487e-b7d8-d061c450a026",
        allows=(
            "Allows the application to edit or delete documents and list items in all site collections "
            "on behalf of the signed-in user."
        ),
        purpose=(
            f"Reads and writes the encrypted shared vault files kept in SharePoint and Teams sites ({_ENPASS_GUIDE})."
        ),
        risk=Risk.CRITICAL,
        risk_reason="Write access to every site the signed-in user can reach.",
        scanner_rating="critical",
        requested_by_enpass=True,
        admin_consent_required=False,
    ),
    Scope(
        name="Team.ReadBasic.All",
        graph_scope_id="485be79e-c497-4b35-9400-0e3fa7f2a5d4",
        allows="Read the names and descriptions of teams, on behalf of the signed-in user.",
        purpose=f"Lists the user's teams so a vault can be shared with a team ({_ENPASS_GUIDE}).",
        risk=Risk.LOW,
        risk_reason="Names and descriptions only.",
        scanner_rating=None,
        requested_by_enpass=True,
        admin_consent_required=False,
    ),
    Scope(
        name="User.ReadBasic.All",
        graph_scope_id="b340eb25-3456-403f-be2f-af7a0d370277",
        allows=(
            "Allows the app to read a basic set of profile properties of other users in your "
            "organization on behalf of the signed-in user. This includes display name, first and last "
            "name, email address and photo."
        ),
        purpose=f"Looks up colleagues' profiles to share vaults with them ({_ENPASS_GUIDE}).",
        risk=Risk.LOW,
        risk_reason="Basic directory profile of other users.",
        scanner_rating=None,
        requested_by_enpass=True,
        admin_consent_required=False,
    ),
    Scope(
        name="Channel.ReadBasic.All",
        graph_scope_id="9d8982ae-4365-4f57-95e9-d6032a4c0b87",
        allows="Read channel names and channel descriptions, on behalf of the signed-in user.",
        purpose=f"Lists a team's channels, whose SharePoint folders hold shared vaults ({_ENPASS_GUIDE}).",
        risk=Risk.LOW,
        risk_reason="Names and descriptions only.",
        scanner_rating="low",
        requested_by_enpass=True,
        admin_consent_required=False,
    ),
    Scope(
        name="Group.Read.All",
        graph_scope_id="5f8c59db-677d-491f-a6b8-5f174b11ec1d",
        allows=(
            "Allows the app to list groups, and to read their properties and all group memberships on "
            "behalf of the signed-in user. Also allows the app to read calendar, conversations, files, "
            "and other group content for all groups the signed-in user can access."
        ),
        purpose=(
            "Resolves Microsoft 365 groups behind teams and their document libraries for vault sharing "
            f"({_ENPASS_GUIDE})."
        ),
        risk=Risk.MEDIUM,
        risk_reason="Reads group content the signed-in user can access, beyond names.",
        scanner_rating="medium",
        requested_by_enpass=True,
        admin_consent_required=True,
    ),
    Scope(
        name="openid",
        graph_scope_id="37f7f235-527c-4136-accd-4a02d197296e",
        allows=(
            "Allows users to sign in to the app with their work or school accounts and allows the app "
            "to see basic user profile information."
        ),
        purpose="Optional: OpenID Connect sign-in; Enpass does not ask for it.",
        risk=Risk.LOW,
        risk_reason="Sign-in only; no Graph data access.",
        scanner_rating=None,
        requested_by_enpass=False,
        admin_consent_required=False,
    ),
    Scope(
        name="profile",
        graph_scope_id="14dad69e-099b-42c9-810b-d002981feec1",
        allows="Allows the app to see your users' basic profile (e.g., name, picture, user name, email address).",
        purpose="Optional: OpenID Connect sign-in; Enpass does not ask for it.",
        risk=Risk.LOW,
        risk_reason="Sign-in only; no Graph data access.",
        scanner_rating=None,
        requested_by_enpass=False,
        admin_consent_required=False,
    ),
    Scope(
        name="email",
        graph_scope_id="64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
        allows="Allows the app to read your users' primary email address.",
        purpose="Optional: OpenID Connect sign-in; Enpass does not ask for it.",
        risk=Risk.LOW,
        risk_reason="Sign-in only; no Graph data access.",
        scanner_rating=None,
        requested_by_enpass=False,
        admin_consent_required=False,
    ),
)

SCOPES_BY_LOWER_NAME: dict[str, Scope] = {scope.name.lower(): scope for scope in SCOPES}

# The scopes Enpass's own consent link asks for, in the vendor's order.
ENPASS_SCOPE_NAMES: tuple[str, ...] = tuple(s.name for s in SCOPES if s.requested_by_enpass)
# Sign-in scopes that may be granted when a stack asks for them; never by default.
SIGN_IN_SCOPE_NAMES: tuple[str, ...] = tuple(s.name for s in SCOPES if not s.requested_by_enpass)
ALL_SCOPE_NAMES: tuple[str, ...] = tuple(s.name for s in SCOPES)


def canonical_scope(name: str) -> str | None:
    """The catalog's spelling of ``name`` (matched case-insensitively), or None if unknown."""
    scope = SCOPES_BY_LOWER_NAME.get(name.lower())
    return scope.name if scope else None


@dataclass(frozen=True)
class DirectoryRole:
    """A built-in Entra role that can grant tenant-wide consent to Enpass's delegated scopes."""

    name: str
    template_id: str


# Role template ids: https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference
# Who may consent: https://learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent
CONSENT_CAPABLE_ROLES: tuple[DirectoryRole, ...] = (
    DirectoryRole("Global Administrator", "62e90394-69f5-4237-9190-012177145e10"),
    DirectoryRole("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"),
    DirectoryRole("Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"),
    DirectoryRole("Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7"),
    DirectoryRole("AI Administrator", "d2562ede-74db-457e-a7b6-544e236ebb61"),
)


# ---------------------------------------------------------------------------------------------
# Licences: service plans, as ``subscribedSkus`` (servicePlans[].servicePlanId) and users'
# ``assignedPlans`` report them. Read by ``preflight`` only.
#
# Source for every id below: Microsoft's "Product names and service plan identifiers for licensing",
# https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference (markdown
# MicrosoftDocs/entra-docs docs/identity/users/licensing-service-plan-reference.md at commit
# 067a0c7b0bb2091db6379c757c7aca0bc4f89d4a, "last updated on October 29, 2025").
# Check the service plan, never the SKU: the same plan comes in many SKUs.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServicePlan:
    """One licence service plan: its name as Microsoft spells it and its id (the same in every tenant)."""

    name: str
    service_plan_id: str
    friendly_name: str


# Service plans that give a user SharePoint/OneDrive storage, which Enpass keeps its vaults in.
# Caveat: SHAREPOINTDESKLESS ("SharePoint Kiosk") is also part of "Microsoft Teams (Free)" (TEAMS_FREE),
# so a user holding only that plan counts as covered although a free Teams licence may give no usable
# OneDrive. Plans seen in the reference whose storage is unclear (SHAREPOINT_S_DEVELOPER,
# SHAREPOINTENTERPRISE_GOV, SHAREPOINTLITE, ONEDRIVELITE_IW, ONEDRIVECLIPCHAMP) are left out, so users with
# only those are reported as lacking storage. SHAREPOINTWAC is Office for the web, not storage.
ONEDRIVE_SHAREPOINT_PLANS: tuple[ServicePlan, ...] = (
    ServicePlan("SHAREPOINTSTANDARD", "c7699d2e-19aa-44de-8edf-1736da088ca1", "SharePoint (Plan 1)"),
    ServicePlan("SHAREPOINTENTERPRISE", "5dbe027f-2339-4123-9542-606e4d348a72", "SharePoint (Plan 2)"),
    ServicePlan("SHAREPOINTDESKLESS", "902b47e5-dcb2-4fdc-858b-c63a90a2bdb9", "SharePoint Kiosk"),
    ServicePlan("SHAREPOINTSTANDARD_EDU", "0a4983bb-d3e5-4a09-95d8-b2d0127b3df5", "SharePoint (Plan 1) for Education"),
    ServicePlan(
        "SHAREPOINTENTERPRISE_EDU", "63038b2c-28d0-45f6-bc36-33062963b498", "SharePoint (Plan 2) for Education"
    ),
    ServicePlan("ONEDRIVESTANDARD", "13696edf-5a08-49f6-8134-03083ed8ba30", "OneDrive for Business (Plan 1)"),
    ServicePlan("ONEDRIVEENTERPRISE", "afcafa6a-d966-4462-918c-ec0b4e0fe642", "OneDrive for Business (Plan 2)"),
    ServicePlan("ONEDRIVE_BASIC", "da792a53-cbc0-4184-a10d-e544dd34b3c1", "OneDrive for Business (Basic)"),
    ServicePlan("ONEDRIVE_BASIC_P2", "4495894f-534f-41ca-9d3b-0ebf1220a423", "OneDrive for Business (Basic 2)"),
    ServicePlan(
        "ONEDRIVE_BASIC_GOV", "98709c2e-96b5-4244-95f5-a0ebe139fb8a", "OneDrive for Business Basic for Government"
    ),
)

# The plan that free Microsoft Teams also carries (see the caveat above).
SHAREPOINT_KIOSK_PLAN_NAME = "SHAREPOINTDESKLESS"

# Microsoft Entra ID P1, needed to assign groups to an app; P2 includes it (the "Microsoft Entra ID P2"
# SKU lists both plans).
ENTRA_ID_P1_PLANS: tuple[ServicePlan, ...] = (
    ServicePlan("AAD_PREMIUM", "41781fb2-bc02-4b7c-bd55-b576c07bb09d", "Microsoft Entra ID P1"),
    ServicePlan("AAD_PREMIUM_P2", "eec0eb4f-6444-4f95-aba0-50c24d67f998", "Microsoft Entra ID P2"),
)
