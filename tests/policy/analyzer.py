"""Drive the pack the way the engine does: gRPC request messages into the SDK's analyzer servicer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import struct_pb2
from guardrails import PACK_NAME, POLICIES
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

# What PolicyPack(...) gives its servicer; the CLI shows PulumiPolicy.yaml's version elsewhere.
VERSION = "0.0.1"
LEVELS = {
    "advisory": proto.ADVISORY,
    "mandatory": proto.MANDATORY,
    "remediate": proto.REMEDIATE,
    "disabled": proto.DISABLED,
}


def servicer() -> _PolicyAnalyzerServicer:
    """What ``PolicyPack(...)`` in policy/__main__.py builds, without the gRPC server."""
    return _PolicyAnalyzerServicer(PACK_NAME, VERSION, POLICIES, EnforcementLevel.MANDATORY)


def struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(props))
    return message


def resource_options(*, protect: bool = True, ignore_changes: Sequence[str] = (), parent: str = "") -> Any:
    return proto.AnalyzerResourceOptions(protect=protect, ignoreChanges=list(ignore_changes), parent=parent)


def analyze_request(
    resource_type: str, name: str, props: Mapping[str, Any], *, protect: bool = True, ignore_changes: Sequence[str] = ()
) -> Any:
    return proto.AnalyzeRequest(
        type=resource_type,
        properties=struct(props),
        urn=f"urn:pulumi:contoso::enpass-consent::{resource_type}::{name}",
        name=name,
        options=resource_options(protect=protect, ignore_changes=ignore_changes),
    )


def configure(analyzer: _PolicyAnalyzerServicer, policy_pack_config: Mapping[str, Any]) -> None:
    """Apply a ``--policy-pack-config`` document the way the CLI hands it to the pack.

    The CLI resolves the document before ``Configure``: a string value is an enforcement level,
    ``all`` sets every policy's level, and every policy is sent with its effective level (the
    policy's own when the document sets none), because the SDK turns a missing level into ADVISORY.
    """
    levels = {p.name: (p.enforcement_level or EnforcementLevel.MANDATORY).value for p in POLICIES}
    properties: dict[str, dict[str, Any]] = {p.name: {} for p in POLICIES}
    if "all" in policy_pack_config:
        levels = dict.fromkeys(levels, policy_pack_config["all"])
    for name, value in policy_pack_config.items():
        if name == "all":
            continue
        if isinstance(value, str):
            levels[name] = value
            continue
        value = dict(value)
        if "enforcementLevel" in value:
            levels[name] = value.pop("enforcementLevel")
        properties[name] = value
    request = proto.ConfigureAnalyzerRequest(
        policyConfig={
            name: proto.PolicyConfig(enforcementLevel=LEVELS[levels[name]], properties=struct(properties[name]))
            for name in levels
        }
    )
    analyzer.Configure(request, None)


def summary(response: Any) -> list[tuple[str, str, str]]:
    """(policy, level name, message) for every diagnostic, in order."""
    names = {v: k for k, v in LEVELS.items()}
    return [(d.policyName, names[d.enforcementLevel], d.message) for d in response.diagnostics]
