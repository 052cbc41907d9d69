"""``EnpassConsent``: the Enpass service principal, its Graph grants and its assignments in one tenant.

Names and the type token are a contract (docs/reference.md#resources-and-names): they are part of
every URN, so changing one replaces objects in every tenant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_azuread as azuread

from enpass_consent import catalog, service_principal
from enpass_consent.settings import Assignee, Settings

TYPE_TOKEN = "enpass-consent:index:EnpassConsent"


@dataclass(frozen=True)
class EnpassConsentArgs:
    """Everything the component needs, resolved before any resource is registered."""

    settings: Settings
    graph_service_principal_object_id: str
    """Object id of Microsoft Graph's service principal in this tenant (the grants' resource)."""
    group_object_ids: Mapping[str, str] = field(default_factory=dict)
    """Object id of each group given by display name, keyed by the entry as written."""

    def __post_init__(self) -> None:
        if not self.graph_service_principal_object_id:
            raise ValueError("graph_service_principal_object_id: must be the Graph SP's object id (got '')")
        unresolved = [
            a.entry for a in self.settings.groups if a.object_id is None and a.entry not in self.group_object_ids
        ]
        if unresolved:
            raise ValueError(f"group_object_ids: no object id for group name {unresolved[0]!r}")

    def principal_object_id(self, assignee: Assignee) -> str:
        return assignee.object_id or self.group_object_ids[assignee.entry]


class EnpassConsent(pulumi.ComponentResource):
    """The Enpass consent of one tenant, exactly as its stack settings describe it."""

    service_principal: azuread.ServicePrincipal
    tenant_wide_grant: azuread.ServicePrincipalDelegatedPermissionGrant | None
    user_grants: dict[str, azuread.ServicePrincipalDelegatedPermissionGrant]
    """Per-user grants keyed by user object id."""
    assignments: dict[str, azuread.AppRoleAssignment]
    """Assignments keyed by the entry as written in ``groups``/``users``."""

    def __init__(self, name: str, args: EnpassConsentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        settings = args.settings
        adopt = settings.adopt

        # The SP is retained on destroy and on removal from the program: deleting it disconnects every
        # Enpass user in the tenant. It is never imported: use_existing alone adopts an SP created by an
        # earlier click-through (the provider's create finds it by client id and updates it:
        # terraform-provider-azuread internal/services/serviceprincipals/service_principal_resource.go,
        # servicePrincipalResourceCreate), whereas the importer's id format changed between releases
        # (pulumi/pulumi-azuread#1750, #2495). Every argument below is written to an adopted SP:
        # enpass_consent.service_principal lists what that changes, for adopt and preflight to show.
        declared = service_principal.declared(settings)
        self.service_principal = azuread.ServicePrincipal(
            f"{name}-sp",
            client_id=catalog.ENPASS_APP_ID,
            use_existing=True,
            # Declared even when true: the provider's default is true, so an adopted SP that an admin
            # disabled would be re-enabled silently; the stack says which it should be.
            account_enabled=declared.account_enabled,
            app_role_assignment_required=declared.app_role_assignment_required,
            # feature_tags replaces every tag of the SP (applications.ExpandFeatures), so the one tag admins
            # commonly set, HideApp, is a setting.
            feature_tags=[azuread.ServicePrincipalFeatureTagArgs(enterprise=True, hide=declared.hide_from_my_apps)],
            notes=declared.notes,
            notification_email_addresses=list(declared.notification_email_addresses),
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect, retain_on_delete=True),
        )
        sp_object_id = self.service_principal.object_id

        # No deleted_with on grants or assignments: the SP is never deleted, and Pulumi skips deleting
        # anything whose deleted_with target is deleted, so consent would never be revoked on destroy.
        self.tenant_wide_grant = None
        if settings.tenant_wide_consent:
            self.tenant_wide_grant = azuread.ServicePrincipalDelegatedPermissionGrant(
                f"{name}-grant",
                service_principal_object_id=sp_object_id,
                resource_service_principal_object_id=args.graph_service_principal_object_id,
                claim_values=list(settings.scopes),
                opts=pulumi.ResourceOptions(
                    parent=self, protect=settings.protect, import_=_grant_import_id(adopt.grant_id)
                ),
            )

        self.user_grants = {
            user_id: azuread.ServicePrincipalDelegatedPermissionGrant(
                f"{name}-grant-{user_id}",
                service_principal_object_id=sp_object_id,
                resource_service_principal_object_id=args.graph_service_principal_object_id,
                user_object_id=user_id,
                claim_values=list(settings.scopes),
                opts=pulumi.ResourceOptions(
                    parent=self,
                    protect=settings.protect,
                    import_=_grant_import_id(adopt.user_grant_ids.get(user_id)),
                ),
            )
            for user_id in settings.consent_user_ids
        }

        self.assignments = {}
        for assignee in settings.assignees:
            assignment_id = adopt.assignment_ids.get(assignee.entry)
            # The settings parser refuses assignmentIds without servicePrincipalObjectId.
            import_id = (
                f"/servicePrincipals/{adopt.service_principal_object_id}/appRoleAssignedTo/{assignment_id}"
                if assignment_id
                else None
            )
            self.assignments[assignee.entry] = azuread.AppRoleAssignment(
                f"{name}-assign-{assignee.name_key}",
                app_role_id=catalog.DEFAULT_ACCESS_APP_ROLE_ID,
                principal_object_id=args.principal_object_id(assignee),
                resource_object_id=sp_object_id,
                # Assignments restrict who may sign in; settings' protect covers the SP and grants only.
                opts=pulumi.ResourceOptions(parent=self, protect=False, import_=import_id),
            )

        self.service_principal_object_id: pulumi.Output[str] = sp_object_id
        self.tenant_wide_grant_id: pulumi.Output[str] | None = (
            self.tenant_wide_grant.id if self.tenant_wide_grant else None
        )
        self.register_outputs(
            {
                "servicePrincipalObjectId": self.service_principal_object_id,
                "tenantWideGrantId": self.tenant_wide_grant_id,
                "userGrantIds": {user_id: grant.id for user_id, grant in self.user_grants.items()},
                "assignmentIds": {entry: a.id for entry, a in self.assignments.items()},
            }
        )


def _grant_import_id(grant_id: str | None) -> str | None:
    # The grant importer's id (stable.ValidateOAuth2PermissionGrantID in terraform-provider-azuread
    # internal/services/serviceprincipals/service_principal_delegated_permission_grant_resource.go).
    return f"/oauth2PermissionGrants/{grant_id}" if grant_id else None
