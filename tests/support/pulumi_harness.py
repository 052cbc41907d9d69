"""Run the Pulumi program or component under Pulumi's mock runtime (no engine, no CLI).

Pitfalls handled here (read in pulumi's ``pulumi/runtime/mocks.py`` and ``pulumi/runtime/settings.py``): resource options are only on the raw
RegisterResourceRequest (so a recording monitor keeps them), the root Stack leaks between tests
unless reset, and preview mode skips ``apply`` callbacks on unknown outputs (so every check
records that it ran).
"""

from __future__ import annotations

import hashlib
import json
import runpy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.mocks import MockMonitor

from enpass_consent import catalog

REPO = Path(__file__).resolve().parents[2]
MAIN = REPO / "__main__.py"
PROJECT = "enpass-consent"
STACK = "contoso"

TENANT_ID = "11111111-2222-3333-4444-555555555555"
GRAPH_SP_OBJECT_ID = "6f1d2a3b-0000-4000-8000-00000000a001"
ENPASS_SP_OBJECT_ID = "6f1d2a3b-0000-4000-8000-00000000e001"

SP_TYPE = "azuread:index/servicePrincipal:ServicePrincipal"
GRANT_TYPE = "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant"
ASSIGNMENT_TYPE = "azuread:index/appRoleAssignment:AppRoleAssignment"
GET_SERVICE_PRINCIPAL = "azuread:index/getServicePrincipal:getServicePrincipal"
GET_GROUP = "azuread:index/getGroup:getGroup"

# Microsoft Graph's delegated scopes as a tenant's Graph SP lists them (a subset of the real list).
GRAPH_SCOPE_IDS: dict[str, str] = {
    name: f"00000000-0000-4000-8000-{index:012d}"
    for index, name in enumerate([*catalog.ALL_SCOPE_NAMES, "Mail.Read", "Directory.ReadWrite.All"])
}


def group_object_id(display_name: str) -> str:
    """A deterministic object id the mock directory gives a group name."""
    digest = hashlib.sha256(display_name.encode()).hexdigest()
    return f"9a0b0c0d-0000-4000-8000-{digest[:12]}"


