"""The audit's outcome per tenant and for the run (the ``enpass-consent.audit/v1`` document)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from enpass_consent import documents
from enpass_consent.attribution.result import Attribution, LastChange
from enpass_consent.findings import Finding

SCHEMA = "enpass-consent.audit/v1"


class Status(StrEnum):
    IN_SYNC = "in_sync"
    DRIFT = "drift"
    ERROR = "error"


@dataclass(frozen=True)
class TenantResult:
    stack: str
    tenant_id: str | None
    status: Status
    error: str | None = None
    findings: tuple[Finding, ...] = ()
    attribution: Attribution = field(default_factory=Attribution.off)
    last_changes: tuple[LastChange | None, ...] | None = None
    """Aligned with ``findings`` when the audit log was read for them (``lastChange``); None: not read."""

    @classmethod
    def evaluated(cls, stack: str, tenant_id: str, findings: Sequence[Finding]) -> TenantResult:
        status = Status.DRIFT if any(f.is_drift for f in findings) else Status.IN_SYNC
        return cls(stack, tenant_id, status, None, tuple(findings))

    @classmethod
    def failed(cls, stack: str, tenant_id: str | None, error: str) -> TenantResult:
        return cls(stack, tenant_id, Status.ERROR, error, ())

    def with_attribution(
        self, attribution: Attribution, last_changes: tuple[LastChange | None, ...] | None = None
    ) -> TenantResult:
        return replace(self, attribution=attribution, last_changes=last_changes)

    def last_change(self, index: int) -> LastChange | None:
        return self.last_changes[index] if self.last_changes is not None else None

    def findings_json(self) -> list[dict[str, Any]]:
        """The findings; each with ``lastChange`` (an object or null) when the audit log was read for them."""
        if self.last_changes is None:
            return [f.to_json() for f in self.findings]
        return [
            {**f.to_json(), "lastChange": change.to_json() if change else None}
            for f, change in zip(self.findings, self.last_changes, strict=True)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "tenantId": self.tenant_id,
            "status": self.status.value,
            "error": self.error,
            "findings": self.findings_json(),
            "attribution": self.attribution.to_json(),
        }


@dataclass(frozen=True)
class AuditReport:
    tenants: tuple[TenantResult, ...]
    generated_at: datetime.datetime = field(default_factory=documents.now)

    def count(self, status: Status) -> int:
        return sum(1 for t in self.tenants if t.status is status)

    @property
    def exit_code(self) -> int:
        """0 everything in sync, 2 drift and no errors, 1 any error."""
        if self.count(Status.ERROR):
            return 1
        return 2 if self.count(Status.DRIFT) else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generatedAt": documents.timestamp(self.generated_at),
            "tenants": [t.to_json() for t in self.tenants],
            "summary": {
                "tenants": len(self.tenants),
                "inSync": self.count(Status.IN_SYNC),
                "drift": self.count(Status.DRIFT),
                "error": self.count(Status.ERROR),
            },
        }
