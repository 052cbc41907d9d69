"""Check ``user-consent``: the tenant's consent settings, and whether users would see "Need admin approval".

The prediction comes from today's grants (read exactly as ``audit`` reads them): a tenant-wide grant
holding every configured scope means no prompt. Otherwise users would need approval: Group.Read.All
needs admin consent whatever the policy, and Microsoft's managed default policy excludes
Sites.ReadWrite.All from user consent
(https://learn.microsoft.com/entra/identity/enterprise-apps/configure-user-consent and
https://learn.microsoft.com/entra/identity/enterprise-apps/manage-app-consent-policies).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from enpass_consent import catalog, clouds
from enpass_consent.audit.state import TenantState, missing_scopes
from enpass_consent.preflight import collect
from enpass_consent.preflight.checks.common import permission_failure
from enpass_consent.preflight.result import Check, CheckStatus
from enpass_consent.preflight.state import Denied, Found, Outcome, PreflightState
from enpass_consent.settings import Settings

USER_CONSENT = "user-consent"

_SELF = "managepermissiongrantsforself."
# Built-in user-consent policies, by the name after the prefix (compared in lower case).
_POLICIES = {
    "microsoft-user-default-legacy": "users may consent to any permission that needs no admin consent",
    "microsoft-user-default-low": "users may consent only to low-impact permissions of verified publishers",
    "microsoft-user-default-recommended": "Microsoft-managed user consent (excludes Sites.ReadWrite.All and other "
    "file, site and mail scopes)",
}
_LEGACY = "microsoft-user-default-legacy"


def check_user_consent(settings: Settings, state: PreflightState) -> Check:
    if isinstance(state.enpass, Denied):
        return permission_failure(USER_CONSENT, state.enpass.requirement, "Enpass's grants", identity=state.identity)
    policy = _policy_summary(state.read(collect.AUTHORIZATION_POLICY), state.read(collect.ADMIN_CONSENT_REQUEST_POLICY))
    if isinstance(policy, Denied):
        return permission_failure(USER_CONSENT, policy.requirement, "the consent policies", identity=state.identity)
    consent_policy, self_policies, workflow_on = policy

    gaps = _gaps(settings, state.enpass)
    if not gaps:
        return Check(
            USER_CONSENT,
            CheckStatus.PASS,
            f"No 'Need admin approval' prompt: today's grants hold every configured scope. {consent_policy} "
            f"Admin consent workflow: {'on' if workflow_on else 'off'}.",
        )
    admin_only = [name for name in settings.scopes if catalog.SCOPES_BY_LOWER_NAME[name.lower()].admin_consent_required]
    workflow = (
        "the admin consent workflow is on, so users can request approval from its reviewers"
        if workflow_on
        else "the admin consent workflow is off, so users are simply blocked"
    )
    url = clouds.admin_consent_url(settings.cloud, settings.tenant_id, settings.scopes)
    fix = f"Run `pulumi up` on this stack (it creates the consent), or have an administrator open {url}"
    if not admin_only and _LEGACY in self_policies:
        return Check(
            USER_CONSENT,
            CheckStatus.WARN,
            f"{gaps} Users may consent for themselves (legacy user-consent policy), which creates per-user grants "
            f"that `enpass-consent audit` reports as USER_GRANT. {consent_policy}",
            fix,
        )
    reason = (
        f"{', '.join(admin_only)} needs admin consent whatever the user-consent policy"
        if admin_only
        else "the user-consent policy does not let users consent to these scopes"
    )
    # A warning, not a failure: before the first `pulumi up` this is the expected state, and it is
    # exactly what `pulumi up` fixes. Preflight fails only what would stop that `pulumi up`.
    return Check(
        USER_CONSENT,
        CheckStatus.WARN,
        f"{gaps} Users would see 'Need admin approval' until consent is granted: {reason}; {workflow}. "
        f"{consent_policy}",
        fix,
    )


def _gaps(settings: Settings, enpass: TenantState) -> str:
    """What is missing for a prompt-free sign-in, as a sentence; empty when nothing is."""
    if enpass.service_principal is None:
        return "Enpass has no service principal in this tenant yet (nobody has consented)."
    if settings.tenant_wide_consent:
        grant = enpass.tenant_wide_grant()
        if grant is None:
            return "There is no tenant-wide grant to Microsoft Graph."
        lacking = missing_scopes(settings.scopes, grant)
        return f"The tenant-wide grant {grant.grant_id} lacks {', '.join(lacking)}." if lacking else ""
    problems = []
    for user_id in settings.consent_user_ids:
        grant = enpass.user_grant(user_id)
        if grant is None:
            problems.append(f"user {user_id} has no grant")
        elif lacking := missing_scopes(settings.scopes, grant):
            problems.append(f"user {user_id}'s grant lacks {', '.join(lacking)}")
    return ("Per-user consent is incomplete: " + "; ".join(problems) + ".") if problems else ""


def _policy_summary(
    authorization: Outcome | None, admin_consent: Outcome | None
) -> tuple[str, set[str], bool] | Denied:
    """(the user-consent policy as a sentence, its self-consent policy names in lower case, workflow on)."""
    for outcome in (authorization, admin_consent):
        if isinstance(outcome, Denied):
            return outcome
    body: Mapping[str, Any] = authorization.body if isinstance(authorization, Found) else {}
    defaults = body.get("defaultUserRolePermissions")
    assigned = defaults.get("permissionGrantPoliciesAssigned") if isinstance(defaults, Mapping) else None
    self_policies = {
        str(name).lower().removeprefix(_SELF)
        for name in (assigned if isinstance(assigned, list) else [])
        if str(name).lower().startswith(_SELF)
    }
    if not self_policies:
        consent = "User consent is disabled."
    else:
        consent = (
            "User consent: "
            + "; ".join(_POLICIES.get(name, f"custom policy {name}") for name in sorted(self_policies))
            + "."
        )
    workflow_on = isinstance(admin_consent, Found) and admin_consent.body.get("isEnabled") is True
    return consent, self_policies, workflow_on
