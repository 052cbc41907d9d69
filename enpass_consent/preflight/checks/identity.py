"""Check ``identity``: can the identity preflight signed in as make the consent that ``pulumi up`` makes?

App-only identities need Microsoft Graph application permissions (the token's ``roles`` claim);
signed-in users need a directory role that may grant tenant-wide consent to delegated permissions.
"""

from __future__ import annotations

from enpass_consent import catalog
from enpass_consent.preflight import collect
from enpass_consent.preflight.checks.common import PERMISSIONS_DOC, permission_failure
from enpass_consent.preflight.permissions import OWNED_BY, WRITE_SERVICE_PRINCIPAL, missing, writer_requirements
from enpass_consent.preflight.result import Check, CheckStatus
from enpass_consent.preflight.state import Denied, Found, PreflightState
from enpass_consent.settings import Settings

CHECK_ID = "identity"
# Role assignments scoped to an administrative unit or one app do not allow tenant-wide consent.
_TENANT_SCOPE = "/"


def check_identity(settings: Settings, state: PreflightState) -> Check:
    if state.identity.delegated:
        return _signed_in_user(state)
    return _app_only(settings, state)


def _app_only(settings: Settings, state: PreflightState) -> Check:
    identity = state.identity
    groups_by_name = any(group.display_name is not None for group in settings.groups)
    needs = writer_requirements(assigns=bool(settings.assignees), groups_by_name=groups_by_name)
    lacking = missing(needs, identity.application_permissions)
    held = ", ".join(sorted(identity.application_permissions)) or "no application permissions"
    who = f"App-only identity {identity.client_id}"
    if not lacking:
        return Check(
            CHECK_ID,
            CheckStatus.PASS,
            f"{who} holds the Microsoft Graph application permissions `pulumi up` needs ({held}).",
        )
    needed = "; ".join(f"to {requirement.purpose}: {requirement.describe()}" for requirement in lacking)
    owned_by = (
        f" {OWNED_BY} is not enough: it manages only apps the identity owns, and Enpass's app is registered in "
        "Enpass's tenant, so `pulumi up` would wait 10 minutes for a 403 to clear and then fail."
        if WRITE_SERVICE_PRINCIPAL in lacking
        and OWNED_BY.lower() in {p.lower() for p in identity.application_permissions}
        else ""
    )
    return Check(
        CHECK_ID,
        CheckStatus.FAIL,
        f"{who} lacks what `pulumi up` needs: {needed}. It holds: {held}.{owned_by}",
        "Grant "
        + ", ".join(requirement.least_privileged for requirement in lacking)
        + " (Microsoft Graph application permissions, with admin consent) to the app that runs `pulumi up`, "
        f"or run preflight with that app's credentials; see {PERMISSIONS_DOC}.",
    )


def _signed_in_user(state: PreflightState) -> Check:
    user_id = state.identity.user_object_id
    outcome = state.read(collect.ROLE_ASSIGNMENTS)
    if isinstance(outcome, Denied):
        return permission_failure(CHECK_ID, outcome.requirement, "the signed-in user's roles")
    role_names = ", ".join(role.name for role in catalog.CONSENT_CAPABLE_ROLES)
    fix = (
        "Assign the user (or activate in PIM) Cloud Application Administrator, which is enough for Enpass's "
        f"delegated permissions, or run `pulumi up` with an app-only identity; see {PERMISSIONS_DOC}."
    )
    if not isinstance(outcome, Found) or user_id is None:
        return Check(CHECK_ID, CheckStatus.FAIL, "The signed-in user's directory roles could not be read.", fix)
    tenant_wide: set[str] = set()
    scoped: set[str] = set()
    for assignment in outcome.values:
        role_id = str(assignment.get("roleDefinitionId", "")).lower()
        scope = assignment.get("directoryScopeId") or _TENANT_SCOPE
        (tenant_wide if scope == _TENANT_SCOPE else scoped).add(role_id)
    held = [role.name for role in catalog.CONSENT_CAPABLE_ROLES if role.template_id in tenant_wide]
    if held:
        return Check(
            CHECK_ID,
            CheckStatus.PASS,
            f"Signed-in user {user_id} holds {', '.join(held)} tenant-wide, which may grant tenant-wide consent "
            "to delegated permissions.",
        )
    narrow = [role.name for role in catalog.CONSENT_CAPABLE_ROLES if role.template_id in scoped]
    note = (
        f" ({', '.join(narrow)} is held only on a narrower scope, which cannot consent tenant-wide)" if narrow else ""
    )
    return Check(
        CHECK_ID,
        CheckStatus.FAIL,
        f"Signed-in user {user_id} holds none of the roles that may grant tenant-wide consent ({role_names}) "
        f"as an active tenant-wide assignment{note}.",
        fix,
    )
