"""Emulator tenants and stack files for the preflight and adopt tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from enpass_consent import catalog
from enpass_consent.cli import main
from enpass_consent.emulator import TEST_CLIENT_ID, TEST_CLIENT_SECRET, Tenant, scenarios
from enpass_consent.emulator.state import DEFAULT_CLIENT_ROLES, ClientApp
from enpass_consent.graph.credentials import CLIENT_ID, CLIENT_SECRET
from enpass_consent.preflight import permissions
from enpass_consent.service_principal import MANAGED_NOTE

TENANT = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "22222222-2222-3333-4444-555555555555"

# A deploying identity that may run `pulumi up` (adopting an existing SP) and read everything preflight reads.
WRITER_AND_READER_ROLES = [
    "Application.ReadWrite.All",
    permissions.WRITE_GRANTS.least_privileged,
    permissions.WRITE_ASSIGNMENTS.least_privileged,
    *DEFAULT_CLIENT_ROLES,
]

P1_SKU: dict[str, Any] = {
    "capabilityStatus": "Enabled",
    "consumedUnits": 3,
    "id": "48a80680-7326-48cd-9935-b556b81d3a4e_078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
    "prepaidUnits": {"enabled": 25, "suspended": 0, "warning": 0},
    "servicePlans": [
        {
            "servicePlanId": catalog.ENTRA_ID_P1_PLANS[0].service_plan_id,
            "servicePlanName": catalog.ENTRA_ID_P1_PLANS[0].name,
            "provisioningStatus": "Success",
            "appliesTo": "User",
        }
    ],
    "skuId": "078d2b04-f1bd-4111-bbd4-b4b1b354cef4",
    "skuPartNumber": "AAD_PREMIUM",
    "appliesTo": "User",
}


def set_roles(tenant: Tenant, roles: list[str]) -> None:
    tenant.add_client(ClientApp(TEST_CLIENT_ID, roles=list(roles)))


def ready_tenant(tenant_id: str = TENANT, *, group_name: str = "Enpass Users") -> Tenant:
    """Everything in place: SP (as `pulumi up` left it) + full tenant-wide grant, a licensed security group
    assigned, P1, a writer identity."""
    tenant = scenarios.in_sync_tenant(tenant_id, assignment_required=True)
    scenarios.enpass_sp(tenant).notes = MANAGED_NOTE
    set_roles(tenant, WRITER_AND_READER_ROLES)
    tenant.subscribed_skus.append(dict(P1_SKU))
    alice = scenarios.add_user(tenant, "Alice")
    group = scenarios.add_group(tenant, group_name, members=[alice.id])
    scenarios.assign(tenant, group)
    return tenant


def write_stack(project: Path, stack: str, config: dict[str, Any], *, header: str = "") -> Path:
    """Pulumi.yaml + Pulumi.<stack>.yaml with ``config`` (values written as YAML through JSON)."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n", encoding="utf-8")
    lines = [header] if header else []
    lines.append("config:")
    for key, value in config.items():
        lines.append(f"  {key}: {json.dumps(value)}")
    path = project / f"Pulumi.{stack}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLIENT_ID, TEST_CLIENT_ID)
    monkeypatch.setenv(CLIENT_SECRET, TEST_CLIENT_SECRET)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "eyJ" not in out + err, "an access token leaked into the output"
    assert TEST_CLIENT_SECRET not in out + err
    return code, out, err


def preflight_json(capsys: pytest.CaptureFixture[str], project: Path, *stacks: str) -> tuple[int, dict[str, Any]]:
    args = ["preflight", "--project-dir", str(project), "--format", "json"]
    for stack in stacks:
        args += ["--stack", stack]
    code, out, _ = run_cli(capsys, *args)
    return code, json.loads(out)


def checks_of(document: dict[str, Any], index: int = 0) -> dict[str, dict[str, str]]:
    return {check["id"]: check for check in document["tenants"][index]["checks"]}
