from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

import pytest

from enpass_consent.findings import Finding, Severity, finding
from enpass_consent.fleet.drift_audit import AuditOutcome, StackAudit


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    """A Pulumi project folder with stack files for contoso, fabrikam and northwind."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.example.yaml").write_text("config: {}\n", encoding="utf-8")
    for stack in ("contoso", "fabrikam", "northwind"):
        (folder / f"Pulumi.{stack}.yaml").write_text("config: {}\n", encoding="utf-8")
    return folder


class FakeAudit:
    """An ``Auditor``: fixed outcomes per stack; records each call's stack list."""

    def __init__(self, outcomes: Mapping[str, AuditOutcome] | None = None, raises: Exception | None = None) -> None:
        self.outcomes = dict(outcomes or {})
        self.raises = raises
        self.calls: list[list[str]] = []
        self._lock = threading.Lock()

    def __call__(self, project_dir: Path, stacks: list[str], /) -> Mapping[str, AuditOutcome]:
        with self._lock:
            self.calls.append(list(stacks))
        if self.raises is not None:
            raise self.raises
        return {stack: self.outcomes.get(stack, StackAudit()) for stack in stacks}

    @property
    def audited(self) -> list[str]:
        return [stack for call in self.calls for stack in call]


def scope_extra(scope: str, severity: Severity | None = None) -> Finding:
    return finding(
        "SCOPE_EXTRA",
        f"The grant holds {scope}, which the stack does not ask for.",
        object_id="grant-1",
        actual=scope,
        severity=severity,
    )
