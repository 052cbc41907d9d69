"""Policy arguments built the way the analyzer servicer builds them, plus known-good fixtures."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

ENPASS = "b642a132-0d12-4ff0-98d6-f5a4aee7089f"
DEFAULT_ROLE = "00000000-0000-0000-0000-000000000000"
SP_TYPE = "azuread:index/servicePrincipal:ServicePrincipal"
GRANT_TYPE = "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant"
ASSIGN_TYPE = "azuread:index/appRoleAssignment:AppRoleAssignment"
COMPONENT = "enpass-consent:index:EnpassConsent"
SP_OID = "5b1d3c5e-1111-4a4a-9c9c-000000000001"
GRAPH_SP_OID = "5b1d3c5e-2222-4a4a-9c9c-000000000002"
GROUP_OID = "5b1d3c5e-3333-4a4a-9c9c-000000000003"
ENPASS_SCOPES = [
    "User.Read",
    "Files.ReadWrite.AppFolder",
    "offline_access",
    "Sites.ReadWrite.All",
    "Team.ReadBasic.All",
    "User.ReadBasic.All",
    "Channel.ReadBasic.All",
    "Group.Read.All",
]

# Known-good props (engine camelCase names), as the program registers them.
GOOD_PROPS: dict[str, dict[str, Any]] = {
    SP_TYPE: {
        "clientId": ENPASS,
        "useExisting": True,
        "appRoleAssignmentRequired": True,
        "featureTags": [{"enterprise": True}],
        "notes": "Managed as code by enpass-consent.",
        "objectId": SP_OID,
    },
    GRANT_TYPE: {
        "servicePrincipalObjectId": SP_OID,
        "resourceServicePrincipalObjectId": GRAPH_SP_OID,
        "claimValues": list(ENPASS_SCOPES),
    },
    ASSIGN_TYPE: {
        "appRoleId": DEFAULT_ROLE,
        "principalObjectId": GROUP_OID,
        "resourceObjectId": SP_OID,
    },
}
NAMES = {SP_TYPE: "enpass-sp", GRANT_TYPE: "enpass-grant", ASSIGN_TYPE: f"enpass-assign-{GROUP_OID}"}


def urn(resource_type: str, name: str) -> str:
    return f"urn:pulumi:contoso::enpass-consent::{COMPONENT}${resource_type}::{name}"


def options(
    *, protect: bool = True, ignore_changes: Sequence[str] = (), parent: str | None = None
) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=protect,
        ignore_changes=list(ignore_changes),
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=parent,
    )


def good_props(resource_type: str, **changes: Any) -> dict[str, Any]:
    """The known-good props of ``resource_type`` with ``changes`` applied (a value of ``...`` deletes the key)."""
    props = copy.deepcopy(GOOD_PROPS[resource_type])
    for key, value in changes.items():
        if value is ...:
            props.pop(key, None)
        else:
            props[key] = value
    return props


def resource_args(
    resource_type: str,
    props: Mapping[str, Any] | None = None,
    *,
    protect: bool = True,
    ignore_changes: Sequence[str] = (),
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    """Args as the servicer builds them: props wrapped in the SDK's unknown-checking proxy."""
    name = NAMES.get(resource_type, "other")
    props = dict(GOOD_PROPS.get(resource_type, {}) if props is None else props)
    return ResourceValidationArgs(
        resource_type=resource_type,
        props=unknown_checking_proxy(copy.deepcopy(props)),
        urn=urn(resource_type, name),
        name=name,
        opts=options(protect=protect, ignore_changes=ignore_changes),
        provider=None,
        config=config,
    )


def policy_resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    *,
    protect: bool = True,
    dependencies: Sequence[PolicyResource] = (),
    property_dependencies: Mapping[str, list[PolicyResource]] | None = None,
    parent: PolicyResource | None = None,
) -> PolicyResource:
    return PolicyResource(
        resource_type,
        unknown_checking_proxy(copy.deepcopy(dict(props))),
        urn(resource_type, name),
        name,
        options(protect=protect, parent=parent.urn if parent else None),
        None,
        parent,
        list(dependencies),
        dict(property_dependencies or {}),
    )


Violation = tuple[str, str | None]


def violations(policy: Policy, args: ResourceValidationArgs | StackValidationArgs) -> list[Violation]:
    """Run one policy's validate like the servicer does, collecting (message, urn) pairs."""
    found: list[Violation] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append((message, urn))

    if isinstance(policy, ResourceValidationPolicy):
        assert isinstance(args, ResourceValidationArgs)
        result = policy.validate(args, report)
    else:
        assert isinstance(policy, StackValidationPolicy) and isinstance(args, StackValidationArgs)
        result = policy.validate(args, report)
    assert result is None  # every rule is synchronous
    return found
