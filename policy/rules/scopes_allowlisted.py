"""``enpass-scopes-allowlisted``: a delegated grant holds only allow-listed Microsoft Graph scopes."""

from __future__ import annotations

from enpass_ids import DEFAULT_ALLOWED_SCOPES, GRANT_TYPE
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from rules.common import Undecided, known_items, setting

NAME = "enpass-scopes-allowlisted"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Report every claim value of a delegated permission grant that is not in ``allowedScopes``.

    Scope names are compared case-insensitively, as Microsoft Graph does (``user.read`` and
    ``User.Read`` are the same permission), so a different spelling is neither consent creep nor a
    false alarm. A claim value holding several space-separated names is checked name by name,
    because Graph stores a grant's scopes as one space-separated string.

    Unknowns: when ``claimValues`` (or one of its elements) is unknown during preview, the known
    names are still checked and reported, then the unknown is re-raised, so the SDK reports an
    advisory "can't run policy during preview"; the check runs in full at ``pulumi up``.
    """
    if args.resource_type != GRANT_TYPE:
        return
    allowed = {name.lower() for name in setting(args.get_config(), "allowedScopes", DEFAULT_ALLOWED_SCOPES)}
    claim_values = args.props.get("claimValues")
    if claim_values is None:
        return
    undecided = Undecided()
    extra: dict[str, str] = {}
    for value in known_items(claim_values, undecided):
        for name in str(value).split():
            if name.lower() not in allowed:
                extra.setdefault(name.lower(), name)
    if extra:
        report_violation(
            f"Scopes outside the allow-list (policy config allowedScopes): {', '.join(extra.values())}", None
        )
    undecided.raise_if_any()


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Enpass may hold only allow-listed delegated Microsoft Graph scopes.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(
        properties={
            "allowedScopes": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Delegated scope names a grant may hold, compared case-insensitively.",
                "default": list(DEFAULT_ALLOWED_SCOPES),
            }
        }
    ),
    remediation_steps=(
        "Remove the extra scope from the stack setting enpass-consent:scopes (or from the code that added it). "
        "If the organisation really wants to allow it, add it both to enpass_consent/catalog.py and to the "
        "pack's allow-list (policy/enpass_ids.py or the policy config allowedScopes), each in a reviewed change."
    ),
)
