"""Finding codes and the uniform finding record.

The codes are a contract (docs/reference.md#finding-codes): add codes, never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Code:
    """One kind of finding: its default severity, what it means and what to do about it."""

    code: str
    severity: Severity
    meaning: str
    fix: str


_CODES = (
    Code(
        "SP_MISSING",
        Severity.HIGH,
        "The Enpass service principal does not exist in the tenant: nobody has consented yet.",
        "Run `pulumi up` on the stack, or send the tenant's admin `enpass-consent consent-url --tenant ID`.",
    ),
    Code(
        "SP_DISABLED",
        Severity.HIGH,
        "The Enpass service principal is disabled (accountEnabled false) although the stack enables it "
        "(`accountEnabled`, default true): no user can sign in to Enpass.",
        "Run `pulumi up` to enable it again; if Enpass is turned off on purpose, set `accountEnabled: false` in "
        "the stack file.",
    ),
    Code(
        "SP_ENABLED",
        Severity.HIGH,
        "The Enpass service principal is enabled although the stack turns Enpass off (`accountEnabled: false`): "
        "users can sign in to Enpass.",
        "Run `pulumi up` to disable it again, or set `accountEnabled: true` in the stack file if Enpass is wanted.",
    ),
    Code(
        "ASSIGNMENT_REQUIRED_MISMATCH",
        Severity.MEDIUM,
        "appRoleAssignmentRequired differs from the stack: either unassigned users are locked out, or the "
        "assignments restrict nothing.",
        "Run `pulumi up` to restore the stack's value, or change `assignmentRequired` in the stack file.",
    ),
    Code(
        "GRANT_MISSING",
        Severity.HIGH,
        "There is no tenant-wide (AllPrincipals) grant to Microsoft Graph: users see 'Need admin approval'.",
        "Run `pulumi up`. If tenant-wide consent was revoked on purpose, switch the stack to per-user consent "
        "(`tenantWideConsent: false` with `consentUsers`) or retire the stack.",
    ),
    Code(
        "GRANT_UNEXPECTED",
        Severity.HIGH,
        "A tenant-wide grant exists although the stack asks for per-user consent only.",
        "Revoke it (Enterprise applications > Enpass > Permissions) or set `tenantWideConsent: true`.",
    ),
    Code(
        "SCOPE_MISSING",
        Severity.HIGH,
        "A configured scope is not granted: users get 'Need admin approval' when Enpass asks for it.",
        "Run `pulumi up` to restore the grant's scopes.",
    ),
    Code(
        "SCOPE_EXTRA",
        Severity.HIGH,
        "The grant holds a scope the stack does not ask for (sign-in scopes openid/profile/email: info).",
        "Run `pulumi up` to remove it, or add it to `scopes` after review.",
    ),
    Code(
        "USER_GRANT",
        Severity.MEDIUM,
        "A user consented to Enpass for themselves (a Principal grant for a user not in consentUsers).",
        "Review it; revoke with `DELETE /oauth2PermissionGrants/{id}` if it is not wanted.",
    ),
    Code(
        "USER_GRANT_MISSING",
        Severity.MEDIUM,
        "A user in consentUsers has no per-user grant.",
        "Run `pulumi up`.",
    ),
    Code(
        "FOREIGN_GRANT",
        Severity.HIGH,
        "Enpass holds a delegated grant on an API other than Microsoft Graph; Enpass asks for none.",
        "Revoke it: `DELETE /oauth2PermissionGrants/{id}`.",
    ),
    Code(
        "APP_PERMISSION",
        Severity.CRITICAL,
        "An application permission (app role) is granted to Enpass; Enpass only ever acts as a signed-in "
        "user, so this lets it act without one.",
        "Remove it at once: `DELETE /servicePrincipals/{enpass}/appRoleAssignments/{id}`, then investigate.",
    ),
    Code(
        "ASSIGNMENT_MISSING",
        Severity.MEDIUM,
        "A configured group or user is not assigned to Enpass (or a group name matches no security group, or several).",
        "Run `pulumi up`; for a group name, make it match exactly one security group or use its object id.",
    ),
    Code(
        "ASSIGNMENT_EXTRA",
        Severity.MEDIUM,
        "Someone is assigned to Enpass who is not in the stack's groups or users.",
        "Remove the assignment, or add the principal to the stack file and run `pulumi up`.",
    ),
)

CODES: dict[str, Code] = {c.code: c for c in _CODES}


@dataclass(frozen=True)
class Finding:
    """One difference between a tenant and its stack; ``to_json`` is the contract's shape."""

    code: str
    severity: Severity
    message: str
    object_id: str | None = None
    expected: str | bool | None = None
    actual: str | bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "objectId": self.object_id,
            "expected": self.expected,
            "actual": self.actual,
        }

    @property
    def is_drift(self) -> bool:
        return self.severity is not Severity.INFO


def finding(
    code: str,
    message: str,
    *,
    object_id: str | None = None,
    expected: str | bool | None = None,
    actual: str | bool | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding of ``code`` with the code's severity unless ``severity`` overrides it."""
    return Finding(code, severity or CODES[code].severity, message, object_id, expected, actual)
