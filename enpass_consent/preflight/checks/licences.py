"""Check ``licences``: do the users who will use Enpass have SharePoint/OneDrive storage for their vaults?

The users are the direct members of the assigned groups plus the assigned users (members of nested
groups get no access, so they are not counted), or every enabled member user when nobody is assigned.
A user is covered by an enabled ``assignedPlans`` entry of one of the catalog's storage plans.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from enpass_consent import catalog
from enpass_consent.preflight import collect
from enpass_consent.preflight.checks.common import permission_failure, plural
from enpass_consent.preflight.result import Check, CheckStatus
from enpass_consent.preflight.state import Denied, Found, PreflightState
from enpass_consent.settings import Settings

LICENCES = "licences"

_STORAGE_PLANS = {plan.service_plan_id: plan for plan in catalog.ONEDRIVE_SHAREPOINT_PLANS}
_USER_TYPE = "#microsoft.graph.user"
_EXAMPLES = 3
_FIX = (
    "Assign those users a licence that includes SharePoint (Plan 1 or 2), SharePoint Kiosk or OneDrive for "
    "Business; the plans counted are listed in docs/preflight.md."
)

User = Mapping[str, Any]


def check_licences(settings: Settings, state: PreflightState) -> Check:
    outcome = state.read(collect.USERS)
    if isinstance(outcome, Denied):
        return permission_failure(LICENCES, outcome.requirement, "users' licence plans", identity=state.identity)
    if not isinstance(outcome, Found):
        return Check(LICENCES, CheckStatus.FAIL, "The tenant's users could not be read.", _FIX)
    enabled = {str(user.get("id", "")).lower(): user for user in outcome.values}
    not_enabled = 0
    if settings.assignees:
        wanted = _assigned_user_ids(settings, state)
        if isinstance(wanted, Denied):
            return permission_failure(
                LICENCES, wanted.requirement, "members of the assigned groups", identity=state.identity
            )
        audience = [enabled[user_id] for user_id in sorted(wanted) if user_id in enabled]
        not_enabled = len(wanted - set(enabled))
        noun, qualifier = "assigned user", "(direct members of the assigned groups, and users assigned directly)"
    else:
        audience = [user for user in enabled.values() if str(user.get("userType") or "Member") == "Member"]
        noun, qualifier = "enabled member user", "(nobody is assigned, so everyone may use Enpass)"

    plans = {str(user.get("id", "")).lower(): _storage_plans(user) for user in audience}
    lacking = sorted(user_id for user_id, names in plans.items() if not names)
    kiosk_only = sum(1 for names in plans.values() if names == {catalog.SHAREPOINT_KIOSK_PLAN_NAME})
    notes = []
    if kiosk_only:
        notes.append(
            f"{plural(kiosk_only, 'user')} only through SharePoint Kiosk, which Microsoft Teams (Free) also carries "
            "and which may give no usable OneDrive"
        )
    if not_enabled:
        notes.append(f"{plural(not_enabled, 'assigned user')} not found among enabled users (disabled or deleted)")
    suffix = f" ({'; '.join(notes)})" if notes else ""
    if lacking:
        examples = ", ".join(lacking[:_EXAMPLES]) + (", …" if len(lacking) > _EXAMPLES else "")
        return Check(
            LICENCES,
            CheckStatus.WARN,
            f"{len(lacking)} of {plural(len(audience), noun)} {qualifier} lack an enabled SharePoint/OneDrive "
            f"service plan, so Enpass cannot keep their vaults there (for example {examples}){suffix}.",
            _FIX,
        )
    return Check(
        LICENCES,
        CheckStatus.PASS,
        f"{plural(len(audience), noun)} {qualifier}: none lacks an enabled SharePoint/OneDrive service plan{suffix}.",
    )


def _assigned_user_ids(settings: Settings, state: PreflightState) -> set[str] | Denied:
    user_ids = {user.object_id for user in settings.users if user.object_id}
    for group in settings.groups:
        group_ids = state.group_object_ids.get(group.entry, ())
        if len(group_ids) != 1:
            continue  # the groups check reports it
        outcome = state.read(collect.members_read_id(group_ids[0]))
        if isinstance(outcome, Denied):
            return outcome
        if isinstance(outcome, Found):
            user_ids.update(
                str(member.get("id", "")).lower()
                for member in outcome.values
                if member.get("@odata.type") == _USER_TYPE
            )
    return user_ids


def _storage_plans(user: User) -> set[str]:
    names: set[str] = set()
    for plan in user.get("assignedPlans") or []:
        if not isinstance(plan, Mapping) or str(plan.get("capabilityStatus", "")).lower() != "enabled":
            continue
        known = _STORAGE_PLANS.get(str(plan.get("servicePlanId", "")).lower())
        if known is not None:
            names.add(known.name)
    return names
