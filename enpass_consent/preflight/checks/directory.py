"""Checks of the directory the settings point at: Microsoft Graph's scopes, the groups, Entra ID P1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from enpass_consent import catalog
from enpass_consent.preflight import collect
from enpass_consent.preflight.checks.common import permission_failure, plural
from enpass_consent.preflight.result import Check, CheckStatus
from enpass_consent.preflight.state import Denied, Found, PreflightState
from enpass_consent.settings import Settings

GRAPH_SCOPES = "graph-scopes"
GROUPS = "groups"
NESTED_GROUPS = "nested-groups"
ENTRA_ID_P1 = "entra-id-p1"

_GROUP_TYPE = "#microsoft.graph.group"
_P1_PLAN_IDS = {plan.service_plan_id: plan for plan in catalog.ENTRA_ID_P1_PLANS}


def check_graph_scopes(settings: Settings, state: PreflightState) -> Check:
    """The tenant's Microsoft Graph SP exists and exposes every configured delegated scope."""
    outcome = state.read(collect.GRAPH_SCOPES)
    if isinstance(outcome, Denied):
        return permission_failure(
            GRAPH_SCOPES, outcome.requirement, "Microsoft Graph's service principal", identity=state.identity
        )
    if not isinstance(outcome, Found):
        return Check(
            GRAPH_SCOPES,
            CheckStatus.FAIL,
            "The tenant has no Microsoft Graph service principal, so nothing can be granted on it.",
            "Open Microsoft Graph once (Graph Explorer or any Microsoft 365 app) or contact Microsoft support; "
            "the service principal exists in every working Microsoft 365 tenant.",
        )
    exposed = _exposed_scopes(outcome.body.get("oauth2PermissionScopes"))
    absent = [
        name
        for name in settings.scopes
        if catalog.SCOPES_BY_LOWER_NAME[name.lower()].graph_scope_id not in exposed[0]
        and name.lower() not in exposed[1]
    ]
    if absent:
        return Check(
            GRAPH_SCOPES,
            CheckStatus.FAIL,
            f"Microsoft Graph in this tenant does not expose (or has disabled) {', '.join(absent)}; "
            "`pulumi up` would stop before granting anything.",
            "Remove the scope from `enpass-consent:scopes`, or check the tenant's Microsoft Graph service principal.",
        )
    return Check(
        GRAPH_SCOPES,
        CheckStatus.PASS,
        f"Microsoft Graph exposes all {len(settings.scopes)} configured scopes.",
    )


def _exposed_scopes(raw: Any) -> tuple[set[str], set[str]]:
    """(ids, lower-case values) of the enabled delegated scopes."""
    ids: set[str] = set()
    values: set[str] = set()
    for scope in raw if isinstance(raw, list) else []:
        if isinstance(scope, Mapping) and scope.get("isEnabled", True) is not False:
            ids.add(str(scope.get("id", "")).lower())
            values.add(str(scope.get("value", "")).lower())
    return ids, values


def check_groups(settings: Settings, state: PreflightState) -> Check:
    """Every ``groups`` entry names exactly one existing security group."""
    if not settings.groups:
        return Check(GROUPS, CheckStatus.PASS, "No groups are configured.")
    problems: list[str] = []
    for index, group in enumerate(settings.groups):
        outcome = state.read(collect.group_read_id(index))
        if isinstance(outcome, Denied):
            return permission_failure(GROUPS, outcome.requirement, f"group {group.entry!r}", identity=state.identity)
        if group.object_id is not None:
            if not isinstance(outcome, Found):
                problems.append(f"no group has the object id {group.entry}")
            elif outcome.body.get("securityEnabled") is not True:
                kinds = ", ".join(outcome.body.get("groupTypes") or []) or "distribution"
                problems.append(f"{group.entry} ({outcome.body.get('displayName')}) is not a security group ({kinds})")
            continue
        matches = state.group_object_ids.get(group.entry, ())
        if not matches:
            problems.append(f"no security group is named {group.entry!r}")
        elif len(matches) > 1:
            problems.append(f"{len(matches)} security groups are named {group.entry!r} ({', '.join(matches)})")
    if problems:
        return Check(
            GROUPS,
            CheckStatus.FAIL,
            "Not every configured group can be assigned: " + "; ".join(problems) + ".",
            "Fix `enpass-consent:groups`: use an existing security group, by object id when its name is not unique.",
        )
    if len(settings.groups) == 1:
        return Check(GROUPS, CheckStatus.PASS, "The configured group exists and is a security group.")
    return Check(
        GROUPS, CheckStatus.PASS, f"All {len(settings.groups)} configured groups exist and are security groups."
    )


def check_nested_groups(settings: Settings, state: PreflightState) -> Check:
    """Members that are groups: their members get no access (assignment does not cascade)."""
    nested: list[str] = []
    for group in settings.groups:
        ids = state.group_object_ids.get(group.entry, ())
        if len(ids) != 1:
            continue  # the groups check reports it
        outcome = state.read(collect.members_read_id(ids[0]))
        if isinstance(outcome, Denied):
            return permission_failure(
                NESTED_GROUPS, outcome.requirement, f"members of {group.entry!r}", identity=state.identity
            )
        if isinstance(outcome, Found):
            count = sum(1 for member in outcome.values if member.get("@odata.type") == _GROUP_TYPE)
            if count:
                nested.append(f"{group.entry!r} has {plural(count, 'nested group')}")
    if nested:
        return Check(
            NESTED_GROUPS,
            CheckStatus.WARN,
            "Members of nested groups get no access to Enpass (group assignment does not cascade): "
            + "; ".join(nested)
            + ".",
            "Add those users to the assigned group directly, or assign the nested groups themselves.",
        )
    return Check(NESTED_GROUPS, CheckStatus.PASS, "No assigned group contains other groups.")


def check_entra_id_p1(settings: Settings, state: PreflightState) -> Check:
    """Assigning groups to an app needs Microsoft Entra ID P1 (or P2)."""
    if not settings.groups:
        return Check(ENTRA_ID_P1, CheckStatus.PASS, "Not needed: no groups are assigned.")
    outcome = state.read(collect.SUBSCRIBED_SKUS)
    if isinstance(outcome, Denied):
        return permission_failure(ENTRA_ID_P1, outcome.requirement, identity=state.identity)
    skus = outcome.values if isinstance(outcome, Found) else []
    for sku in skus:
        if str(sku.get("capabilityStatus", "")).lower() != "enabled":
            continue
        for plan in sku.get("servicePlans") or []:
            if not isinstance(plan, Mapping) or str(plan.get("provisioningStatus", "")).lower() != "success":
                continue
            known = _P1_PLAN_IDS.get(str(plan.get("servicePlanId", "")).lower())
            if known is not None:
                return Check(
                    ENTRA_ID_P1,
                    CheckStatus.PASS,
                    f"{known.friendly_name} ({known.name}) is active in {sku.get('skuPartNumber')}.",
                )
    return Check(
        ENTRA_ID_P1,
        CheckStatus.FAIL,
        "Groups are assigned, but no enabled licence includes Microsoft Entra ID P1 or P2 (AAD_PREMIUM, "
        "AAD_PREMIUM_P2): group assignment to Enpass needs it.",
        "License Microsoft Entra ID P1 or P2 (alone or in a suite that includes the plan), or assign users with "
        "`enpass-consent:users` instead of groups.",
    )
