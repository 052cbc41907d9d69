"""The JSON pieces attribution adds: a tenant's ``attribution`` and a finding's ``lastChange``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class AttributionStatus(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"
    OFF = "off"


@dataclass(frozen=True)
class Attribution:
    """Whether the tenant's findings were joined with its audit log; ``since`` is the window's start."""

    status: AttributionStatus
    since: str | None = None
    reason: str | None = None

    @classmethod
    def off(cls) -> Attribution:
        return cls(AttributionStatus.OFF)

    @classmethod
    def unavailable(cls, since: str | None, reason: str) -> Attribution:
        return cls(AttributionStatus.UNAVAILABLE, since, reason)

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "since": self.since, "reason": self.reason}


@dataclass(frozen=True)
class LastChange:
    """The most recent audit event that explains a finding. Nothing from ``additionalDetails``."""

    activity: str
    at: str
    actor: str
    actor_id: str | None
    result: str
    correlation_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "at": self.at,
            "actor": self.actor,
            "actorId": self.actor_id,
            "result": self.result,
            "correlationId": self.correlation_id,
        }

    def describe(self) -> str:
        """The reports' line: ``changed by X at T (activity)`` (escape it for the format it goes into)."""
        from enpass_consent.render import printable

        return printable(f"changed by {self.actor} at {self.at} ({self.activity})")
