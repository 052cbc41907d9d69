"""Microsoft's documented Graph response examples, verbatim, and Microsoft Graph's permission ids.

Doc pages (microsoftgraph/microsoft-graph-docs-contrib, api-reference/v1.0/api/):
serviceprincipal-get.md, oauth2permissiongrant-list.md, serviceprincipal-list-approleassignedto.md,
serviceprincipal-list-approleassignments.md, authorizationpolicy-get.md, adminconsentrequestpolicy-get.md,
subscribedsku-list.md, group-get.md. Permission ids: https://learn.microsoft.com/graph/permissions-reference.
"""

from __future__ import annotations

from enpass_consent.catalog import DEFAULT_ACCESS_APP_ROLE_ID, SCOPES
from enpass_consent.emulator.state import Json

# ---------------------------------------------------------------------------------------------
# Documented examples, verbatim (ids and values as Microsoft publishes them)
# ---------------------------------------------------------------------------------------------

# serviceprincipal-get.md, Example 1 response (v1.0).
DOC_SERVICE_PRINCIPAL: Json = {
    "accountEnabled": True,
    "addIns": [],
    "alternativeNames": ["http://contoso/a7770d29-4321-41a6-b863-ca11d6639448"],
    "appDisplayName": "My app",
    "appId": "appId-value",
    "appOwnerOrganizationId": "65415bb1-9267-4313-bbf5-ae259732ee12",
    "appRoleAssignmentRequired": True,
    "appRoles": [],
    "disabledByMicrosoftStatus": None,
    "displayName": "My app instance in tenant",
    "endpoints": [],
    "homepage": None,
    "id": "00af5dfb-85da-4b41-a677-0c6b86dd34f8",
    "verifiedPublisher": {
        "displayName": "publisher_contoso",
        "verifiedPublisherId": "9999999",
        "addedDateTime": "2021-04-24T17:49:44Z",
    },
    "info": {
        "termsOfServiceUrl": None,
        "supportUrl": None,
        "privacyStatementUrl": None,
        "marketingUrl": None,
        "logoUrl": None,
    },
    "keyCredentials": [],
    "logoutUrl": None,
    "oauth2PermissionScopes": [],
    "passwordCredentials": [],
    "publisherName": None,
    "replyUrls": [],
    "resourceSpecificApplicationPermissions": [],
    "servicePrincipalNames": [],
    "servicePrincipalType": None,
    "signInAudience": "AzureADandPersonalMicrosoftAccount",
    "tags": [],
    "tokenEncryptionKeyId": None,
}

# oauth2permissiongrant-list.md, response example (v1.0). The id is grant_id(clientId, resourceId).
DOC_GRANT: Json = {
    "clientId": "263a5b01-03e5-408e-8557-bab681df104c",
    "consentType": "AllPrincipals",
    "id": "AVs6JuUDjkCFV7q2gd8QTPimBBgj5iBFj0C6GwwRxC0",
    "principalId": None,
    "resourceId": "1804a6f8-e623-4520-8f40-ba1b0c11c42d",
    "scope": "User.Read Group.ReadWrite.All",
}

# serviceprincipal-list-approleassignments.md, response example (v1.0): an app permission held BY an SP.
DOC_APP_ROLE_ASSIGNMENT: Json = {
    "id": "UxOIjjUXr0WvIe4TRFgqTY4z9Wu5KxpBtlEpoTGjw-A",
    "createdDateTime": "2021-02-02T04:22:45.4980259Z",
    "appRoleId": "e2a3a72e-5f79-4c64-b1b1-878b674786c9",
    "principalDisplayName": "dxprovisioning-graphapi-client",
    "principalId": "8e881353-1735-45af-af21-ee1344582a4d",
    "principalType": "ServicePrincipal",
    "resourceDisplayName": "Microsoft Graph",
    "resourceId": "fea94d6d-b5bf-44d2-a887-4f72a8d74f44",
}

# serviceprincipal-list-approleassignedto.md, response example (v1.0): a user assigned TO an SP.
DOC_APP_ROLE_ASSIGNED_TO: Json = {
    "id": "41W1zT6z1U-kJxf62svfp1HFE8pMZhxDun-ThPczmJE",
    "deletedDateTime": None,
    "appRoleId": DEFAULT_ACCESS_APP_ROLE_ID,  # the doc's literal value; the catalog names it
    "createdDateTime": "2021-02-02T04:22:45.9480566Z",
    "principalDisplayName": "MOD Administrator",
    "principalId": "cdb555e3-b33e-4fd5-a427-17fadacbdfa7",
    "principalType": "User",
    "resourceDisplayName": "dxprovisioning-graphapi-client",
    "resourceId": "8e881353-1735-45af-af21-ee1344582a4d",
}

