"""Helpers shared by the checks: the failed permission check every 403 becomes."""

from __future__ import annotations

from enpass_consent.preflight.permissions import Requirement
from enpass_consent.preflight.result import Check, CheckStatus
from enpass_consent.preflight.token_claims import SignedInIdentity

PERMISSIONS_DOC = "docs/permissions.md"


def permission_failure(
    check_id: str, requirement: Requirement, what: str = "", *, identity: SignedInIdentity | None = None
) -> Check:
    """A 403 during preflight: a failed check naming the missing permission, never an error.

    The fix says which kind of permission it is: for a signed-in person a delegated scope, consented
    for the client they sign in with; for an app an application permission granted to that app.
    """
    subject = f" ({what})" if what else ""
    if identity is not None and identity.delegated:
        return Check(
            check_id,
            CheckStatus.FAIL,
            f"Graph refused to {requirement.purpose}{subject} (403): the sign-in lacks the delegated scope "
            f"{requirement.describe()}, or the signed-in user's own role does not allow the read.",
            f"Consent the delegated Microsoft Graph scope {requirement.least_privileged} for the client you sign in "
            f"with ({identity.client_id}): preflight asks for it on sign-in, and an administrator can approve it "
            f"for the organization there; see {PERMISSIONS_DOC}.",
        )
    return Check(
        check_id,
        CheckStatus.FAIL,
        f"Graph refused to {requirement.purpose}{subject} (403): the identity needs {requirement.describe()}.",
        f"Grant the Microsoft Graph application permission {requirement.least_privileged} to this app (with admin "
        f"consent) and run preflight again; see {PERMISSIONS_DOC}.",
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
