"""Check ``identity``: can the identity preflight signed in as make the consent that ``pulumi up`` makes?

App-only identities need Microsoft Graph application permissions (the token's ``roles`` claim);
signed-in users need a directory role that may grant tenant-wide consent to delegated permissions,
active now (:mod:`enpass_consent.preflight.roles`); when their roles cannot be read the check is
``unknown``, never a false ``fail``.
"""

from __future__ import annotations

from enpass_consent import catalog
from enpass_consent.preflight import roles
from enpass_consent.preflight.checks.common import PERMISSIONS_DOC
from enpass_consent.preflight.permissions import OWNED_BY, WRITE_SERVICE_PRINCIPAL, missing, writer_requirements
from enpass_consent.preflight.result import Check, CheckStatus
from enpass_consent.preflight.state import PreflightState
from enpass_consent.settings import Settings

CHECK_ID = "identity"


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
    """Effective roles of the person (direct, through a role-assignable group, PIM-activated), see :mod:`.roles`."""
    user = f"Signed-in user {state.identity.user_object_id}"
    verdict = roles.evaluate(state.reads)
    role_names = ", ".join(role.name for role in catalog.CONSENT_CAPABLE_ROLES)
    if verdict.active:
        return Check(
            CHECK_ID,
            CheckStatus.PASS,
            f"{user} holds {', '.join(verdict.active)} as an active tenant-wide role (directly, through a "
            "role-assignable group or an activated PIM assignment), which may grant tenant-wide consent to "
            "delegated permissions.",
        )
    if verdict.unreadable is not None:
        return Check(
            CHECK_ID,
            CheckStatus.UNKNOWN,
            f"Whether {user} may grant tenant-wide consent is unknown: {verdict.unreadable}.",
            "Check yourself that the person who runs `pulumi up` holds Cloud Application Administrator (or "
            f"another of: {role_names}) active in this tenant (Entra admin center > Roles and administrators, or "
            "PIM > My roles); for GDAP, that the relationship includes that role and your security group is "
            "mapped to it. To let preflight read roles, consent the delegated scopes "
            f"{roles.READ_MY_MEMBERSHIPS.least_privileged} and {roles.READ_MY_ROLE_ASSIGNMENTS.least_privileged} "
            f"for the client you sign in with; see {PERMISSIONS_DOC}.",
        )
    if verdict.eligible:
        names = ", ".join(verdict.eligible)
        return Check(
            CHECK_ID,
            CheckStatus.FAIL,
            f"{user} is only eligible for {names} in Privileged Identity Management; the role is not active, "
            "so it cannot grant consent now.",
            f"Activate {verdict.eligible[0]} in PIM first (Entra admin center > Privileged Identity Management > "
            "My roles > Activate), then run preflight again and `pulumi up` while it is active.",
        )
    narrow = (
        f" ({', '.join(verdict.narrow)} is held only on a narrower scope, which cannot consent tenant-wide)"
        if verdict.narrow
        else ""
    )
    eligibility = (
        " Eligible (PIM) roles could not be read; if you hold one, activate it first."
        if verdict.eligibility_unreadable
        else ""
    )
    return Check(
        CHECK_ID,
        CheckStatus.FAIL,
        f"{user} holds none of the roles that may grant tenant-wide consent ({role_names}) as an active "
        f"tenant-wide role{narrow}.{eligibility}",
        "Assign the user (or activate in PIM) Cloud Application Administrator, which is enough for Enpass's "
        f"delegated permissions, or run `pulumi up` with an app-only identity; see {PERMISSIONS_DOC}.",
    )
