"""The file init writes, run through the real program under Pulumi's mock runtime and the policy pack.

What exists is imported, nothing is created: every grant and assignment the program registers carries
the import id of the object init found, and the service principal is adopted with ``use_existing``
(never imported). Every policy passes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from enpass_consent import catalog, stackfile
from enpass_consent.audit.state import AppRoleAssignment, Grant, ServicePrincipal, TenantState
from enpass_consent.init import stack_text
from enpass_consent.init.describe import describe
from tests.policy import conftest as _policy_on_path  # noqa: F401 - puts policy/ on sys.path, as for the pack's tests
from tests.policy.program import analyze
from tests.support import pulumi_harness as h

TENANT = h.TENANT_ID
SP = h.ENPASS_SP_OBJECT_ID
GRAPH = h.GRAPH_SP_OBJECT_ID
ALICE = "0a000000-0000-4000-8000-0000000000a1"
BOB = "0b000000-0000-4000-8000-0000000000b2"
TEAM = "6a000000-0000-4000-8000-000000000001"
ROLE = catalog.DEFAULT_ACCESS_APP_ROLE_ID


def assigned_groups_and_users() -> TenantState:
    return TenantState(
        ServicePrincipal(SP, catalog.ENPASS_APP_ID, True, True, tags=(catalog.ENTERPRISE_APP_TAG,)),
        GRAPH,
        (Grant("g-all", "AllPrincipals", None, GRAPH, (*catalog.ENPASS_SCOPE_NAMES, "openid", "Mail.Read")),),
        assigned_to=(
            AppRoleAssignment("a-team", ROLE, TEAM, "Group", "Team (EU)", SP),
            AppRoleAssignment("a-alice", ROLE, ALICE, "User", "Alice", SP),
        ),
    )


def per_user() -> TenantState:
    return TenantState(
        ServicePrincipal(SP, catalog.ENPASS_APP_ID, True, False),
        GRAPH,
        (
            Grant("g-alice", "Principal", ALICE, GRAPH, ("User.Read",)),
            Grant("g-bob", "Principal", BOB, GRAPH, ("User.Read", "offline_access")),
        ),
    )


def hidden_and_disabled() -> TenantState:
    sp = ServicePrincipal(
        SP, catalog.ENPASS_APP_ID, False, False, tags=("HideApp",), notification_email_addresses=("it@contoso.com",)
    )
    return TenantState(sp, GRAPH, (Grant("g-all", "AllPrincipals", None, GRAPH, catalog.ENPASS_SCOPE_NAMES),))


def written_config(tmp_path: Path, state: TenantState) -> dict[str, str]:
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n", encoding="utf-8")
    path = tmp_path / "Pulumi.contoso.yaml"
    path.write_bytes(stack_text.render("contoso", path, describe(TENANT, None, "contoso.com", state)))
    return stackfile.read(tmp_path, "contoso").config


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize(
    ("state", "imports"),
    [
        (
            assigned_groups_and_users,
            {
                "enpass-grant": "/oauth2PermissionGrants/g-all",
                f"enpass-assign-{TEAM}": f"/servicePrincipals/{SP}/appRoleAssignedTo/a-team",
                f"enpass-assign-{ALICE}": f"/servicePrincipals/{SP}/appRoleAssignedTo/a-alice",
            },
        ),
        (
            per_user,
            {
                f"enpass-grant-{ALICE}": "/oauth2PermissionGrants/g-alice",
                f"enpass-grant-{BOB}": "/oauth2PermissionGrants/g-bob",
            },
        ),
        (hidden_and_disabled, {"enpass-grant": "/oauth2PermissionGrants/g-all"}),
    ],
    ids=["groups-and-users", "per-user", "hidden-and-disabled"],
)
def test_the_written_stack_imports_what_exists_and_passes_every_policy(
    state: object, imports: dict[str, str], preview: bool, tmp_path: Path
) -> None:
    config = written_config(tmp_path, state())  # type: ignore[operator]
    run = h.run_program(config, preview=preview)

    grants_and_assignments = {**run.monitor.of_type(h.GRANT_TYPE), **run.monitor.of_type(h.ASSIGNMENT_TYPE)}
    assert {name: request.importId for name, request in grants_and_assignments.items()} == imports
    sp_request = run.monitor.requests["enpass-sp"]
    assert h.inputs(sp_request)["useExisting"] is True
    assert sp_request.importId == ""  # adopted by use_existing, never imported (its import id format varies)
    assert analyze(run) == []
