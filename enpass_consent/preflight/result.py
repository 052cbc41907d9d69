"""Preflight's outcome per tenant and for the run (the ``enpass-consent.preflight/v1`` document)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from enpass_consent import documents

SCHEMA = "enpass-consent.preflight/v1"


class CheckStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"
    """The check could not decide (what it needs cannot be read): never a false ``fail``. Added within v1."""


class TenantStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"


@dataclass(frozen=True)
class Check:
    """One check: ``fix`` says what to do when it does not pass (empty when it passes)."""

    id: str
    status: CheckStatus
    message: str
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status.value, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class TenantPreflight:
    stack: str
    tenant_id: str | None
    status: TenantStatus
    error: str | None = None
    checks: tuple[Check, ...] = ()

    @classmethod
    def checked(cls, stack: str, tenant_id: str, checks: Sequence[Check]) -> TenantPreflight:
        statuses = {check.status for check in checks}
        if CheckStatus.FAIL in statuses:
            status = TenantStatus.FAIL
        elif statuses & {CheckStatus.WARN, CheckStatus.UNKNOWN}:  # not known to pass: someone must look
            status = TenantStatus.WARN
        else:
            status = TenantStatus.PASS
        return cls(stack, tenant_id, status, None, tuple(checks))

    @classmethod
    def failed(cls, stack: str, tenant_id: str | None, error: str) -> TenantPreflight:
        return cls(stack, tenant_id, TenantStatus.ERROR, error, ())

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "tenantId": self.tenant_id,
            "status": self.status.value,
            "error": self.error,
            "checks": [check.to_json() for check in self.checks],
        }


@dataclass(frozen=True)
class PreflightReport:
    tenants: tuple[TenantPreflight, ...]
    generated_at: datetime.datetime = field(default_factory=documents.now)

    def count(self, status: TenantStatus) -> int:
        return sum(1 for tenant in self.tenants if tenant.status is status)

    @property
    def exit_code(self) -> int:
        """0 every tenant passes, 2 warnings or failed checks and no errors, 1 any error."""
        if self.count(TenantStatus.ERROR):
            return 1
        return 2 if self.count(TenantStatus.WARN) or self.count(TenantStatus.FAIL) else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generatedAt": documents.timestamp(self.generated_at),
            "tenants": [tenant.to_json() for tenant in self.tenants],
            "summary": {
                "tenants": len(self.tenants),
                **{status.value: self.count(status) for status in TenantStatus},
            },
        }
