"""The component's inputs and options, through a recording mock monitor (no engine)."""

from __future__ import annotations

from typing import Any

import pytest

from components import TYPE_TOKEN, EnpassConsent, EnpassConsentArgs
from enpass_consent import catalog, settings
from tests.support import pulumi_harness as h

USER_A = "aaaaaaaa-0000-4000-8000-000000000001"
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
    assert sp_inputs["clientId"] == catalog.ENPASS_APP_ID
    assert sp_inputs["useExisting"] is True
    assert sp_inputs["appRoleAssignmentRequired"] is False
    assert sp_inputs["featureTags"] == [{"enterprise": True}]
    assert "Managed as code" in sp_inputs["notes"]

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


def test_adopt_ids_become_import_ids() -> None:
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
    assert requests["enpass-sp"].importId == ADOPTED_SP
    assert requests["enpass-grant"].importId == "/oauth2PermissionGrants/AVs6JuUDjkCFV7q2gd8QTPimBBgj5iBFj0C6GwwRxC0"
    assert requests["enpass-assign-enpass-users"].importId == (
        f"/servicePrincipals/{ADOPTED_SP}/appRoleAssignedTo/UxOIjjUXr0WvIe4TRFgqTY4z9Wu5KxpBtlEpoTGjw-A"
    )


def test_protect_false_still_retains_the_service_principal() -> None:
    run = build(h.default_config(protect=False))
    assert run.monitor.requests["enpass-sp"].protect is False
    assert run.monitor.requests["enpass-sp"].retainOnDelete is True
    assert run.monitor.requests["enpass-grant"].protect is False


def test_args_refuse_an_unresolved_group_name() -> None:
    desired = settings.parse(h.config_strings(h.default_config(groups=["Enpass Users"])))
    with pytest.raises(ValueError, match="group_object_ids: no object id for group name 'Enpass Users'"):
        EnpassConsentArgs(desired, h.GRAPH_SP_OBJECT_ID, {})
    with pytest.raises(ValueError, match="graph_service_principal_object_id"):
        EnpassConsentArgs(desired, "", {"Enpass Users": GROUP_ID})


def test_children_are_registered_after_the_component() -> None:
    run = build(h.default_config(users=[USER_A]))
    order = [n for n in run.monitor.order if n in run.monitor.program_requests()]
    assert order[0] == "enpass"
