"""What a fleet run produced: one result per stack, the summary and the exit code (docs/reference.md#fleet-statuses)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from enpass_consent.attribution.result import Attribution, LastChange
from enpass_consent.exit_codes import EXIT_DRIFT, EXIT_ERROR, EXIT_OK
from enpass_consent.findings import Finding
from enpass_consent.graph.errors import shorten
from enpass_consent.graph.redact import scrub

MAX_ERROR_LENGTH = 400


class Operation(StrEnum):
    PREVIEW = "preview"
    UP = "up"
    DRIFT = "drift"


class Status(StrEnum):
    OK = "ok"
    CHANGES = "changes"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StackResult:
    """One stack's outcome; ``changes`` is the engine's change summary without ``same``."""

    stack: str
    status: Status
    changes: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None
    findings: tuple[Finding, ...] = ()
    attribution: Attribution | None = None
    """drift with an audit that reports it: whether the audit log was joined (``--attribution``)."""
    last_changes: tuple[LastChange | None, ...] | None = None
    """Aligned with ``findings`` when the audit log was read for them."""

    def last_change(self, index: int) -> LastChange | None:
        return self.last_changes[index] if self.last_changes is not None else None


@dataclass(frozen=True)
class FleetResult:
    operation: Operation
    stacks: tuple[StackResult, ...]

    def count(self, status: Status) -> int:
        return sum(1 for result in self.stacks if result.status is status)

    def summary(self) -> dict[str, int]:
        return {
            "stacks": len(self.stacks),
            "ok": self.count(Status.OK),
            "changes": self.count(Status.CHANGES),
            "failed": self.count(Status.FAILED),
            "skipped": self.count(Status.SKIPPED),
        }

    @property
    def exit_code(self) -> int:
        """1 on any failure (a skipped stack implies a failed canary), 2 on changes, else 0."""
        if self.count(Status.FAILED) or self.count(Status.SKIPPED):
            return EXIT_ERROR
        if self.count(Status.CHANGES):
            return EXIT_DRIFT
        return EXIT_OK


def changes_of(change_summary: Mapping[Any, int] | None) -> dict[str, int]:
    """The engine's change summary without ``same`` (and without zero counts), sorted by operation.

    Keys arrive as plain strings from the event JSON, but the SDK types them as its ``OpType`` enum.
    """
    if not change_summary:
        return {}
    changes: dict[str, int] = {}
    for op, count in change_summary.items():
        name = str(op.value if isinstance(op, Enum) else op)
        if name != "same" and int(count) != 0:
            changes[name] = int(count)
    return dict(sorted(changes.items()))


def engine_status(operation: Operation, changes: Mapping[str, int], findings: Sequence[Finding] = ()) -> Status:
    """A successful stack's status: ``up`` is ``ok`` (its changes are applied), otherwise changes count."""
    if operation is Operation.UP:
        return Status.OK
    if changes or any(finding.is_drift for finding in findings):
        return Status.CHANGES
    return Status.OK


def short_message(text: str) -> str:
    """One readable line: whitespace collapsed, secrets redacted, length bounded."""
    return shorten(scrub(text), MAX_ERROR_LENGTH) or "failed (no message)"
