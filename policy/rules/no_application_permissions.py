"""``enpass-no-application-permissions``: app role assignments use only the default access role."""

from __future__ import annotations

from enpass_ids import APP_ROLE_ASSIGNMENT_TYPE, DEFAULT_ACCESS_APP_ROLE_ID
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

NAME = "enpass-no-application-permissions"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Report an app role assignment whose ``appRoleId`` is not the default access role.

    Enpass uses delegated scopes only and defines no app roles, so any other role id is either an
    application permission granted to Enpass (e.g. a Microsoft Graph app role) or a role that does
    not exist. A missing ``appRoleId`` is reported too (fail closed).

    Unknowns: an ``appRoleId`` unknown during preview propagates as ``UnknownValueError``: the SDK
    reports an advisory "can't run policy during preview", and the rule enforces at ``pulumi up``.
    """
    if args.resource_type != APP_ROLE_ASSIGNMENT_TYPE:
        return
    role_id = args.props.get("appRoleId")
    if not role_id:
        report_violation(
            f"App role assignment has no app role id; only the default access role '{DEFAULT_ACCESS_APP_ROLE_ID}' "
            "is allowed",
            None,
        )
    elif str(role_id).lower() != DEFAULT_ACCESS_APP_ROLE_ID:
        report_violation(
            f"App role assignment uses app role '{role_id}'; only the default access role "
            f"'{DEFAULT_ACCESS_APP_ROLE_ID}' is allowed",
            None,
        )


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Enpass needs no application permissions: app role assignments must use the default access role.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    remediation_steps=(
        "Assign users and groups to Enpass with app role id 00000000-0000-0000-0000-000000000000 (default "
        "access) and grant Enpass nothing but delegated scopes. Remove any app role assignment that gives "
        "Enpass an application permission."
    ),
)
