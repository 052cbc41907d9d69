"""``enpass-consent preflight`` against emulator tenants prepared for each check's pass, warn and fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from enpass_consent import catalog
from enpass_consent.emulator import TEST_CLIENT_ID, Emulator, Kind, scenarios
from enpass_consent.emulator.state import DEFAULT_CLIENT_ROLES
from enpass_consent.preflight import permissions
from enpass_consent.service_principal import MANAGED_NOTE
from tests.enpass_consent.preflight.tenants import (
    OTHER_TENANT,
    TENANT,
    WRITER_AND_READER_ROLES,
    checks_of,
    preflight_json,
    ready_tenant,
    run_cli,
    set_roles,
    sign_in,
    write_stack,
)
from tests.support.golden import validate

pytestmark = pytest.mark.usefixtures("emulator_env")

GROUP_STACK: dict[str, Any] = {"azuread:tenantId": TENANT, "enpass-consent:groups": ["Enpass Users"]}
PLAIN_STACK: dict[str, Any] = {"azuread:tenantId": TENANT}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sign_in(monkeypatch)
    return tmp_path / "project"


def run(capsys: pytest.CaptureFixture[str], project: Path, config: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    write_stack(project, "contoso", config)
    code, document = preflight_json(capsys, project, "contoso")
    validate(document, "preflight")
    return code, document


def test_everything_ready_passes_in_one_batch(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    group_id = next(iter(tenant.groups))
    code, document = run(capsys, project, {**GROUP_STACK, "enpass-consent:groups": [group_id]})
    checks = checks_of(document)
    assert code == 0, checks
    assert document["tenants"][0]["status"] == "pass"
    assert list(checks) == [
        "identity",
        "graph-scopes",
        "groups",
        "nested-groups",
        "entra-id-p1",
        "licences",
        "user-consent",
        "service-principal",
    ]
    assert {check["status"] for check in checks.values()} == {"pass"}
    assert all(check["fix"] == "" for check in checks.values())
    assert document["summary"] == {"tenants": 1, "pass": 1, "warn": 0, "fail": 0, "error": 0}
    # discovery, token, then one batch: preflight's reads and audit's together
    assert emulator.recorder.count(TENANT, Kind.BATCH) == 1
    assert emulator.recorder.count(TENANT, Kind.GRAPH) == 0


def test_group_given_by_name_costs_one_more_batch(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(ready_tenant())
    code, document = run(capsys, project, GROUP_STACK)
    assert code == 0, checks_of(document)
    # the members of a group given by name wait for its object id
    assert emulator.recorder.count(TENANT, Kind.BATCH) == 2


# --- identity -------------------------------------------------------------------------------------


def test_read_only_identity_fails_naming_each_missing_writer_permission(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    set_roles(tenant, list(DEFAULT_CLIENT_ROLES))
    code, document = run(capsys, project, GROUP_STACK)
    identity = checks_of(document)["identity"]
    assert code == 2 and document["tenants"][0]["status"] == "fail"
    assert identity["status"] == "fail"
    assert "Application.ReadWrite.All (or Directory.ReadWrite.All)" in identity["message"]
    assert "DelegatedPermissionGrant.ReadWrite.All (or Directory.ReadWrite.All)" in identity["message"]
    assert "AppRoleAssignment.ReadWrite.All" in identity["message"]
    assert identity["fix"].startswith(
        "Grant Application.ReadWrite.All, DelegatedPermissionGrant.ReadWrite.All, AppRoleAssignment.ReadWrite.All "
    )


def test_broader_permission_satisfies_narrower_ones(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    set_roles(tenant, ["Directory.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", *DEFAULT_CLIENT_ROLES])
    _, document = run(capsys, project, GROUP_STACK)
    assert checks_of(document)["identity"]["status"] == "pass"


@pytest.mark.parametrize("sp_exists", [False, True], ids=["new tenant", "clicked through"])
def test_owned_by_cannot_manage_the_enpass_sp_and_the_fix_names_application_readwrite_all(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str], sp_exists: bool
) -> None:
    # Enpass's app is registered in Enpass's tenant: no identity here owns it, whether or not its SP exists yet.
    tenant = emulator.add_tenant(ready_tenant() if sp_exists else scenarios.empty_tenant(TENANT))
    set_roles(
        tenant,
        [
            "Application.ReadWrite.OwnedBy",
            "DelegatedPermissionGrant.ReadWrite.All",
            "AppRoleAssignment.ReadWrite.All",
            *DEFAULT_CLIENT_ROLES,
        ],
    )
    code, document = run(capsys, project, PLAIN_STACK)
    identity = checks_of(document)["identity"]
    assert code == 2 and identity["status"] == "fail"
    assert identity["message"].startswith(
        f"App-only identity {TEST_CLIENT_ID} lacks what `pulumi up` needs: to create, or adopt and update, the "
        "Enpass service principal (Enpass's app is registered in Enpass's tenant, so no identity here owns it and "
        "Application.ReadWrite.OwnedBy cannot manage it): Application.ReadWrite.All (or Directory.ReadWrite.All). "
    )
    assert "Application.ReadWrite.OwnedBy is not enough" in identity["message"]
    assert identity["fix"].startswith("Grant Application.ReadWrite.All (Microsoft Graph application permissions")


def test_the_writer_set_passes_in_a_new_tenant(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.empty_tenant(TENANT))
    set_roles(tenant, [*permissions.WRITER_PERMISSIONS, *DEFAULT_CLIENT_ROLES])
    _, document = run(capsys, project, {**PLAIN_STACK, "enpass-consent:groups": ["Enpass Users"]})
    assert checks_of(document)["identity"]["status"] == "pass"


def test_group_names_need_a_group_read_permission_for_the_programs_lookup(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    # The writer's three, plus preflight's other reads, but nothing that reads groups.
    set_roles(tenant, [*WRITER_AND_READER_ROLES[:3], "Policy.Read.All", "User.Read.All", "LicenseAssignment.Read.All"])
    _, document = run(capsys, project, GROUP_STACK)
    identity = checks_of(document)["identity"]
    assert identity["status"] == "fail"
    assert "to read groups and their members: GroupMember.Read.All" in identity["message"]
    _, document = run(capsys, project, {**GROUP_STACK, "enpass-consent:groups": [next(iter(tenant.groups))]})
    assert checks_of(document)["identity"]["status"] == "pass"  # a group id needs no lookup by name
    assert checks_of(document)["groups"]["status"] == "fail"  # preflight's own read of the group is refused


# --- service-principal ----------------------------------------------------------------------------


def test_every_property_pulumi_up_would_change_on_the_existing_sp_is_listed(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    sp = scenarios.enpass_sp(tenant)
    sp.account_enabled = False
    sp.notes = None
    sp.tags.append("HideApp")
    sp.description = "Vaults"
    owner = scenarios.add_user(tenant, "Olga")
    scenarios.add_owner(tenant, owner)
    code, document = run(capsys, project, GROUP_STACK)
    check = checks_of(document)["service-principal"]
    assert code == 2 and check["status"] == "warn"
    assert check["message"] == (
        f"`pulumi up` adopts the existing Enpass service principal {sp.id} (use_existing) and sets "
        "accountEnabled: false -> true; "
        "tags: WindowsAzureActiveDirectoryIntegratedApp, HideApp -> WindowsAzureActiveDirectoryIntegratedApp; "
        f'notes: (none) -> "{MANAGED_NOTE}"; '
        'description: "Vaults" -> (none); '
        f"owners: {owner.id} (Olga) -> (none) (kept by the first `pulumi up`, which adopts the SP; removed by "
        "the next one)."
    )
    assert check["fix"] == (
        "Review these changes before the first `pulumi up`. To keep a current value, set "
        "enpass-consent:accountEnabled, enpass-consent:hideFromMyApps in the stack file; other properties always "
        "take the program's value (docs/preflight.md)."
    )
    # The stack keeps Enpass off and hidden: only what no setting can keep is left.
    code, document = run(
        capsys,
        project,
        {**GROUP_STACK, "enpass-consent:accountEnabled": False, "enpass-consent:hideFromMyApps": True},
    )
    check = checks_of(document)["service-principal"]
    assert check["message"].count(" -> ") == 3 and "accountEnabled" not in check["message"]
    assert "tags" not in check["message"]


def test_no_sp_yet_passes_the_service_principal_check(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT))
    _, document = run(capsys, project, PLAIN_STACK)
    check = checks_of(document)["service-principal"]
    assert check["status"] == "pass" and "`pulumi up` creates it" in check["message"]


# --- graph-scopes ---------------------------------------------------------------------------------


def test_scope_missing_from_graph_fails(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    graph = scenarios.graph_sp(tenant)
    graph.oauth2_permission_scopes = [s for s in graph.oauth2_permission_scopes if s["value"] != "Group.Read.All"]
    for scope in graph.oauth2_permission_scopes:
        if scope["value"] == "Team.ReadBasic.All":
            scope["isEnabled"] = False
    _, document = run(capsys, project, GROUP_STACK)
    check = checks_of(document)["graph-scopes"]
    assert check["status"] == "fail"
    assert "Group.Read.All" in check["message"] and "Team.ReadBasic.All" in check["message"]


# --- groups, nested groups, P1 --------------------------------------------------------------------


def test_groups_that_cannot_be_assigned_fail(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    m365 = scenarios.add_group(tenant, "Marketing", unified=True)
    scenarios.add_group(tenant, "Twins")
    scenarios.add_group(tenant, "Twins", group_id="0e0e0e0e-0000-4000-8000-000000000002")
    missing_id = "0e0e0e0e-0000-4000-8000-000000000001"
    config = {**PLAIN_STACK, "enpass-consent:groups": ["Enpass Users", m365.id, missing_id, "Nobody", "Twins"]}
    _, document = run(capsys, project, config)
    check = checks_of(document)["groups"]
    assert check["status"] == "fail"
    assert f"{m365.id} (Marketing) is not a security group (Unified)" in check["message"]
    assert f"no group has the object id {missing_id}" in check["message"]
    assert "no security group is named 'Nobody'" in check["message"]
    assert "2 security groups are named 'Twins'" in check["message"]
    assert "Enpass Users" not in check["message"]


def test_nested_group_warns(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    bob = scenarios.add_user(tenant, "Bob")
    inner = scenarios.add_group(tenant, "Inner", members=[bob.id])
    outer = next(g for g in tenant.groups.values() if g.display_name == "Enpass Users")
    outer.member_ids.append(inner.id)
    code, document = run(capsys, project, GROUP_STACK)
    checks = checks_of(document)
    assert checks["nested-groups"]["status"] == "warn"
    assert "'Enpass Users' has 1 nested group" in checks["nested-groups"]["message"]
    assert code == 2 and document["tenants"][0]["status"] == "warn"
    # Bob is only in the nested group: no access, so not counted for licences either.
    assert checks["licences"]["message"].startswith("1 assigned user (direct members")


def test_groups_without_p1_fail_and_no_groups_need_none(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    tenant.subscribed_skus = [sku for sku in tenant.subscribed_skus if sku["skuPartNumber"] != "AAD_PREMIUM"]
    _, document = run(capsys, project, GROUP_STACK)
    check = checks_of(document)["entra-id-p1"]
    assert check["status"] == "fail" and "AAD_PREMIUM" in check["message"]
    sku_reads = sum(1 for record in emulator.recorder.items(TENANT) if "subscribedSkus" in record.path)
    _, document = run(capsys, project, PLAIN_STACK)
    assert checks_of(document)["entra-id-p1"] == {
        "id": "entra-id-p1",
        "status": "pass",
        "message": "Not needed: no groups are assigned.",
        "fix": "",
    }
    assert sum(1 for record in emulator.recorder.items(TENANT) if "subscribedSkus" in record.path) == sku_reads


def test_p2_counts_as_p1(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    sku = tenant.subscribed_skus[-1]
    sku["servicePlans"][0]["servicePlanId"] = catalog.ENTRA_ID_P1_PLANS[1].service_plan_id
    _, document = run(capsys, project, GROUP_STACK)
    assert "Microsoft Entra ID P2 (AAD_PREMIUM_P2)" in checks_of(document)["entra-id-p1"]["message"]


# --- licences -------------------------------------------------------------------------------------


def test_unlicensed_assigned_users_warn_with_count_and_examples(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    group = next(g for g in tenant.groups.values() if g.display_name == "Enpass Users")
    unlicensed = [scenarios.add_user(tenant, f"Temp {n}", licensed=False) for n in range(4)]
    group.member_ids += [user.id for user in unlicensed]
    direct = scenarios.add_user(tenant, "Direct", licensed=False)
    config = {**GROUP_STACK, "enpass-consent:users": [direct.id]}
    code, document = run(capsys, project, config)
    check = checks_of(document)["licences"]
    assert code == 2 and check["status"] == "warn"
    assert check["message"].startswith("5 of 6 assigned users")
    first = sorted(u.id for u in [*unlicensed, direct])[:3]
    assert f"for example {', '.join(first)}, …" in check["message"]


def test_nobody_assigned_counts_enabled_members_only(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    scenarios.add_user(tenant, "Gone", licensed=False, account_enabled=False)
    guest = scenarios.add_user(tenant, "Guest", licensed=False)
    guest.user_type = "Guest"
    _, document = run(capsys, project, PLAIN_STACK)
    check = checks_of(document)["licences"]
    assert check["status"] == "pass"
    assert check["message"] == (
        "1 enabled member user (nobody is assigned, so everyone may use Enpass): none lacks an enabled "
        "SharePoint/OneDrive service plan."
    )
    scenarios.add_user(tenant, "Newcomer", licensed=False)
    _, document = run(capsys, project, PLAIN_STACK)
    assert checks_of(document)["licences"]["message"].startswith("1 of 2 enabled member users")


# --- user consent ---------------------------------------------------------------------------------


def test_no_sp_yet_warns_with_pulumi_up_or_the_consent_url(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.empty_tenant(TENANT))
    scenarios.set_user_consent(tenant, "ManagePermissionGrantsForSelf.microsoft-user-default-legacy")
    _, document = run(capsys, project, PLAIN_STACK)
    check = checks_of(document)["user-consent"]
    assert check["status"] == "warn"  # expected before the first `pulumi up`, which fixes it
    assert check["message"].startswith("Enpass has no service principal in this tenant yet")
    assert "Group.Read.All needs admin consent whatever the user-consent policy" in check["message"]
    assert "admin consent workflow is on, so users can request approval" in check["message"]
    assert check["fix"].startswith(
        "Run `pulumi up` on this stack (it creates the consent), or have an administrator open "
    )
    assert f"/{TENANT}/v2.0/adminconsent?client_id={catalog.ENPASS_APP_ID}" in check["fix"]


def test_missing_scope_warns_and_names_it(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    scenarios.remove_scope(tenant, "Sites.ReadWrite.All")
    tenant.admin_consent_request_policy["isEnabled"] = False
    scenarios.set_user_consent(tenant, "managePermissionGrantsForSelf.microsoft-user-default-recommended")
    _, document = run(capsys, project, PLAIN_STACK)
    check = checks_of(document)["user-consent"]
    assert check["status"] == "warn"
    assert "lacks Sites.ReadWrite.All" in check["message"]
    assert "users are simply blocked" in check["message"]
    assert "Microsoft-managed user consent" in check["message"]  # matched case-insensitively


def test_legacy_policy_without_admin_only_scopes_warns(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT, scopes=("User.Read",)))
    scenarios.remove_tenant_wide_grant(tenant)
    scenarios.set_user_consent(tenant, "ManagePermissionGrantsForSelf.microsoft-user-default-legacy")
    _, document = run(capsys, project, {**PLAIN_STACK, "enpass-consent:scopes": ["User.Read", "offline_access"]})
    check = checks_of(document)["user-consent"]
    assert check["status"] == "warn" and "USER_GRANT" in check["message"]


def test_per_user_consent_prediction(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    scenarios.remove_tenant_wide_grant(tenant)
    alice, bob = scenarios.add_user(tenant, "Alice"), scenarios.add_user(tenant, "Bob")
    scenarios.add_user_grant(tenant, alice.id, catalog.ENPASS_SCOPE_NAMES)
    config = {**PLAIN_STACK, "enpass-consent:tenantWideConsent": False, "enpass-consent:consentUsers": [alice.id]}
    _, document = run(capsys, project, config)
    assert checks_of(document)["user-consent"]["status"] == "pass"
    config["enpass-consent:consentUsers"] = [alice.id, bob.id]
    _, document = run(capsys, project, config)
    check = checks_of(document)["user-consent"]
    assert check["status"] == "warn" and f"user {bob.id} has no grant" in check["message"]


# --- 403s, errors, invalid settings, usage --------------------------------------------------------


def test_403_is_a_failed_permission_check_not_an_error(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    set_roles(tenant, [r for r in tenant.clients[next(iter(tenant.clients))].roles if r != "Policy.Read.All"])
    emulator.faults.forbidden(r"/users\?")
    code, document = run(capsys, project, GROUP_STACK)
    checks = checks_of(document)
    assert code == 2 and document["tenants"][0]["status"] == "fail" and document["tenants"][0]["error"] is None
    assert checks["user-consent"]["status"] == "fail"
    assert "(the consent policies) (403): the identity needs Policy.Read.All." in checks["user-consent"]["message"]
    assert checks["licences"]["message"].endswith(
        "(403): the identity needs User.Read.All (or Directory.Read.All, User.ReadWrite.All, Directory.ReadWrite.All)."
    )
    assert checks["licences"]["fix"].startswith("Grant the Microsoft Graph application permission User.Read.All")
    assert checks["groups"]["status"] == "pass"


def test_403_on_audits_grant_read_names_directory_read_all(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = emulator.add_tenant(ready_tenant())
    emulator.faults.forbidden(r"/oauth2PermissionGrants")
    _, document = run(capsys, project, GROUP_STACK)
    assert tenant is not None
    check = checks_of(document)["user-consent"]
    assert check["status"] == "fail" and "needs Directory.Read.All" in check["message"]


def test_403_on_audits_group_name_filter_fails_both_checks_that_need_it(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(ready_tenant())
    emulator.faults.forbidden(r"/groups\?")
    _, document = run(capsys, project, GROUP_STACK)
    checks = checks_of(document)
    assert document["tenants"][0]["error"] is None
    assert checks["groups"]["status"] == "fail" and "(group 'Enpass Users') (403)" in checks["groups"]["message"]
    assert checks["user-consent"]["status"] == "fail"
    assert "needs GroupMember.Read.All" in checks["user-consent"]["message"]
    # no object id resolved, so no members batch
    assert emulator.recorder.count(TENANT, Kind.BATCH) == 1


def test_403_on_a_group_name_filter_does_not_hide_that_enpass_has_no_sp_yet(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT))
    emulator.faults.forbidden(r"/groups\?")
    _, document = run(capsys, project, GROUP_STACK)
    checks = checks_of(document)
    assert checks["groups"]["status"] == "fail" and "(403)" in checks["groups"]["message"]
    assert checks["user-consent"]["message"].startswith("Enpass has no service principal in this tenant yet")


def test_other_graph_failure_makes_the_tenant_error_and_others_still_run(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(ready_tenant())
    emulator.add_tenant(ready_tenant(OTHER_TENANT))
    emulator.faults.status(400, "BadRequest", r"/policies/", tenant=TENANT)
    write_stack(project, "contoso", GROUP_STACK)
    write_stack(project, "fabrikam", {**GROUP_STACK, "azuread:tenantId": OTHER_TENANT})
    code, document = preflight_json(capsys, project, "contoso", "fabrikam")
    validate(document, "preflight")
    assert code == 1
    contoso, fabrikam = document["tenants"]
    assert contoso["status"] == "error" and contoso["checks"] == [] and "400" in contoso["error"]
    assert fabrikam["status"] == "pass"
    assert document["summary"] == {"tenants": 2, "pass": 1, "warn": 0, "fail": 0, "error": 1}


def test_sign_in_failure_is_an_error(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emulator.add_tenant(ready_tenant())
    emulator.faults.token_failure(TENANT)
    code, document = run(capsys, project, GROUP_STACK)
    assert code == 1 and document["tenants"][0]["status"] == "error"


def test_invalid_settings_error_with_zero_graph_calls(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(ready_tenant())
    emulator.add_tenant(ready_tenant(OTHER_TENANT))
    write_stack(project, "broken", {"azuread:tenantId": TENANT, "enpass-consent:scopes": ["Mail.Read"]})
    write_stack(project, "fabrikam", {**GROUP_STACK, "azuread:tenantId": OTHER_TENANT})
    code, document = preflight_json(capsys, project, "broken", "fabrikam")
    validate(document, "preflight")
    broken = document["tenants"][0]
    assert code == 1 and broken["status"] == "error" and broken["tenantId"] == TENANT
    assert "Pulumi.broken.yaml" in broken["error"] and "enpass-consent:scopes" in broken["error"]
    assert emulator.recorder.count(TENANT) == 0
    assert document["tenants"][1]["status"] == "pass"


def test_usage_errors_exit_1_without_a_document(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_stack(project, "contoso", PLAIN_STACK)
    code, out, err = run_cli(capsys, "preflight", "--project-dir", str(project))
    assert code == 1 and out == "" and "--stack" in err
    code, out, _ = run_cli(capsys, "preflight", "--project-dir", str(project), "--format", "yaml", "--stack", "contoso")
    assert code == 1 and out == ""


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_human_formats(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    emulator.add_tenant(ready_tenant())
    write_stack(project, "contoso", GROUP_STACK)
    code, out, err = run_cli(capsys, "preflight", "--project-dir", str(project), "--stack", "contoso", "--format", fmt)
    assert code == 0 and "user-consent" in out and "1 tenants: 1 pass" in out
    assert "client secret" in err


def test_output_file(emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    emulator.add_tenant(ready_tenant())
    write_stack(project, "contoso", GROUP_STACK)
    target = project / "preflight.json"
    code, out, _ = run_cli(
        capsys, "preflight", "--all-stacks", "--project-dir", str(project), "--format", "json", "--output", str(target)
    )
    assert code == 0 and out == "" and '"enpass-consent.preflight/v1"' in target.read_text()