# authorizationpolicy-get.md, response example (v1.0), without @odata.context (the router adds it).
DOC_AUTHORIZATION_POLICY: Json = {
    "id": "authorizationPolicy",
    "allowInvitesFrom": "everyone",
    "allowedToSignUpEmailBasedSubscriptions": True,
    "allowedToUseSSPR": True,
    "allowEmailVerifiedUsersToJoinOrganization": True,
    "allowUserConsentForRiskyApps": False,
    "blockMsolPowerShell": None,
    "displayName": "Authorization Policy",
    "description": "Used to manage authorization related settings across the company.",
    "defaultUserRolePermissions": {
        "allowedToCreateApps": True,
        "allowedToCreateSecurityGroups": True,
        "allowedToReadOtherUsers": True,
        "permissionGrantPoliciesAssigned": ["just-user-read"],
    },
}

# adminconsentrequestpolicy-get.md, response example (v1.0), without @odata.context.
DOC_ADMIN_CONSENT_REQUEST_POLICY: Json = {
    "isEnabled": True,
    "notifyReviewers": False,
    "remindersEnabled": False,
    "requestDurationInDays": 0,
    "version": 0,
    "reviewers": [
        {"query": "/users/906e0ee5-6372-4cc8-8248-fdf2846b48ed", "queryType": "MicrosoftGraph", "queryRoot": None}
    ],
}

# subscribedsku-list.md, response example (v1.0).
DOC_SUBSCRIBED_SKU: Json = {
    "capabilityStatus": "Enabled",
    "consumedUnits": 14,
    "id": "48a80680-7326-48cd-9935-b556b81d3a4e_c7df2760-2c81-4ef7-b578-5b5392b571df",
    "prepaidUnits": {"enabled": 25, "suspended": 0, "warning": 0},
    "servicePlans": [
        {
            "servicePlanId": "8c098270-9dd4-4350-9b30-ba4703f3b36b",
            "servicePlanName": "ADALLOM_S_O365",
            "provisioningStatus": "Success",
            "appliesTo": "User",
        }
    ],
    "skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df",
    "skuPartNumber": "ENTERPRISEPREMIUM",
    "appliesTo": "User",
}

# group-get.md, Example 1 response (v1.0): a Microsoft 365 (Unified) group, not security-enabled.
DOC_GROUP: Json = {
    "id": "02bd9fd6-8f93-4758-87c3-1fb73740a315",
    "deletedDateTime": None,
    "classification": None,
    "createdDateTime": "2017-07-31T18:56:16Z",
    "description": "Welcome to the HR Taskforce team.",
    "displayName": "HR Taskforce",
    "expirationDateTime": None,
    "groupTypes": ["Unified"],
    "isAssignableToRole": None,
    "mail": "HRTaskforce@M365x214355.onmicrosoft.com",
    "mailEnabled": True,
    "mailNickname": "HRTaskforce",
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
    "proxyAddresses": [
        "SMTP:HRTaskforce@M365x214355.onmicrosoft.com",
        "SPO:SPO_896cf652-b200-4b74-8111-c013f64406cf@SPO_dcd219dd-bc68-4b9b-bf0b-4a33a796be35",
    ],
    "renewedDateTime": "2020-01-24T19:01:14Z",
    "resourceBehaviorOptions": [],
    "resourceProvisioningOptions": ["Team"],
    "securityEnabled": False,
    "securityIdentifier": "S-1-12-1-45981654-1196986259-3072312199-363020343",
    "theme": None,
    "visibility": "Private",
    "onPremisesProvisioningErrors": [],
}

# SharePoint (Plan 2) as users' assignedPlans report it (user resource docs; plan id from Microsoft's
# licensing service-plan reference, https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference).
SHAREPOINT_PLAN_2_ID = "5dbe027f-2339-4123-9542-606e4d348a72"
SHAREPOINT_ASSIGNED_PLAN: Json = {
    "assignedDateTime": "2017-07-29T02:16:28Z",
    "capabilityStatus": "Enabled",
    "service": "SharePoint",
    "servicePlanId": SHAREPOINT_PLAN_2_ID,
}

