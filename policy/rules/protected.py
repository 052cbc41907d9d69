"""``enpass-protected`` (advisory): the service principal and the grants are protected."""

from __future__ import annotations

from enpass_ids import GRANT_TYPE, SERVICE_PRINCIPAL_TYPE
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity

NAME = "enpass-protected"
_KINDS = {SERVICE_PRINCIPAL_TYPE: "Service principal", GRANT_TYPE: "Delegated permission grant"}


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Report a service principal or delegated permission grant without ``protect``.

    Unknowns: resource options are always known, also during preview, so this rule always decides.
    """
    kind = _KINDS.get(args.resource_type)
    if kind is not None and not args.opts.protect:
        report_violation(f"{kind} is not protected (protect is false)", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="The Enpass service principal and its grants should be protected against deletion.",
    validate=validate,
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    remediation_steps=(
        "Set the stack setting enpass-consent:protect to true (the default). Unprotect only for a planned "
        "`pulumi destroy`, which revokes consent for every Enpass user of the tenant."
    ),
)
