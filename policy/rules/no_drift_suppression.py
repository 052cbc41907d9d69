"""``enpass-no-drift-suppression``: nothing that carries consent uses ``ignore_changes``."""

from __future__ import annotations

from enpass_ids import APP_ROLE_ASSIGNMENT_TYPE, GRANT_TYPE, SERVICE_PRINCIPAL_TYPE
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

from rules.common import same_property

NAME = "enpass-no-drift-suppression"
ASSIGNMENT_REQUIRED = "appRoleAssignmentRequired"
# Whether anyone can sign in to Enpass at all: ignoring it would hide a disabled (or re-enabled) Enpass.
ACCOUNT_ENABLED = "accountEnabled"
GUARDED_SP_PROPERTIES = (ASSIGNMENT_REQUIRED, ACCOUNT_ENABLED)


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Report ``ignore_changes`` on grants and assignments (any entry) and on the SP's ``appRoleAssignmentRequired``
    and ``accountEnabled``.

    Entries are matched in both spellings (``appRoleAssignmentRequired`` and
    ``app_role_assignment_required``), as nested paths (``claimValues[0]``) and as ``*``.

    Unknowns: resource options are always known, also during preview, so this rule always decides.
    """
    entries = [str(entry) for entry in args.opts.ignore_changes]
    if args.resource_type in (GRANT_TYPE, APP_ROLE_ASSIGNMENT_TYPE):
        if entries:
            report_violation(f"ignore_changes hides drift of consent: {', '.join(entries)}", None)
    elif args.resource_type == SERVICE_PRINCIPAL_TYPE:
        hidden = [entry for entry in entries if any(same_property(entry, p) for p in GUARDED_SP_PROPERTIES)]
        if hidden:
            properties = [p for p in GUARDED_SP_PROPERTIES if any(same_property(entry, p) for entry in hidden)]
            report_violation(f"ignore_changes hides drift of {', '.join(properties)}: {', '.join(hidden)}", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description=(
        "Consent must not hide drift: no ignore_changes on grants, assignments, appRoleAssignmentRequired or "
        "accountEnabled."
    ),
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Remove ignore_changes from the resource (including any added by a transform). If the live tenant is "
        "meant to differ, change the stack settings instead, so `pulumi preview --refresh` keeps showing drift."
    ),
)
