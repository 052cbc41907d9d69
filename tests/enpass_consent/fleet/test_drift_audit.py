from __future__ import annotations

from pathlib import Path

import pytest

from enpass_consent.audit.result import TenantResult
from enpass_consent.fleet.drift_audit import StackAudit, default_audit

from .conftest import scope_extra


def test_default_audit_is_the_real_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    from enpass_consent.audit import run

    calls: list[tuple[Path, list[str]]] = []

    def audit_for_fleet(project_dir: Path, stacks: list[str]) -> dict[str, StackAudit]:
        calls.append((project_dir, stacks))
        return {stack: StackAudit(findings=(scope_extra("Mail.Read"),)) for stack in stacks}

    monkeypatch.setattr(run, "audit_for_fleet", audit_for_fleet)
    outcomes = default_audit(Path("proj"), ["contoso"])
    assert calls == [(Path("proj"), ["contoso"])]
    assert [f.actual for f in outcomes["contoso"].findings] == ["Mail.Read"]


def test_the_audit_tenant_result_is_an_audit_outcome(tmp_path: Path) -> None:
    """The audit's own per-tenant result plugs into fleet drift as it is."""
    from enpass_consent.fleet.plan import make_plan
    from enpass_consent.fleet.result import Operation, Status
    from enpass_consent.fleet.runner import run_fleet

    from .fake_pulumi import Behaviour, FakePulumiCommand

    def audit_for_fleet(project_dir: Path, stacks: list[str], /) -> dict[str, object]:
        return {
            "contoso": TenantResult.evaluated("contoso", "t", [scope_extra("Mail.Read")]),
            "fabrikam": TenantResult.failed("fabrikam", None, "sign-in failed"),
        }

    fake = FakePulumiCommand(Behaviour(stacks={"contoso": {"same": 1}, "fabrikam": {"same": 1}}))
    result = run_fleet(Operation.DRIFT, make_plan(["contoso", "fabrikam"]), tmp_path, fake, audit=audit_for_fleet)  # type: ignore[arg-type]
    assert [(s.status, s.error) for s in result.stacks] == [
        (Status.CHANGES, None),
        (Status.FAILED, "audit: sign-in failed"),
    ]
