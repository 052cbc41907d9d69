"""What preflight read from one tenant, with each read's outcome kept apart from failures.

A read is :class:`Found` (its JSON body), :class:`Missing` (404 where absence is an answer, such as a
group id that does not exist) or :class:`Denied` (403: a failed permission check, naming what to grant).
Every other failure aborts the tenant before this state exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from enpass_consent.audit.state import TenantState
from enpass_consent.preflight.permissions import Requirement
from enpass_consent.preflight.token_claims import SignedInIdentity


@dataclass(frozen=True)
class Found:
    body: Mapping[str, Any]

    @property
    def values(self) -> list[Mapping[str, Any]]:
        """The items of a collection body (merged pages)."""
        value = self.body.get("value")
        return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


@dataclass(frozen=True)
class Missing:
    """Graph answered 404."""


@dataclass(frozen=True)
class Denied:
    """Graph answered 403: the identity lacks ``requirement``."""

    requirement: Requirement


Outcome = Found | Missing | Denied


@dataclass(frozen=True)
class PreflightState:
    identity: SignedInIdentity
    reads: Mapping[str, Outcome]
    """Outcomes keyed by the read ids of :mod:`enpass_consent.preflight.collect`."""
    enpass: TenantState | Denied
    """The Enpass SP, grants and assignments as ``audit`` reads them, or the permission that was missing."""
    group_object_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """For each ``groups`` entry as written: the object ids of the security groups it names (one when valid)."""

    def read(self, read_id: str) -> Outcome | None:
        return self.reads.get(read_id)
