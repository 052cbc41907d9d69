"""The outcome per tenant and for the run (the ``enpass-consent.init/v1`` document)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from enpass_consent import documents
from enpass_consent.exit_codes import EXIT_DRIFT, EXIT_ERROR, EXIT_OK
from enpass_consent.findings import Finding

SCHEMA = "enpass-consent.init/v1"


class Status(StrEnum):
    DESCRIBED = "described"
    """The stack file holds everything the tenant has (or, not read, everything asked for)."""
    LEFT_OUT = "left_out"
    """The tenant holds something settings cannot: listed in ``leftOut``; the first ``up`` or a clean-up changes it."""
    ERROR = "error"


@dataclass(frozen=True)
class StackResult:
    tenant: str
    """The tenant as given (an id or a domain)."""
    status: Status
    stack: str | None = None
    tenant_id: str | None = None
    line: int | None = None
    """The row's line in the CSV file; None for ``--tenant``."""
    error: str | None = None
    file: str | None = None
    content: str | None = None
    """The stack file's text (written, or what a dry run would write)."""
    written: bool = False
    stack_created: bool = False
    stack_init: str | None = None
    """The ``pulumi stack init`` still to run; None once the stack was created (or on error)."""
    left_out: tuple[Finding, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "tenant": self.tenant,
            "tenantId": self.tenant_id,
            "line": self.line,
            "status": self.status.value,
            "error": self.error,
            "file": self.file,
            "written": self.written,
            "stackCreated": self.stack_created,
            "stackInit": self.stack_init,
            "leftOut": [f.to_json() for f in self.left_out],
            "content": self.content,
        }


@dataclass(frozen=True)
class InitReport:
    stacks: tuple[StackResult, ...]
    from_tenant: bool
    write: bool
    generated_at: datetime.datetime = field(default_factory=documents.now)

    def count(self, status: Status) -> int:
        return sum(1 for s in self.stacks if s.status is status)

    @property
    def exit_code(self) -> int:
        """0 everything described, 2 something left out and no error, 1 any error."""
        if self.count(Status.ERROR):
            return EXIT_ERROR
        return EXIT_DRIFT if self.count(Status.LEFT_OUT) else EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "generatedAt": documents.timestamp(self.generated_at),
            "fromTenant": self.from_tenant,
            "write": self.write,
            "stacks": [s.to_json() for s in self.stacks],
            "summary": {
                "stacks": len(self.stacks),
                "described": self.count(Status.DESCRIBED),
                "leftOut": self.count(Status.LEFT_OUT),
                "error": self.count(Status.ERROR),
                "written": sum(1 for s in self.stacks if s.written),
                "stacksCreated": sum(1 for s in self.stacks if s.stack_created),
            },
        }