class EntraMocks(pulumi.runtime.Mocks):
    """A tenant as the azuread provider would see it; records every invoke."""

    def __init__(
        self,
        groups: Mapping[str, str] | None = None,
        preview: bool = False,
        existing_service_principal: str | None = None,
    ) -> None:
        self.preview = preview
        self.groups = dict(groups) if groups is not None else None
        self.existing_service_principal = existing_service_principal
        """Object id of an Enpass SP already in the tenant, which ``use_existing`` adopts on create."""
        self.calls: list[pulumi.runtime.MockCallArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        outputs = dict(args.inputs)
        if args.typ == SP_TYPE and (args.resource_id or not self.preview):
            # As in a real preview, a service principal about to be created (or adopted through use_existing:
            # the provider's create) has no object id yet. On create, use_existing takes the existing SP's.
            adopted = self.existing_service_principal if args.inputs.get("useExisting") else None
            outputs["objectId"] = args.resource_id or adopted or ENPASS_SP_OBJECT_ID
        if args.resource_id:
            # An import id names the object: the last path segment is its Graph id.
            return args.resource_id.rsplit("/", 1)[-1], outputs
        # As in a real preview, an object about to be created has no id yet (an unknown output).
        return (None if self.preview else f"{args.name}-id"), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        self.calls.append(args)
        if args.token == GET_SERVICE_PRINCIPAL:
            assert args.args.get("clientId") == catalog.MICROSOFT_GRAPH_APP_ID, args.args
            return {
                "objectId": GRAPH_SP_OBJECT_ID,
                "clientId": catalog.MICROSOFT_GRAPH_APP_ID,
                "oauth2PermissionScopeIds": GRAPH_SCOPE_IDS,
            }
        if args.token == GET_GROUP:
            name = args.args["displayName"]
            if self.groups is not None and name not in self.groups:
                # How a provider reports a failed lookup: the SDK raises "invoke of ... failed: ...".
                return {}, [("displayName", f"No group found matching specified filter (displayName eq '{name}')")]
            object_id = self.groups[name] if self.groups is not None else group_object_id(name)
            return {"objectId": object_id, "displayName": name}
        raise NotImplementedError(args.token)


class RecordingMonitor(MockMonitor):
    """Keeps every RegisterResourceRequest (resource options live only there)."""

    def __init__(self, mocks: EntraMocks) -> None:
        super().__init__(mocks)
        self.requests: dict[str, Any] = {}
        self.order: list[str] = []
        self.registered_outputs: dict[str, Any] = {}
        """``register_outputs`` of each component, by URN (unknowns are ``UNKNOWN``)."""

    def RegisterResource(self, request: Any) -> Any:
        self.requests[request.name] = request
        self.order.append(request.name)
        return super().RegisterResource(request)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        from google.protobuf import json_format

        self.registered_outputs[request.urn] = json_format.MessageToDict(request.outputs)
        return super().RegisterResourceOutputs(request)

    def program_requests(self) -> dict[str, Any]:
        """Requests of the program's own resources (the root Stack excluded)."""
        return {n: r for n, r in self.requests.items() if r.type != "pulumi:pulumi:Stack"}

    def of_type(self, type_token: str) -> dict[str, Any]:
        return {n: r for n, r in self.requests.items() if r.type == type_token}


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the SDK sends a value not known until apply (pulumi.runtime.rpc.UNKNOWN)."""


def inputs(request: Any) -> dict[str, Any]:
    """A RegisterResourceRequest's inputs as plain Python values (engine camelCase names)."""
    from google.protobuf import json_format

    return json_format.MessageToDict(request.object)


@dataclass
class Run:
    mocks: EntraMocks
    monitor: RecordingMonitor
    outputs: dict[str, Any] = field(default_factory=dict)
    """Exports whose value was known and resolved; unknown preview outputs are absent."""


def config_strings(config: Mapping[str, Any]) -> dict[str, str]:
    """Stack settings as Pulumi passes them: strings, JSON text for lists, objects and booleans."""
    out = {}
    for key, value in config.items():
        if isinstance(value, str):
            out[key] = value
        else:
            out[key] = json.dumps(value)
    return out


def default_config(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"azuread:tenantId": TENANT_ID}
    for key, value in overrides.items():
        config[f"{PROJECT}:{key}"] = value
    return config


def setup(
    config: Mapping[str, Any], *, preview: bool, mocks: EntraMocks | None = None
) -> tuple[EntraMocks, RecordingMonitor]:
    runtime_settings.ROOT.set(None)  # else the first test's root Stack and exports leak into the next
    mocks = mocks or EntraMocks(preview=preview)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=STACK, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(config_strings(config), [])
    return mocks, monitor


def run_program(
    config: Mapping[str, Any],
    *,
    preview: bool = False,
    mocks: EntraMocks | None = None,
    program: Callable[[], None] | None = None,
) -> Run:
    """Run ``__main__.py`` (or ``program``) and resolve its exports; raises what the program raises."""
    mocks, monitor = setup(config, preview=preview, mocks=mocks)
    run = Run(mocks, monitor)

    @pulumi.runtime.test  # type: ignore[misc]
    def execute() -> Any:
        if program is None:
            runpy.run_path(str(MAIN), run_name="__main__")
        else:
            program()
        root = runtime_settings.get_root_resource()
        exported: dict[str, Any] = getattr(root, "outputs", {}) if root is not None else {}

        def recorder(name: str) -> Callable[[Any], None]:
            def record(value: Any) -> None:
                run.outputs[name] = value  # an unknown (preview) output never gets here

            return record

        resolved = [pulumi.Output.from_input(value).apply(recorder(name)) for name, value in exported.items()]
        return pulumi.Output.all(*resolved) if resolved else None

    execute()
    return run


def iter_requests(monitor: RecordingMonitor, type_token: str) -> Iterator[tuple[str, Any]]:
    yield from sorted(monitor.of_type(type_token).items())
