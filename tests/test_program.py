"""The whole ``__main__.py`` under the mock runtime, with stack config (docs/reference.md#stack-settings)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import pulumi
import pytest
from ruamel.yaml import YAML

from components import enpass_consent as component_module
from enpass_consent import catalog, clouds, settings, stackfile
from enpass_consent.emulator import Emulator, Kind, scenarios
from enpass_consent.emulator.login import ManagedIdentity
from enpass_consent.emulator.state import ClientApp, Tenant
from tests.enpass_consent.test_settings import BAD
from tests.support import pulumi_harness as h
from tests.support.fake_az import FakeAz

USER_A = "aaaaaaaa-0000-4000-8000-000000000001"
USER_B = "aaaaaaaa-0000-4000-8000-000000000002"
GROUP_ID = "bbbbbbbb-0000-4000-8000-000000000001"
FIXTURES = Path(__file__).parent / "fixtures" / "stacks"
CONTRACT_EXPORTS = {
    "tenantId",
    "servicePrincipalObjectId",
    "tenantWideGrantId",
    "grantedScopes",
    "assignedPrincipals",
    "adminConsentUrl",
}


def tokens(run: h.Run) -> list[str]:
    return [c.token for c in run.mocks.calls]


def test_default_settings() -> None:
    run = h.run_program(h.default_config())
    requests = run.monitor.program_requests()
    assert sorted(requests) == ["enpass", "enpass-grant", "enpass-sp"]
    assert len(run.monitor.of_type(h.SP_TYPE)) == 1
    sp = requests["enpass-sp"]
    sp_inputs = h.inputs(sp)
    assert sp_inputs["clientId"] == "b642a132-0d12-4ff0-98d6-f5a4aee7089f"
    assert sp_inputs["useExisting"] is True and sp_inputs["appRoleAssignmentRequired"] is False
    assert sp.retainOnDelete is True and sp.protect is True
    grant_inputs = h.inputs(requests["enpass-grant"])
    assert set(grant_inputs["claimValues"]) == set(catalog.ENPASS_SCOPE_NAMES) and len(grant_inputs["claimValues"]) == 8
    assert grant_inputs["resourceServicePrincipalObjectId"] == h.GRAPH_SP_OBJECT_ID

    assert set(run.outputs) == CONTRACT_EXPORTS
    assert run.outputs["tenantId"] == h.TENANT_ID
    assert run.outputs["servicePrincipalObjectId"] == h.ENPASS_SP_OBJECT_ID
    assert run.outputs["tenantWideGrantId"] == "enpass-grant-id"
    assert run.outputs["grantedScopes"] == sorted(catalog.ENPASS_SCOPE_NAMES)
    assert run.outputs["assignedPrincipals"] == []
    url = run.outputs["adminConsentUrl"]
    assert url.startswith(
        f"https://login.microsoftonline.com/{h.TENANT_ID}/v2.0/adminconsent?client_id={catalog.ENPASS_APP_ID}&"
    )
    assert "organizations" not in url and "common" not in url
    assert "+offline_access&" in url and "graph.microsoft.com%2FUser.Read+" in url
    assert "redirect_uri=https%3A%2F%2Fauth.enpass.io%2Fonedrive%2F" in url
    # get_client_config would only echo azuread:tenantId back: the tenant guard reads the provider's settings.
    assert tokens(run) == [h.GET_SERVICE_PRINCIPAL]


def test_preview_mode_registers_the_same_and_leaves_unknowns_unknown() -> None:
    run = h.run_program(h.default_config(groups=["Enpass Users"]), preview=True)
    assert sorted(run.monitor.program_requests()) == [
        "enpass",
        "enpass-assign-enpass-users",
        "enpass-grant",
        "enpass-sp",
    ]
    grant_inputs = h.inputs(run.monitor.requests["enpass-grant"])
    assert set(grant_inputs["claimValues"]) == set(catalog.ENPASS_SCOPE_NAMES)
    # Proof that the known exports were resolved in preview, and the created objects' ids were not.
    assert set(run.outputs) == CONTRACT_EXPORTS - {"servicePrincipalObjectId", "tenantWideGrantId"}
    assert run.outputs["assignedPrincipals"] == [h.group_object_id("Enpass Users")]


def test_groups_by_id_and_by_name() -> None:
    run = h.run_program(h.default_config(groups=["Team (EU)", GROUP_ID]))
    assert sorted(n for n in run.monitor.program_requests() if n.startswith("enpass-assign-")) == [
        f"enpass-assign-{GROUP_ID}",
        "enpass-assign-team-eu",
    ]
    by_name = h.inputs(run.monitor.requests["enpass-assign-team-eu"])
    assert by_name["principalObjectId"] == h.group_object_id("Team (EU)")
    group_calls = [c.args for c in run.mocks.calls if c.token == h.GET_GROUP]
    assert group_calls == [{"displayName": "Team (EU)", "securityEnabled": True}]
    assert tokens(run) == [h.GET_SERVICE_PRINCIPAL, h.GET_GROUP]  # Graph's SP, one per group given by name
    assert run.outputs["assignedPrincipals"] == sorted([GROUP_ID, h.group_object_id("Team (EU)")])
    assert h.inputs(run.monitor.requests["enpass-sp"])["appRoleAssignmentRequired"] is True


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_per_user_consent(preview: bool) -> None:
    scopes = ["Group.Read.All", "User.Read", "openid"]  # not the default list, not sorted
    config = h.default_config(
        tenantWideConsent=False, consentUsers=[USER_B, USER_A], scopes=scopes, adopt={"userGrantIds": {USER_B: "ug-b"}}
    )
    run = h.run_program(config, preview=preview)
    requests = run.monitor.requests
    assert sorted(run.monitor.program_requests()) == [
        "enpass",
        f"enpass-grant-{USER_A}",
        f"enpass-grant-{USER_B}",
        "enpass-sp",
    ]
    for user_id, import_id in ((USER_A, ""), (USER_B, "/oauth2PermissionGrants/ug-b")):
        grant = requests[f"enpass-grant-{user_id}"]
        assert grant.importId == import_id and grant.protect is True
        assert h.inputs(grant) == {
            "claimValues": ["Group.Read.All", "User.Read", "openid"],
            "resourceServicePrincipalObjectId": h.GRAPH_SP_OBJECT_ID,
            "servicePrincipalObjectId": h.UNKNOWN if preview else h.ENPASS_SP_OBJECT_ID,
            "userObjectId": user_id,
        }
    assert requests["enpass-sp"].importId == ""
    # Exports that resolve in a preview are the same as in up (proof that these assertions ran).
    known = CONTRACT_EXPORTS - ({"servicePrincipalObjectId"} if preview else set())
    assert set(run.outputs) == known
    assert run.outputs["tenantWideGrantId"] is None
    assert run.outputs["grantedScopes"] == ["Group.Read.All", "User.Read", "openid"]
    if not preview:
        assert run.outputs["servicePrincipalObjectId"] == h.ENPASS_SP_OBJECT_ID


def test_adopt_ids_are_imported_and_the_sp_is_adopted_by_use_existing() -> None:
    adopted_sp = "cccccccc-0000-4000-8000-000000000001"
    run = h.run_program(
        h.default_config(
            users=[USER_A],
            adopt={"servicePrincipalObjectId": adopted_sp, "grantId": "g-1", "assignmentIds": {USER_A: "a-1"}},
        ),
        mocks=h.EntraMocks(existing_service_principal=adopted_sp),
    )
    requests = run.monitor.requests
    assert requests["enpass-sp"].importId == ""
    assert requests["enpass-grant"].importId == "/oauth2PermissionGrants/g-1"
    assert requests[f"enpass-assign-{USER_A}"].importId == f"/servicePrincipals/{adopted_sp}/appRoleAssignedTo/a-1"
    assert run.outputs["servicePrincipalObjectId"] == adopted_sp


def test_grant_only_adoption_needs_no_service_principal_id() -> None:
    run = h.run_program(h.default_config(adopt={"grantId": "g-1"}))
    assert run.monitor.requests["enpass-grant"].importId == "/oauth2PermissionGrants/g-1"
    assert run.monitor.requests["enpass-sp"].importId == ""


def test_assignment_ids_without_the_sp_id_fail_before_any_resource() -> None:
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(h.default_config(users=[USER_A], adopt={"assignmentIds": {USER_A: "a-1"}}), mocks=mocks)
    assert str(caught.value).startswith(
        "enpass-consent:adopt.assignmentIds: needs enpass-consent:adopt.servicePrincipalObjectId"
    )
    assert mocks.calls == []
    assert_no_resources(mocks)


MANAGED_IDENTITY_ID = "5a5a0000-0000-4000-8000-000000000003"
OTHER_TENANT_ID = "7e1a0000-0000-4000-8000-0000000000c9"
MSI_REASON = "the azuread provider's managed-identity token is for the identity's own tenant"


def managed_identity_in(emulator: Emulator, tenant_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's (emulated) managed identity belongs to ``tenant_id``; ARM_MSI_ENDPOINT points at it."""
    for tenant in {h.TENANT_ID, tenant_id}:
        if tenant.lower() not in emulator.tenants:
            emulator.add_tenant(Tenant(tenant))
    emulator.tenants[tenant_id.lower()].add_client(ClientApp(MANAGED_IDENTITY_ID, secret=None))
    emulator.login.managed_identities = [ManagedIdentity(tenant_id, MANAGED_IDENTITY_ID, user_assigned=True)]
    monkeypatch.setenv("ARM_MSI_ENDPOINT", f"{emulator.base_url}/metadata/identity/oauth2/token")


