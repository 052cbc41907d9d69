"""``audit --attribution`` with a person's device-code sign-in: the audit-log token is silent or goes without.

The person signs in once (one device flow, the audit's named scopes). Each tenant with findings then needs
a token for AuditLog.Read.All and Directory.Read.All, redeemed silently from that sign-in's refresh token:
where the sign-in client has consent to them, attribution works with no second device flow; where it has
not, Entra answers AADSTS65001 (consent_required) and the tenant's attribution is ``unavailable``,
naming the missing consent, with findings and exit code as without the option and no prompt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from enpass_consent import catalog
from enpass_consent.audit.result import AuditReport, Status
from enpass_consent.audit.run import audit_stacks
from enpass_consent.emulator import Emulator, Kind, audit_events, scenarios
from enpass_consent.emulator.audit_events import ago
from enpass_consent.emulator.state import Tenant, User
from enpass_consent.graph import scopes
from enpass_consent.graph.credentials import DeviceCode
from enpass_consent.graph.factory import GraphFactory

CLI_TOOLS = catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID
MSP = "14b00000-0000-4000-8000-000000000000"
CONSENTED = "14b00000-0000-4000-8000-000000000001"
NOT_CONSENTED = "14b00000-0000-4000-8000-000000000002"
STACKS = {CONSENTED: "consented", NOT_CONSENTED: "not-consented"}


def fleet(emulator: Emulator, project: Path, *, audit_log_consented: dict[str, bool]) -> dict[str, User]:
    """The MSP's technician, a guest in each customer; each customer has drift that its audit log explains.

    Graph Command Line Tools has consent to the audit's scopes everywhere, and to the audit log's where
    ``audit_log_consented`` says so. Returns the administrator who made each tenant's change.
    """
    msp = emulator.add_tenant(scenarios.empty_tenant(MSP))
    technician = msp.users[(msp.signed_in_user_id or "").lower()]
    emulator.login.device_user = technician.user_principal_name
    (project / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    admins: dict[str, User] = {}
    for tenant_id, consented in audit_log_consented.items():
        tenant: Tenant = emulator.add_tenant(scenarios.in_sync_tenant(tenant_id))
        scenarios.add_entra_id_p1(tenant)
        scenarios.add_guest(tenant, technician, home_tenant_id=MSP)
        scenarios.consent_client(tenant, CLI_TOOLS, *scopes.for_command("audit"))
        if consented:
            scenarios.consent_client(tenant, CLI_TOOLS, "AuditLog.Read.All", "Directory.Read.All")
        admins[tenant_id] = scenarios.add_user(tenant, "Admin")
        audit_events.admin_adds_scope(tenant, admins[tenant_id], "Mail.Read", at=ago(days=3))
        (project / f"Pulumi.{STACKS[tenant_id]}.yaml").write_text(f"config:\n  azuread:tenantId: {tenant_id}\n")
    return admins


def audit(emulator: Emulator, project: Path, prompts: list[str], *, attribution: bool) -> AuditReport:
    """What ``enpass-consent audit --all-stacks [--attribution]`` runs for a person at a terminal."""
    with GraphFactory(
        emulator.env(),
        2,
        command="audit",
        is_terminal=lambda: True,
        prompt=prompts.append,
        which=lambda name, path: None,
    ) as factory:
        assert isinstance(factory.credential, DeviceCode)
        return audit_stacks(
            project,
            sorted(STACKS.values()),
            factory,
            concurrency=1,
            environ=emulator.env(),
            attribution_days=30 if attribution else None,
        )


def tenant_json(report: AuditReport, tenant_id: str) -> dict[str, Any]:
    (tenant,) = [t.to_json() for t in report.tenants if t.tenant_id == tenant_id]
    return tenant


def test_consented_audit_log_scopes_are_acquired_silently(emulator: Emulator, tmp_path: Path) -> None:
    admins = fleet(emulator, tmp_path, audit_log_consented={CONSENTED: True})
    prompts: list[str] = []

    report = audit(emulator, tmp_path, prompts, attribution=True)

    tenant = tenant_json(report, CONSENTED)
    assert tenant["status"] == "drift"
    assert tenant["attribution"]["status"] == "ok" and tenant["attribution"]["reason"] is None
    (finding,) = [f for f in tenant["findings"] if f["code"] == "SCOPE_EXTRA"]
    assert finding["lastChange"]["activity"] == "Update delegated permission grant"
    assert finding["lastChange"]["actor"] == admins[CONSENTED].user_principal_name
    # One device flow (the audit's scopes); the audit log's token came from its refresh token, silently.
    assert emulator.recorder.count(kind=Kind.DEVICE_CODE) == 1 and len(prompts) == 1
    assert emulator.recorder.count(CONSENTED, Kind.BATCH) == 2
    # The emulator answers 403 unless the token's scp holds AuditLog.Read.All and Directory.Read.All; the
    # audit's own sign-in holds only the latter (scopes.for_command("audit")).
    reads = [item for item in emulator.recorder.items(CONSENTED) if "auditLogs" in item.path]
    assert reads and {item.status for item in reads} == {200}
    assert "AuditLog.Read.All" not in scopes.for_command("audit")


def test_without_consent_attribution_is_unavailable_and_nothing_else_changes(
    emulator: Emulator, tmp_path: Path
) -> None:
    fleet(emulator, tmp_path, audit_log_consented={CONSENTED: True, NOT_CONSENTED: False})
    without_prompts: list[str] = []
    without = audit(emulator, tmp_path, without_prompts, attribution=False)
    device_flows_without = emulator.recorder.count(kind=Kind.DEVICE_CODE)
    emulator.recorder.clear()
    prompts: list[str] = []

    report = audit(emulator, tmp_path, prompts, attribution=True)

    tenant = tenant_json(report, NOT_CONSENTED)
    attribution = tenant["attribution"]
    assert attribution["status"] == "unavailable"
    assert attribution["reason"] == (
        f"the sign-in client {CLI_TOOLS} has no consent to AuditLog.Read.All and Directory.Read.All in this tenant "
        "(AADSTS65001 consent_required), so the audit log was not read and nothing was asked: an administrator "
        "consents to them for that client, and the person needs a role that may read audit logs "
        "(docs/permissions.md#attribution)"
    )
    assert tenant["findings"] == tenant_json(without, NOT_CONSENTED)["findings"]  # no lastChange key at all
    assert tenant["status"] == "drift"
    assert report.exit_code == without.exit_code == 2
    # No prompt, no device flow beyond the one sign-in, no audit-log read in that tenant.
    assert emulator.recorder.count(kind=Kind.DEVICE_CODE) == device_flows_without == 1
    assert len(prompts) == len(without_prompts) == 1
    assert not any("auditLogs" in item.path for item in emulator.recorder.items(NOT_CONSENTED))
    # The consent the tenant lacked did not grow: the refused silent request consented nothing.
    assert "AuditLog.Read.All" not in emulator.tenant(NOT_CONSENTED).consented(CLI_TOOLS)
    # The other tenant, consented, is attributed in the same run.
    assert tenant_json(report, CONSENTED)["attribution"]["status"] == "ok"
    assert {t.status for t in report.tenants} == {Status.DRIFT}
