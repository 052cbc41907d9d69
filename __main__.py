"""One tenant's Enpass consent: stack settings -> guards and lookups -> EnpassConsent -> exports.

The settings, exports and resource names: docs/reference.md#stack-settings.
"""

import pulumi

from components import EnpassConsent, EnpassConsentArgs, lookups, stack_config
from enpass_consent import clouds, settings

try:
    desired = settings.parse(stack_config.read())
except settings.SettingsError as exc:
    raise pulumi.RunError(str(exc)) from None

lookups.check_tenant_pinned(desired)
args = EnpassConsentArgs(
    settings=desired,
    graph_service_principal_object_id=lookups.graph_service_principal_object_id(desired),
    group_object_ids=lookups.group_object_ids(desired),
)
enpass = EnpassConsent("enpass", args)

pulumi.export("tenantId", desired.tenant_id)
pulumi.export("servicePrincipalObjectId", enpass.service_principal_object_id)
pulumi.export("tenantWideGrantId", enpass.tenant_wide_grant_id)
pulumi.export("grantedScopes", list(desired.scopes))  # sorted by the settings parser
pulumi.export("assignedPrincipals", sorted(args.principal_object_id(a) for a in desired.assignees))
pulumi.export("adminConsentUrl", clouds.admin_consent_url(desired.cloud, desired.tenant_id, desired.scopes))