@pytest.mark.parametrize(
    ("environ", "config"),
    [
        ({"ARM_USE_MSI": "true", "ARM_CLIENT_ID": MANAGED_IDENTITY_ID}, {}),
        ({}, {"azuread:useMsi": "true", "azuread:clientId": MANAGED_IDENTITY_ID}),
    ],
    ids=["msi from the environment", "msi from the stack"],
)
def test_a_managed_identity_of_the_stacks_tenant_deploys(
    environ: dict[str, str],
    config: dict[str, str],
    emulator: Emulator,
    emulator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    managed_identity_in(emulator, h.TENANT_ID, monkeypatch)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with caplog.at_level(logging.INFO):
        run = h.run_program({**h.default_config(), **config})
    assert "enpass-sp" in run.monitor.requests
    assert emulator.recorder.count(kind=Kind.MANAGED_IDENTITY) == 1
    # The preview's log says the sign-in was checked, so a reviewer sees why a managed identity was accepted.
    assert (
        f"managed identity signs in to tenant {h.TENANT_ID}, the stack's (checked with a Graph token)"
        in caplog.messages
    )


def test_a_metadata_endpoint_whose_certificate_is_not_trusted_is_refused(
    emulator: Emulator, emulator_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The emulator's https endpoint, without its CA: the token request must fail certificate verification
    # rather than send the identity's token request to an unverified server.
    managed_identity_in(emulator, h.TENANT_ID, monkeypatch)
    monkeypatch.setenv("ARM_USE_MSI", "true")
    monkeypatch.setenv("ARM_CLIENT_ID", MANAGED_IDENTITY_ID)
    monkeypatch.delenv(clouds.CA_BUNDLE_ENV)
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(h.default_config(), mocks=mocks)
    assert str(caught.value).startswith(f"ARM_USE_MSI: {MSI_REASON}")
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert emulator.recorder.count(kind=Kind.MANAGED_IDENTITY) == 0
    assert_no_resources(mocks)


@pytest.mark.parametrize(
    ("environ", "config", "where"),
    [
        ({"ARM_USE_MSI": "true", "ARM_CLIENT_ID": MANAGED_IDENTITY_ID}, {}, "ARM_USE_MSI"),
        ({}, {"azuread:useMsi": "true", "azuread:clientId": MANAGED_IDENTITY_ID}, "azuread:useMsi"),
    ],
    ids=["msi from the environment", "msi from the stack"],
)
def test_a_managed_identity_of_another_tenant_fails_before_any_lookup_or_resource(
    environ: dict[str, str],
    config: dict[str, str],
    where: str,
    emulator: Emulator,
    emulator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    managed_identity_in(emulator, OTHER_TENANT_ID, monkeypatch)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program({**h.default_config(), **config}, mocks=mocks)
    message = str(caught.value)
    assert message.startswith(f"{where}: {MSI_REASON}")
    assert (
        f"the managed identity belongs to tenant {OTHER_TENANT_ID}, not to the stack's tenant {h.TENANT_ID}" in message
    )
    assert f"az login --tenant {h.TENANT_ID}" in message
    assert mocks.calls == []
    assert_no_resources(mocks)


def test_a_managed_identity_without_an_answering_endpoint_fails(
    emulator: Emulator, emulator_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No identity on this "machine": the metadata service answers 400 "Identity not found".
    emulator.add_tenant(Tenant(h.TENANT_ID))
    monkeypatch.setenv("ARM_USE_MSI", "true")
    monkeypatch.setenv("ARM_MSI_ENDPOINT", f"{emulator.base_url}/metadata/identity/oauth2/token")
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(h.default_config(), mocks=mocks)
    assert str(caught.value).startswith(f"ARM_USE_MSI: {MSI_REASON}")
    assert (
        f"checking that failed: the endpoint of the managed identity gave no token for tenant {h.TENANT_ID} "
        "(invalid_request: Identity not found)"
    ) in str(caught.value)
    assert_no_resources(mocks)


@pytest.mark.parametrize(("signed_in", "deploys"), [(h.TENANT_ID, True), (OTHER_TENANT_ID, False)])
def test_azure_cli_in_cloud_shell_must_be_signed_in_to_the_stacks_tenant(
    signed_in: str,
    deploys: bool,
    emulator: Emulator,
    emulator_env: dict[str, str],
    fake_az: FakeAz,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for tenant in (h.TENANT_ID, OTHER_TENANT_ID):
        emulator.add_tenant(scenarios.in_sync_tenant(tenant))
    fake_az.login(signed_in)
    for key, value in fake_az.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AZUREPS_HOST_ENVIRONMENT", "cloud-shell/1.0")
    mocks = h.EntraMocks()
    if deploys:
        assert "enpass-sp" in h.run_program(h.default_config(), mocks=mocks).monitor.requests
    else:
        with pytest.raises(pulumi.RunError) as caught:
            h.run_program(h.default_config(), mocks=mocks)
        assert str(caught.value).startswith(
            "AZUREPS_HOST_ENVIRONMENT=cloud-shell/1.0: in Azure Cloud Shell the azuread provider asks the Azure CLI"
        )
        assert f"a token for tenant {OTHER_TENANT_ID}, not {h.TENANT_ID}" in str(caught.value)
        assert_no_resources(mocks)
    # As the provider does there: no --tenant (az refuses it for a Cloud Shell account).
    assert [call for call in fake_az.calls() if "get-access-token" in call] == [
        ["account", "get-access-token", "--resource", "https://graph.microsoft.com", "--output", "json"]
    ]


def test_azure_cli_in_cloud_shell_without_az_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AZUREPS_HOST_ENVIRONMENT", "cloud-shell/1.0")
    monkeypatch.setenv("PATH", str(tmp_path))
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(h.default_config(), mocks=mocks)
    assert "checking that failed: az is not on PATH" in str(caught.value)
    assert_no_resources(mocks)


def test_azure_cli_in_cloud_shell_that_cannot_run_is_named_by_its_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # An az on PATH whose interpreter is missing: the message names the file found, so the user knows which one.
    broken_az = tmp_path / "az"
    broken_az.write_text("#!/nonexistent/interpreter\n", encoding="utf-8")
    broken_az.chmod(0o755)
    monkeypatch.setenv("AZUREPS_HOST_ENVIRONMENT", "cloud-shell/1.0")
    monkeypatch.setenv("PATH", str(tmp_path))
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(h.default_config(), mocks=mocks)
    assert f"checking that failed: cannot run the Azure CLI ({broken_az}): FileNotFoundError" in str(caught.value)
    assert_no_resources(mocks)


@pytest.mark.parametrize(
    ("environ", "config", "message"),
    [
        (
            {"ARM_ENVIRONMENT": "usgovernment"},
            {},
            "ARM_ENVIRONMENT=usgovernment: the azuread provider would work in that cloud while the stack's settings "
            "name the global cloud; unset it or set azuread:environment in the stack file",
        ),
        (
            {},
            {"azuread:metadataHost": "login.microsoftonline.us"},
            "azuread:metadataHost: a metadata host makes the azuread provider discover its cloud there instead of "
            "using azuread:environment; Enpass exists only in the global cloud, remove it",
        ),
    ],
    ids=["ARM_ENVIRONMENT", "metadata host"],
)
def test_a_provider_pointed_at_another_cloud_stops_before_anything(
    environ: dict[str, str], config: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program({**h.default_config(), **config}, mocks=mocks)
    assert str(caught.value) == message
    assert mocks.calls == []
    assert_no_resources(mocks)


def test_cloud_shell_with_an_app_credential_is_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    # OIDC comes before the Azure CLI in the provider's order, and signs in to azuread:tenantId.
    monkeypatch.setenv("AZUREPS_HOST_ENVIRONMENT", "cloud-shell/1.0")
    monkeypatch.setenv("ARM_USE_OIDC", "true")
    monkeypatch.setenv("ARM_CLIENT_ID", "c1e17000-0000-4000-8000-00000000c11e")
    monkeypatch.setenv("ARM_OIDC_TOKEN", "fake-assertion")
    run = h.run_program(h.default_config())
    assert "enpass-sp" in run.monitor.requests


def test_scope_missing_from_the_tenants_graph_sp_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(h, "GRAPH_SCOPE_IDS", {"User.Read": "x"})
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(h.default_config(scopes=["User.Read", "Group.Read.All"]), mocks=mocks)
    assert str(caught.value) == (
        "enpass-consent:scopes: Group.Read.All is not a delegated scope of Microsoft Graph's service principal "
        f"in tenant {h.TENANT_ID}"
    )
    assert_no_resources(mocks)


def test_every_scope_missing_from_the_tenants_graph_sp_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(h, "GRAPH_SCOPE_IDS", {"user.read": "x"})  # names are compared without case
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(h.default_config(scopes=["User.Read", "Group.Read.All", "openid"]))
    assert str(caught.value) == (
        "enpass-consent:scopes: Group.Read.All, openid is not a delegated scope of Microsoft Graph's service "
        f"principal in tenant {h.TENANT_ID}"
    )


class NoGraphServicePrincipal(h.EntraMocks):
    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        answer = super().call(args)
        return {**answer, "objectId": ""} if args.token == h.GET_SERVICE_PRINCIPAL else answer


def test_a_tenant_without_microsoft_graphs_service_principal_fails_before_any_resource() -> None:
    mocks = NoGraphServicePrincipal()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(h.default_config(), mocks=mocks)
    assert str(caught.value) == f"Microsoft Graph has no service principal in tenant {h.TENANT_ID}"
    assert_no_resources(mocks)


def test_every_group_name_is_resolved_wherever_it_stands_among_object_ids() -> None:
    other = GROUP_ID.replace("1", "2")
    run = h.run_program(h.default_config(groups=[GROUP_ID, "Team (EU)", other, "Ops"]))
    assert [c.args["displayName"] for c in run.mocks.calls if c.token == h.GET_GROUP] == ["Team (EU)", "Ops"]
    principals = {
        name: h.inputs(request)["principalObjectId"] for name, request in run.monitor.of_type(h.ASSIGNMENT_TYPE).items()
    }
    assert principals == {
        f"enpass-assign-{GROUP_ID}": GROUP_ID,
        "enpass-assign-team-eu": h.group_object_id("Team (EU)"),
        f"enpass-assign-{other}": other,
        "enpass-assign-ops": h.group_object_id("Ops"),
    }


def test_group_name_that_resolves_to_nothing_fails_before_any_resource() -> None:
    mocks = h.EntraMocks(groups={})
    with pytest.raises(pulumi.RunError, match="enpass-consent:groups: cannot resolve security group 'Ghosts'"):
        h.run_program(h.default_config(groups=["Ghosts"]), mocks=mocks)
    assert_no_resources(mocks)


@pytest.mark.parametrize(("config", "message"), [(c, m) for _, c, m in BAD], ids=[i for i, _, _ in BAD])
def test_every_invalid_setting_fails_before_any_resource_or_lookup(config: dict[str, str], message: str) -> None:
    mocks = h.EntraMocks()
    with pytest.raises(pulumi.RunError) as caught:
        h.run_program(config, mocks=mocks)
    assert str(caught.value) == message
    assert mocks.calls == []
    assert_no_resources(mocks)


def assert_no_resources(mocks: h.EntraMocks) -> None:
    # Only the root Stack may exist; RecordingMonitor is reachable through the mocks' run.
    from pulumi.runtime import settings as runtime_settings

    monitor = runtime_settings.SETTINGS.monitor
    assert isinstance(monitor, h.RecordingMonitor)
    assert monitor.program_requests() == {}


def test_schema_defaults_equal_settings_defaults() -> None:
    project = YAML(typ="safe").load((h.REPO / "Pulumi.yaml").read_text())
    schema = project["config"]
    declared = {f"{settings.PROJECT}:{key}": value["default"] for key, value in schema.items()}
    assert declared == settings.DEFAULTS
    assert f"{settings.PROJECT}:assignmentRequired" not in declared and f"{settings.PROJECT}:adopt" not in declared
    types = {bool: "boolean", list: "array"}
    for key, value in schema.items():
        assert value["type"] == types[type(value["default"])], key
        assert value["description"], key


def pulumi_form(document: Any) -> dict[str, str]:
    """What the Pulumi CLI hands a program for a stack file: strings, JSON for everything else.

    Written independently of ``stackfile.config_strings`` on purpose.
    """
    out = {}
    for key, value in (document.get("config") or {}).items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, bool):
            out[key] = str(value).lower()
        else:
            out[key] = json.dumps(value)
    return out


@pytest.mark.parametrize("stack", ["structured", "jsontext"])
def test_program_and_cli_parse_the_same_stack_file_alike(stack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / f"Pulumi.{stack}.yaml"
    cli_view = settings.parse(stackfile.config_strings(stackfile.load_yaml(path), path))

    seen: list[settings.Settings] = []
    original = component_module.EnpassConsent.__init__

    def spy(self: Any, name: str, args: component_module.EnpassConsentArgs, opts: Any = None) -> None:
        seen.append(args.settings)
        original(self, name, args, opts)

    monkeypatch.setattr(component_module.EnpassConsent, "__init__", spy)
    document = YAML(typ="safe").load(path.read_text())
    h.run_program(pulumi_form(document))
    assert seen == [cli_view]


EXAMPLE_TENANT = "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b"


def _example(text: str) -> settings.Settings:
    path = h.REPO / "Pulumi.example.yaml"
    return settings.parse(stackfile.config_strings(stackfile.parse_yaml(text, path), path))


def test_the_example_stack_file_refuses_its_placeholder_tenant() -> None:
    text = (h.REPO / "Pulumi.example.yaml").read_text()
    with pytest.raises(settings.SettingsError, match="replace the placeholder tenant id"):
        _example(text)


def test_the_example_with_a_tenant_is_valid_and_asks_for_the_defaults() -> None:
    text = (h.REPO / "Pulumi.example.yaml").read_text()
    parsed = _example(text.replace(settings.PLACEHOLDER_TENANT_ID, EXAMPLE_TENANT, 1))
    assert parsed.tenant_id == EXAMPLE_TENANT
    assert parsed.scopes == tuple(sorted(catalog.ENPASS_SCOPE_NAMES))
    assert parsed.groups == () and not parsed.assignment_required  # groups are an example, commented out


def test_every_setting_commented_in_the_example_is_valid_once_uncommented() -> None:
    """The example's commented blocks are what users copy: each must parse as written."""
    text = (h.REPO / "Pulumi.example.yaml").read_text().replace(settings.PLACEHOLDER_TENANT_ID, EXAMPLE_TENANT, 1)
    uncommented = re.sub(r"(?m)^  # ((?:enpass-consent|azuread):\S+:.*|  - .*)$", r"  \1", text)
    uncommented = uncommented.replace(
        "azuread:clientId: 00000000-0000-0000-0000-000000000000", "azuread:clientId: " + EXAMPLE_TENANT
    )
    parsed = _example(uncommented)
    assert not parsed.tenant_wide_consent and parsed.consent_user_ids
    assert [g.entry for g in parsed.groups] == ["Enpass Users"] and parsed.users and parsed.assignment_required
    assert parsed.notification_emails == ("it-security@example.com",)
