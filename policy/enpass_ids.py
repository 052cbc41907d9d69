"""The pack's own copies of the Enpass facts it enforces.

Deliberately NOT imported from ``enpass_consent.catalog``: a guardrail must not trust the code it
guards, so widening what Enpass may hold takes two reviewed edits (the catalog and this file).
``tests/policy/test_ids_pinned.py`` pins every value here equal to the catalog.
"""

from __future__ import annotations

# Enpass's multi-tenant application (client) id, as published by the vendor.
ENPASS_CLIENT_ID = "b642a132-0d12-4ff0-98d6-f5a4aee7089f"

# "Default access": the only app role id a user or group assignment to Enpass may use. Any other
# role id on an app role assignment is an application permission (or a role Enpass does not define).
DEFAULT_ACCESS_APP_ROLE_ID = "00000000-0000-0000-0000-000000000000"

# The delegated Microsoft Graph scopes Enpass's consent link asks for, in the vendor's order.
ENPASS_SCOPES: tuple[str, ...] = (
    "User.Read",
    "Files.ReadWrite.AppFolder",
    "offline_access",
    "Sites.ReadWrite.All",
    "Team.ReadBasic.All",
    "User.ReadBasic.All",
    "Channel.ReadBasic.All",
    "Group.Read.All",
)
# OpenID Connect sign-in scopes a stack may add; they grant no Graph data access.
SIGN_IN_SCOPES: tuple[str, ...] = ("openid", "profile", "email")
# Default of the `allowedScopes` policy setting.
DEFAULT_ALLOWED_SCOPES: tuple[str, ...] = ENPASS_SCOPES + SIGN_IN_SCOPES

# Engine type tokens of the pulumi-azuread resources the pack looks at.
SERVICE_PRINCIPAL_TYPE = "azuread:index/servicePrincipal:ServicePrincipal"
GRANT_TYPE = "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant"
APP_ROLE_ASSIGNMENT_TYPE = "azuread:index/appRoleAssignment:AppRoleAssignment"
