"""``enpass-client-id-pinned``: every service principal in the stack is Enpass's."""

from __future__ import annotations

from enpass_ids import ENPASS_CLIENT_ID, SERVICE_PRINCIPAL_TYPE
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from rules.common import GUID_PATTERN, setting

NAME = "enpass-client-id-pinned"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Report a service principal whose ``clientId`` is not ``enpassClientId`` (GUIDs compared case-insensitively).

    Unknowns: a ``clientId`` unknown during preview (e.g. taken from a new application's output) is
    not decided: the SDK's ``UnknownValueError`` propagates and is reported as an advisory "can't run
    policy during preview"; at ``pulumi up`` the value is known and the rule enforces.
    """
    if args.resource_type != SERVICE_PRINCIPAL_TYPE:
        return
    expected = str(setting(args.get_config(), "enpassClientId", ENPASS_CLIENT_ID))
    actual = args.props.get("clientId")
    if not actual:
        report_violation(f"Service principal has no client id; it must be Enpass '{expected}'", None)
    elif str(actual).lower() != expected.lower():
        report_violation(f"Service principal is for client id '{actual}', not Enpass '{expected}'", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Every service principal in an Enpass consent stack must be Enpass's.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(
        properties={
            "enpassClientId": {
                "type": "string",
                "pattern": GUID_PATTERN,
                "description": "Application (client) id of Enpass's multi-tenant app.",
                "default": ENPASS_CLIENT_ID,
            }
        }
    ),
    remediation_steps=(
        "Manage only the Enpass service principal in this stack: remove the other service principal, or move "
        "it to a stack of its own. Grants and assignments here then apply to Enpass alone."
    ),
)
