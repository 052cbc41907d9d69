"""Acceptance: consent clicked through -> ``adopt --write`` -> the program imports exactly those objects.

The tenant has the Enpass SP, the tenant-wide grant and an assignment of a group given by name (what
the portal's consent and "Users and groups" leave behind). After ``enpass-consent adopt --write`` the
Pulumi program, run under mocks with that stack file's config, registers the grant and the assignment
with ``import`` ids built from the discovered ids and the SP without one (``use_existing`` adopts it),
and the file's comments are still there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from enpass_consent import stackfile
from enpass_consent.cli import main
from enpass_consent.emulator import Emulator, scenarios
from tests.enpass_consent.preflight.tenants import TENANT, sign_in
from tests.support import pulumi_harness as h

STACK_FILE = f"""\
# Contoso: Enpass consent, clicked through in 2025 and now managed as code.
config:
  azuread:tenantId: {TENANT}   # Contoso's tenant, pinned here
  # Only the Enpass Users security group may sign in.
  enpass-consent:groups:
    - Enpass Users
"""


def test_adopted_ids_become_import_ids(
    emulator: Emulator, emulator_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT, assignment_required=True))
    group = scenarios.add_group(tenant, "Enpass Users")
    assignment = scenarios.assign(tenant, group)
    grant = scenarios.tenant_wide_grant(tenant)
    sp_id = scenarios.enpass_sp(tenant).id
    assert grant is not None
    sign_in(monkeypatch)
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    path = tmp_path / "Pulumi.contoso.yaml"
    path.write_text(STACK_FILE)

    assert main(["adopt", "--stack", "contoso", "--project-dir", str(tmp_path), "--write"]) == 0

    text = path.read_text()
    assert text.startswith(STACK_FILE)  # every comment and line kept; the block is appended
    config = stackfile.read(tmp_path, "contoso").config
    mocks = h.EntraMocks(groups={"Enpass Users": group.id}, existing_service_principal=sp_id)
    run = h.run_program(config, mocks=mocks)
    requests = run.monitor.requests
    assert requests["enpass-sp"].importId == ""  # never imported: use_existing adopts it
    assert h.inputs(requests["enpass-sp"])["useExisting"] is True
    assert requests["enpass-grant"].importId == f"/oauth2PermissionGrants/{grant.id}"
    assert requests["enpass-assign-enpass-users"].importId == (
        f"/servicePrincipals/{sp_id}/appRoleAssignedTo/{assignment.id}"
    )
    assert h.inputs(requests["enpass-assign-enpass-users"])["principalObjectId"] == group.id
    assert f"servicePrincipalObjectId: {sp_id}" in text
    assert run.outputs["servicePrincipalObjectId"] == sp_id  # what use_existing found