# ---------------------------------------------------------------------------------------------
# Microsoft Graph's service principal: delegated scope ids and app role ids as published in the
# permissions reference (learn.microsoft.com/graph/permissions-reference).
# ---------------------------------------------------------------------------------------------
GRAPH_SCOPE_IDS: dict[str, str] = {
    "User.Read": "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    "Files.ReadWrite.AppFolder": "8019c312-3263-48e6-825e-2b833497195b",
    "offline_access": "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
    "Sites.ReadWrite.All": "89fe6a52-be36-487e-b7d8-d061c450a026",
    "Team.ReadBasic.All": "485be79e-c497-4b35-9400-0e3fa7f2a5d4",
    "User.ReadBasic.All": "b340eb25-3456-403f-be2f-af7a0d370277",
    "Channel.ReadBasic.All": "9d8982ae-4365-4f57-95e9-d6032a4c0b87",
    "Group.Read.All": "5f8c59db-677d-491f-a6b8-5f174b11ec1d",
    "openid": "37f7f235-527c-4136-accd-4a02d197296e",
    "profile": "14dad69e-099b-42c9-810b-d002981feec1",
    "email": "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
    # Not Enpass's: present so that "extra scope" scenarios use real Graph scopes.
    "Mail.Read": "570282fd-fa5c-430d-a7fd-fc8dc98a9dca",
    "Files.ReadWrite.All": "863451e7-0667-486c-a5d6-d135439485f0",
    "Directory.Read.All": "06da0dbc-49e2-44d2-8312-53f166ab848a",
}
_EXTRA_SCOPE_TEXT = {
    "Mail.Read": ("Read user mail", "Allows the app to read the signed-in user's mailbox.", "User"),
    "Files.ReadWrite.All": (
        "Have full access to all files user can access",
        "Allows the app to read, create, update and delete all files the signed-in user can access.",
        "User",
    ),
    "Directory.Read.All": (
        "Read directory data",
        "Allows the app to read data in your organization's directory.",
        "Admin",
    ),
}

GRAPH_APP_ROLE_IDS: dict[str, str] = {
    "Application.Read.All": "9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30",
    "Directory.Read.All": "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Policy.Read.All": "246dd0d5-5bd0-4def-940b-0421030a5b68",
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "GroupMember.Read.All": "98830695-27a2-44f7-8c18-0c3ebc9698f6",
    "Mail.Read": "810c84a8-4a9e-49e6-bf7d-12d183f40d01",
    "Files.ReadWrite.All": "75359482-378d-4052-8f01-80520e7db3cd",
    "Sites.ReadWrite.All": "9492366f-7969-46a4-8d15-ed1a20078fff",
    # serviceprincipal-get.md Example 2 (Microsoft Graph's own SP).
    "EduAssignments.ReadBasic.All": "6e0a958b-b7fc-4348-b7c4-a6ab9fd3dd0e",
}


def graph_permission_scopes() -> list[Json]:
    """oauth2PermissionScopes of Microsoft Graph: every catalog scope plus a few others (element shape of
    serviceprincipal-get.md Example 2)."""
    scopes: list[Json] = []
    for scope in SCOPES:
        scopes.append(
            {
                "adminConsentDescription": scope.allows,
                "adminConsentDisplayName": scope.name,
                "id": GRAPH_SCOPE_IDS[scope.name],
                "isEnabled": True,
                "type": "Admin" if scope.admin_consent_required else "User",
                "userConsentDescription": scope.allows,
                "userConsentDisplayName": scope.name,
                "value": scope.name,
            }
        )
    for name, (display, description, kind) in _EXTRA_SCOPE_TEXT.items():
        scopes.append(
            {
                "adminConsentDescription": description,
                "adminConsentDisplayName": display,
                "id": GRAPH_SCOPE_IDS[name],
                "isEnabled": True,
                "type": kind,
                "userConsentDescription": description,
                "userConsentDisplayName": display,
                "value": name,
            }
        )
    return scopes


def graph_app_roles() -> list[Json]:
    return [
        {
            "allowedMemberTypes": ["Application"],
            "description": f"Allows the app to use {name} without a signed-in user.",
            "displayName": name,
            "id": role_id,
            "isEnabled": True,
            "origin": "Application",
            "value": name,
        }
        for name, role_id in GRAPH_APP_ROLE_IDS.items()
    ]
