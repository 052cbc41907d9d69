"""The audit half of ``fleet drift``: what fleet needs from ``enpass_consent.audit``.

``fleet drift`` joins each stack's engine change summary (``pulumi preview --refresh``) with the
audit findings of that stack, because Pulumi only sees what it manages. The audit is injected as an
``Auditor``; the default is the real audit, imported lazily.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from enpass_consent.findings import Finding


class AuditOutcome(Protocol):
    """One stack's audit: its findings, or the error that kept it from being audited."""

    @property
    def findings(self) -> Sequence[Finding]: ...

    @property
    def error(self) -> str | None: ...


class Auditor(Protocol):
    """Audit ``stacks`` (desired state from ``project_dir``); one outcome per stack name.

    It must not raise for one tenant's failure (that stack's outcome carries ``error``); a stack
    missing from the returned mapping, or an exception, fails the stacks concerned.
    """

    def __call__(self, project_dir: Path, stacks: list[str], /) -> Mapping[str, AuditOutcome]: ...


@dataclass(frozen=True)
class StackAudit:
    """A plain ``AuditOutcome``."""

    findings: tuple[Finding, ...] = ()
    error: str | None = None


def default_audit(project_dir: Path, stacks: list[str], /) -> Mapping[str, AuditOutcome]:
    """The real audit (``enpass_consent.audit.run.audit_for_fleet``), imported only when drift needs it."""
    from enpass_consent.audit.run import audit_for_fleet

    return audit_for_fleet(project_dir, stacks)
