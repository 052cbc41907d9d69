"""The audit's outcome per tenant and for the run (the ``enpass-consent.audit/v1`` document)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from enpass_consent import documents
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

    @classmethod
    def evaluated(cls, stack: str, tenant_id: str, findings: Sequence[Finding]) -> TenantResult:
        status = Status.DRIFT if any(f.is_drift for f in findings) else Status.IN_SYNC
        return cls(stack, tenant_id, status, None, tuple(findings))

    @classmethod
    def failed(cls, stack: str, tenant_id: str | None, error: str) -> TenantResult:
        return cls(stack, tenant_id, Status.ERROR, error, ())

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "tenantId": self.tenant_id,
            "status": self.status.value,
            "error": self.error,
            "findings": [f.to_json() for f in self.findings],
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
