"""Helpers shared by the checks: the failed permission check every 403 becomes."""

from __future__ import annotations

from enpass_consent.preflight.permissions import Requirement
from enpass_consent.preflight.result import Check, CheckStatus

PERMISSIONS_DOC = "docs/permissions.md"


def permission_failure(check_id: str, requirement: Requirement, what: str = "") -> Check:
    """A 403 during preflight: a failed check naming the missing permission, never an error."""
    subject = f" ({what})" if what else ""
    return Check(
        check_id,
        CheckStatus.FAIL,
        f"Graph refused to {requirement.purpose}{subject} (403): the identity needs {requirement.describe()}.",
        f"Grant the Microsoft Graph permission {requirement.least_privileged} to this identity (with admin "
        f"consent) and run preflight again; see {PERMISSIONS_DOC}.",
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
