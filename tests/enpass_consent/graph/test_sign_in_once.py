"""One device-code sign-in serves every selected tenant; only a tenant that demands it asks again."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from enpass_consent import catalog, clouds
from enpass_consent.audit.result import Status as TenantStatus
from enpass_consent.audit.run import audit_stacks
from enpass_consent.emulator import Emulator, Kind, decode_claims, scenarios
from enpass_consent.emulator.state import User
from enpass_consent.graph import scopes
from enpass_consent.graph.errors import ConsentRequiredError
from enpass_consent.graph.factory import GraphFactory

CLI_TOOLS = catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID
MSP = "0a500000-0000-4000-8000-000000000000"
CUSTOMERS = [f"c0570000-0000-4000-8000-00000000000{n}" for n in range(1, 6)]
STACKS = [f"customer-{n}" for n in range(1, 6)]


class Screen:
    """Records prompts and whether each was shown while the progress display was paused."""

    def __init__(self) -> None:
        self.prompts: list[tuple[str, bool]] = []
        self.paused = False
        self.lock = threading.Lock()
        self.overlapping = False

    def prompt(self, message: str) -> None:
        self.prompts.append((message, self.paused))

    @contextlib.contextmanager
    def pause(self) -> Iterator[None]:
        with self.lock:
            if self.paused:
                self.overlapping = True
            self.paused = True
        try:
            yield
        finally:
            self.paused = False


def fleet(emulator: Emulator, project: Path, *, access: list[str] | None = None) -> User:
    """The MSP's technician; five customers where they are a guest or have GDAP, Graph CLI Tools consented."""
    msp = emulator.add_tenant(scenarios.empty_tenant(MSP))
    technician = msp.users[(msp.signed_in_user_id or "").lower()]
    emulator.login.device_user = technician.user_principal_name
    project.mkdir(parents=True, exist_ok=True)
    (project / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    for index, (tenant_id, stack) in enumerate(zip(CUSTOMERS, STACKS, strict=True)):
        tenant = emulator.add_tenant(scenarios.in_sync_tenant(tenant_id))
        kind = (access or ["guest", "gdap", "guest", "gdap", "guest"])[index]
        if kind == "guest":
            scenarios.add_guest(tenant, technician, home_tenant_id=MSP)
        elif kind == "gdap":
            scenarios.grant_gdap(tenant, technician)
        # Consented earlier for the client (audit's scopes and one more it will not ask for).
        scenarios.consent_client(tenant, CLI_TOOLS, *scopes.for_command("audit"), "User.ReadWrite.All")
        (project / f"Pulumi.{stack}.yaml").write_text(f"config:\n  azuread:tenantId: {tenant_id}\n")
    return technician


def run_audit(
    emulator: Emulator, project: Path, screen: Screen, *, concurrency: int = 5
) -> dict[str, tuple[TenantStatus, str | None]]:
    with GraphFactory(
        emulator.env(),
        5,
        command="audit",
        is_terminal=lambda: True,
        prompt=screen.prompt,
        pause=screen.pause,
        which=lambda name, path: None,
    ) as factory:
        report = audit_stacks(project, STACKS, factory, concurrency=concurrency, environ=emulator.env())
        tokens = [factory.token_provider(_endpoints(emulator), tenant).get_token() for tenant in CUSTOMERS[:1]]
    assert all(decode_claims(token)["scp"].split() == list(scopes.for_command("audit")) for token in tokens)
    return {tenant.stack: (tenant.status, tenant.error) for tenant in report.tenants}


def _endpoints(emulator: Emulator) -> object:
    from enpass_consent import clouds

    return clouds.endpoints(clouds.GLOBAL, emulator.env())


def test_one_sign_in_serves_five_tenants(emulator: Emulator, tmp_path: Path) -> None:
    fleet(emulator, tmp_path)
    screen = Screen()
    outcomes = run_audit(emulator, tmp_path, screen)
    assert outcomes == dict.fromkeys(STACKS, (TenantStatus.IN_SYNC, None))
    assert emulator.recorder.count(kind=Kind.DEVICE_CODE) == 1
    ((message, paused),) = screen.prompts
    assert paused
    tenant_id = next(t for t in CUSTOMERS if f"tenant {t} (stack {STACKS[CUSTOMERS.index(t)]})" in message)
    assert message.startswith(f"Sign in for tenant {tenant_id} (stack ")
    assert "This one sign-in is used for every selected tenant" in message
    assert "enter the code" in message
    # The other four tenants: one silent refresh-token grant each (no prompt).
    assert len(emulator.recorder.requests(kind=Kind.TOKEN)) == 5


def test_only_a_tenant_demanding_its_own_sign_in_asks_again(emulator: Emulator, tmp_path: Path) -> None:
    fleet(emulator, tmp_path)
    emulator.tenant(CUSTOMERS[2]).interaction_required = True  # Conditional Access: MFA there
    screen = Screen()
    outcomes = run_audit(emulator, tmp_path, screen, concurrency=1)  # the stacks' order: customer-1 signs in first
    assert set(outcomes.values()) == {(TenantStatus.IN_SYNC, None)}
    assert emulator.recorder.count(kind=Kind.DEVICE_CODE) == 2
    assert [paused for _, paused in screen.prompts] == [True, True] and not screen.overlapping
    first, second = (message for message, _ in screen.prompts)
    assert first.startswith(f"Sign in for tenant {CUSTOMERS[0]} (stack customer-1).")
    assert second.startswith(
        f"Tenant {CUSTOMERS[2]} (stack customer-3) needs its own sign-in: multi-factor authentication is required there."
    )


def test_a_tenant_without_the_account_fails_without_a_prompt(emulator: Emulator, tmp_path: Path) -> None:
    fleet(emulator, tmp_path, access=["guest", "guest", "none", "guest", "guest"])
    screen = Screen()
    outcomes = run_audit_tolerant(emulator, tmp_path, screen)  # one at a time, in the stacks' order
    status, error = outcomes["customer-3"]
    assert status is TenantStatus.ERROR and error is not None
    assert f"your account has no access to tenant {CUSTOMERS[2]} (stack customer-3)" in error
    assert "AADSTS50020" in error
    assert emulator.recorder.count(kind=Kind.DEVICE_CODE) == 1 and len(screen.prompts) == 1
    assert {outcomes[stack][0] for stack in STACKS if stack != "customer-3"} == {TenantStatus.IN_SYNC}


def run_audit_tolerant(emulator: Emulator, project: Path, screen: Screen) -> dict[str, tuple[TenantStatus, str | None]]:
    with GraphFactory(
        emulator.env(), 5, command="audit", is_terminal=lambda: True, prompt=screen.prompt, pause=screen.pause,
        which=lambda name, path: None,
    ) as factory:  # fmt: skip
        report = audit_stacks(project, STACKS, factory, concurrency=1, environ=emulator.env())
    return {tenant.stack: (tenant.status, tenant.error) for tenant in report.tenants}


def test_the_audit_logs_token_is_redeemed_silently_or_refused_with_consent_required(
    emulator: Emulator, tmp_path: Path
) -> None:
    fleet(emulator, tmp_path)
    scenarios.consent_client(emulator.tenant(CUSTOMERS[0]), CLI_TOOLS, "AuditLog.Read.All")  # not CUSTOMERS[1]
    screen = Screen()
    endpoints = clouds.endpoints(clouds.GLOBAL, emulator.env())
    with GraphFactory(
        emulator.env(), 2, command="audit", is_terminal=lambda: True, prompt=screen.prompt, which=lambda n, p: None
    ) as factory:
        consenting, refusing = (factory.client(endpoints, tenant) for tenant in CUSTOMERS[:2])
        signed_in = consenting.token_source.get_token()  # the one device flow, the audit's scopes
        audit_log = factory.audit_log_client(consenting).token_source.get_token()
        with pytest.raises(ConsentRequiredError) as refused:
            factory.audit_log_client(refusing).token_source.get_token()
        assert refusing.token_source.get_token()  # the audit's own token there is unaffected
    assert decode_claims(signed_in)["scp"].split() == list(scopes.for_command("audit"))
    assert decode_claims(audit_log)["scp"].split() == ["AuditLog.Read.All", "Directory.Read.All"]
    assert (refused.value.client_id, refused.value.scopes) == (CLI_TOOLS, ("AuditLog.Read.All", "Directory.Read.All"))
    assert refused.value.error_code == "consent_required" and "AADSTS65001" in str(refused.value)
    # Silent only: one device flow, one prompt, and no consent was added where it was missing.
    assert emulator.recorder.count(kind=Kind.DEVICE_CODE) == 1 and len(screen.prompts) == 1
    assert "AuditLog.Read.All" not in emulator.tenant(CUSTOMERS[1]).consented(CLI_TOOLS)
