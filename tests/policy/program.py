"""Turn a mock run of the real program into the requests the engine would send the pack.

Resource props are the registered inputs (from the recorded RegisterResourceRequest, where a
preview's unknowns are the engine's sentinels) plus the mock's outputs for keys the inputs lack
(``objectId``). Options come from the request too: protect, ignoreChanges, parent, dependencies
and property dependencies (MockResourceArgs has none of them).
"""

from __future__ import annotations

from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.policy.analyzer import resource_options, servicer, struct
from tests.support.pulumi_harness import Run

SKIPPED_TYPES = {"pulumi:pulumi:Stack"}


def _plain(value: Any) -> Any:
    """A mock output as the engine would send it: unknowns become the engine's sentinel."""
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def resources(run: Run) -> list[Any]:
    """One ``AnalyzerResource`` per registered custom or component resource, in registration order."""
    registered = run.monitor.get_registered_resources()
    urns = {urn.rsplit("::", 1)[-1]: urn for urn in registered}
    out = []
    for name in run.monitor.order:
        request = run.monitor.requests[name]
        if request.type in SKIPPED_TYPES:
            continue
        urn = urns[name]
        props = json_format.MessageToDict(request.object)
        for key, value in registered[urn].state.items():
            props.setdefault(key, _plain(value))
        out.append(
            proto.AnalyzerResource(
                type=request.type,
                properties=struct(props),
                urn=urn,
                name=name,
                options=resource_options(
                    protect=request.protect, ignore_changes=list(request.ignoreChanges), parent=request.parent
                ),
                parent=request.parent,
                dependencies=list(request.dependencies),
                propertyDependencies={
                    key: proto.AnalyzerPropertyDependencies(urns=list(deps.urns))
                    for key, deps in request.propertyDependencies.items()
                },
            )
        )
    return out


def analyze(run: Run, configure: Any = None) -> list[tuple[str, str, str, str]]:
    """Every diagnostic of every policy over the run, sorted: (policy, level, resource name, violation text).

    ``configure`` (optional) gets the fresh servicer first, e.g. to apply a --policy-pack-config.
    """
    analyzer = servicer()
    if configure is not None:
        configure(analyzer)
    levels = {proto.ADVISORY: "advisory", proto.MANDATORY: "mandatory"}
    found = []
    stack = resources(run)
    for resource in stack:
        request = proto.AnalyzeRequest(
            type=resource.type,
            properties=resource.properties,
            urn=resource.urn,
            name=resource.name,
            options=resource.options,
        )
        for d in analyzer.Analyze(request, None).diagnostics:
            found.append((d.policyName, levels[d.enforcementLevel], resource.name, d.message.split("\n", 1)[-1]))
    for d in analyzer.AnalyzeStack(proto.AnalyzeStackRequest(resources=stack), None).diagnostics:
        name = d.urn.rsplit("::", 1)[-1] if d.urn else ""
        found.append((d.policyName, levels[d.enforcementLevel], name, d.message.split("\n", 1)[-1]))
    return sorted(found)
