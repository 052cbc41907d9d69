"""The component's inputs and options, through a recording mock monitor (no engine)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components import TYPE_TOKEN, EnpassConsent, EnpassConsentArgs
from enpass_consent import catalog, settings
from enpass_consent.service_principal import MANAGED_NOTE
from tests.support import pulumi_harness as h

USER_A = "aaaaaaaa-0000-4000-8000-000000000001"
USER_B = "aaaaaaaa-0000-4000-8000-000000000002"
GROUP_ID = "bbbbbbbb-0000-4000-8000-000000000001"
ADOPTED_SP = "cccccccc-0000-4000-8000-000000000001"


def build(config: dict[str, Any], groups: dict[str, str] | None = None, *, preview: bool = False) -> h.Run:
    desired = settings.parse(h.config_strings(config))

    def program() -> None:
        EnpassConsent(
            "enpass",
            EnpassConsentArgs(desired, h.GRAPH_SP_OBJECT_ID, groups or {}),
        )

    return h.run_program(config, program=program, preview=preview)


def test_default_children_inputs_and_options() -> None:
    run = build(h.default_config())
    monitor = run.monitor
    assert sorted(monitor.program_requests()) == ["enpass", "enpass-grant", "enpass-sp"]

    component = monitor.requests["enpass"]
    assert component.type == TYPE_TOKEN and component.custom is False

    sp = monitor.requests["enpass-sp"]
    assert sp.type == h.SP_TYPE
    assert sp.parent == component_urn()
    assert sp.protect is True and sp.retainOnDelete is True
    assert sp.deletedWith == "" and list(sp.ignoreChanges) == [] and sp.importId == ""
    sp_inputs = h.inputs(sp)
    assert sp_inputs == {
        "clientId": catalog.ENPASS_APP_ID,
        "useExisting": True,
        # Declared although it is the provider's default: an adopted SP must be what the stack says.
        "accountEnabled": True,
        "appRoleAssignmentRequired": False,
        "featureTags": [{"enterprise": True, "hide": False}],
        "notes": MANAGED_NOTE,
        "notificationEmailAddresses": [],
    }

    grant = monitor.requests["enpass-grant"]
    assert grant.type == h.GRANT_TYPE and grant.parent == component_urn()
    assert grant.protect is True and grant.retainOnDelete is False
    assert grant.deletedWith == "" and list(grant.ignoreChanges) == []
    grant_inputs = h.inputs(grant)
    assert grant_inputs["claimValues"] == sorted(catalog.ENPASS_SCOPE_NAMES)
    assert grant_inputs["resourceServicePrincipalObjectId"] == h.GRAPH_SP_OBJECT_ID
    assert grant_inputs["servicePrincipalObjectId"] == h.ENPASS_SP_OBJECT_ID
    assert "userObjectId" not in grant_inputs


def component_urn() -> str:
    # Mock URNs of top-level resources carry the root Stack's type as a parent prefix; the engine's do not.
    return f"urn:pulumi:{h.STACK}::{h.PROJECT}::pulumi:pulumi:Stack${TYPE_TOKEN}::enpass"


def test_urns_are_the_contract() -> None:
    run = build(h.default_config(groups=["Team (EU)"]), groups={"Team (EU)": GROUP_ID})
    urns = set(run.monitor.get_registered_resources())
    prefix = f"urn:pulumi:{h.STACK}::{h.PROJECT}::"
    # Mock URNs of top-level resources carry the root Stack's type; the engine's do not.
    assert any(u.endswith(f"{TYPE_TOKEN}::enpass") for u in urns)
    child = f"{prefix}{TYPE_TOKEN}$"
    assert f"{child}{h.SP_TYPE}::enpass-sp" in urns
    assert f"{child}{h.GRANT_TYPE}::enpass-grant" in urns
    assert f"{child}{h.ASSIGNMENT_TYPE}::enpass-assign-team-eu" in urns


def test_per_user_grants_and_assignments() -> None:
    config = h.default_config(tenantWideConsent=False, consentUsers=[USER_A.upper()], users=[USER_A], groups=[GROUP_ID])
    run = build(config)
    names = sorted(run.monitor.program_requests())
    assert names == [
        "enpass",
        f"enpass-assign-{USER_A}",
        f"enpass-assign-{GROUP_ID}",
        f"enpass-grant-{USER_A}",
        "enpass-sp",
    ]
    user_grant = h.inputs(run.monitor.requests[f"enpass-grant-{USER_A}"])
    assert user_grant["userObjectId"] == USER_A
    assert run.monitor.requests[f"enpass-grant-{USER_A}"].protect is True
    for name in (f"enpass-assign-{GROUP_ID}", f"enpass-assign-{USER_A}"):
        request = run.monitor.requests[name]
        assert request.protect is False and request.deletedWith == "" and list(request.ignoreChanges) == []
        values = h.inputs(request)
        assert values["appRoleId"] == catalog.DEFAULT_ACCESS_APP_ROLE_ID
        assert values["resourceObjectId"] == h.ENPASS_SP_OBJECT_ID
    assert h.inputs(run.monitor.requests[f"enpass-assign-{GROUP_ID}"])["principalObjectId"] == GROUP_ID
    assert h.inputs(run.monitor.requests["enpass-sp"])["appRoleAssignmentRequired"] is True


def test_adopt_ids_become_import_ids_and_the_sp_is_adopted_by_use_existing_only() -> None:
    config = h.default_config(
        groups=["Enpass Users"],
        adopt={
            "servicePrincipalObjectId": ADOPTED_SP,
            "grantId": "AVs6JuUDjkCFV7q2gd8QTPimBBgj5iBFj0C6GwwRxC0",
            "assignmentIds": {"Enpass Users": "UxOIjjUXr0WvIe4TRFgqTY4z9Wu5KxpBtlEpoTGjw-A"},
        },
    )
    run = build(config, groups={"Enpass Users": GROUP_ID})
    requests = run.monitor.requests
    assert requests["enpass-sp"].importId == ""
    assert h.inputs(requests["enpass-sp"])["useExisting"] is True
    assert requests["enpass-grant"].importId == "/oauth2PermissionGrants/AVs6JuUDjkCFV7q2gd8QTPimBBgj5iBFj0C6GwwRxC0"
    assert requests["enpass-assign-enpass-users"].importId == (
        f"/servicePrincipals/{ADOPTED_SP}/appRoleAssignedTo/UxOIjjUXr0WvIe4TRFgqTY4z9Wu5KxpBtlEpoTGjw-A"
    )


@pytest.mark.parametrize(
    "adopt",
    [
        {},
        {"servicePrincipalObjectId": ADOPTED_SP},
        {"grantId": "g-1"},
        {"servicePrincipalObjectId": ADOPTED_SP, "grantId": "g-1", "assignmentIds": {USER_A: "a-1"}},
    ],
    ids=["nothing", "sp id only", "grant only", "everything"],
)
@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_the_service_principal_is_never_imported(adopt: dict[str, Any], preview: bool) -> None:
    run = build(h.default_config(users=[USER_A], adopt=adopt), preview=preview)
    requests = run.monitor.requests
    assert requests["enpass-sp"].importId == ""
    grant_import = f"/oauth2PermissionGrants/{adopt['grantId']}" if "grantId" in adopt else ""
    assert requests["enpass-grant"].importId == grant_import
    assignment_import = f"/servicePrincipals/{ADOPTED_SP}/appRoleAssignedTo/a-1" if "assignmentIds" in adopt else ""
    assert requests[f"enpass-assign-{USER_A}"].importId == assignment_import


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_per_user_grants_in_full(preview: bool) -> None:
    scopes = ["offline_access", "User.Read", "Files.ReadWrite.AppFolder"]  # not the default list, not sorted
    config = h.default_config(
        tenantWideConsent=False,
        consentUsers=[USER_B, USER_A.upper()],
        users=[USER_A],
        scopes=scopes,
        adopt={"userGrantIds": {USER_A: "ug-a"}},
    )
    run = build(config, preview=preview)
    requests = run.monitor.requests
    assert "enpass-grant" not in requests
    # The SP's object id is known only once use_existing has found or created it: unknown in a preview.
    sp_object_id = h.UNKNOWN if preview else h.ENPASS_SP_OBJECT_ID
    for user_id, import_id in ((USER_A, "/oauth2PermissionGrants/ug-a"), (USER_B, "")):
        grant = requests[f"enpass-grant-{user_id}"]
        assert grant.type == h.GRANT_TYPE and grant.parent == component_urn()
        assert grant.importId == import_id
        assert grant.protect is True and grant.deletedWith == "" and list(grant.ignoreChanges) == []
        assert h.inputs(grant) == {
            "claimValues": ["Files.ReadWrite.AppFolder", "User.Read", "offline_access"],
            "resourceServicePrincipalObjectId": h.GRAPH_SP_OBJECT_ID,
            "servicePrincipalObjectId": sp_object_id,
            "userObjectId": user_id,
        }
    outputs = run.monitor.registered_outputs[component_urn()]
    # An imported grant's id is known in a preview (the mock names it after the import id); a new one is not.
    assert outputs["userGrantIds"] == {USER_A: "ug-a", USER_B: h.UNKNOWN if preview else f"enpass-grant-{USER_B}-id"}
    assert outputs["assignmentIds"] == {USER_A: h.UNKNOWN if preview else f"enpass-assign-{USER_A}-id"}
    assert outputs["servicePrincipalObjectId"] == sp_object_id
    assert "tenantWideGrantId" not in outputs  # None: no tenant-wide grant


def test_registered_outputs_of_the_tenant_wide_case() -> None:
    run = build(h.default_config(groups=["Team (EU)", GROUP_ID]), groups={"Team (EU)": GROUP_ID.replace("b", "d")})
    assert run.monitor.registered_outputs[component_urn()] == {
        "servicePrincipalObjectId": h.ENPASS_SP_OBJECT_ID,
        "tenantWideGrantId": "enpass-grant-id",
        "userGrantIds": {},
        "assignmentIds": {"Team (EU)": "enpass-assign-team-eu-id", GROUP_ID: f"enpass-assign-{GROUP_ID}-id"},
    }


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
def test_service_principal_settings(preview: bool) -> None:
    config = h.default_config(
        accountEnabled=False, hideFromMyApps=True, notificationEmails=["it@contoso.com", "Sec@contoso.com"]
    )
    sp_inputs = h.inputs(build(config, preview=preview).monitor.requests["enpass-sp"])
    assert sp_inputs["accountEnabled"] is False
    assert sp_inputs["featureTags"] == [{"enterprise": True, "hide": True}]
    assert sp_inputs["notificationEmailAddresses"] == ["it@contoso.com", "Sec@contoso.com"]
    assert "tags" not in sp_inputs and "owners" not in sp_inputs  # feature_tags alone decides the tags


def test_protect_false_still_retains_the_service_principal() -> None:
    run = build(h.default_config(protect=False))
    assert run.monitor.requests["enpass-sp"].protect is False
    assert run.monitor.requests["enpass-sp"].retainOnDelete is True
    assert run.monitor.requests["enpass-grant"].protect is False


def test_args_refuse_an_unresolved_group_name() -> None:
    desired = settings.parse(h.config_strings(h.default_config(groups=["Enpass Users"])))
    with pytest.raises(ValueError) as caught:
        EnpassConsentArgs(desired, h.GRAPH_SP_OBJECT_ID, {})
    assert str(caught.value) == "group_object_ids: no object id for group name 'Enpass Users'"
    with pytest.raises(ValueError) as caught:
        EnpassConsentArgs(desired, "", {"Enpass Users": GROUP_ID})
    assert str(caught.value) == "graph_service_principal_object_id: must be the Graph SP's object id (got '')"


def test_the_components_options_reach_it_and_a_protected_component_leaves_assignments_unprotected() -> None:
    # A program may protect the whole component; assignments stay deletable (they only restrict sign-in),
    # so they say protect=False rather than inherit the component's.
    desired = settings.parse(h.config_strings(h.default_config(protect=False, users=[USER_A])))

    def program() -> None:
        EnpassConsent(
            "enpass",
            EnpassConsentArgs(desired, h.GRAPH_SP_OBJECT_ID, {}),
            pulumi.ResourceOptions(protect=True),
        )

    requests = h.run_program(h.default_config(), program=program).monitor.requests
    assert requests["enpass"].protect is True
    assert requests[f"enpass-assign-{USER_A}"].protect is False


def test_the_children_are_exposed_as_attributes() -> None:
    desired = settings.parse(
        h.config_strings(h.default_config(tenantWideConsent=False, consentUsers=[USER_B, USER_A], users=[USER_A]))
    )
    built: list[EnpassConsent] = []

    def program() -> None:
        built.append(EnpassConsent("enpass", EnpassConsentArgs(desired, h.GRAPH_SP_OBJECT_ID, {})))

    h.run_program(h.default_config(), program=program)
    (component,) = built
    assert component.tenant_wide_grant is None and component.tenant_wide_grant_id is None
    assert sorted(component.user_grants) == [USER_A, USER_B]
    assert list(component.assignments) == [USER_A]
