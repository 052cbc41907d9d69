"""``enpass-assignment-required-when-assigned``: assignments to the SP only count when assignment is required."""

from __future__ import annotations

from enpass_ids import APP_ROLE_ASSIGNMENT_TYPE, SERVICE_PRINCIPAL_TYPE
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from rules.common import Undecided

NAME = "enpass-assignment-required-when-assigned"

_YES, _NO, _UNKNOWN = "yes", "no", "unknown"


def _linked(assignment: PolicyResource, service_principal: PolicyResource) -> bool:
    """Whether the program wired the assignment to the SP (property dependency, dependency or parent)."""
    by_property = assignment.property_dependencies.get("resourceObjectId", [])
    return (
        any(r.urn == service_principal.urn for r in by_property)
        or any(r.urn == service_principal.urn for r in assignment.dependencies)
        or (assignment.parent is not None and assignment.parent.urn == service_principal.urn)
    )


def _targets(assignment: PolicyResource, service_principal: PolicyResource, undecided: Undecided) -> str:
    """Whether ``assignment`` assigns someone to ``service_principal``: ``yes``, ``no`` or ``unknown``.

    Object ids decide when both are known; when either is unknown (a new SP during preview), the
    dependency graph decides; when that shows no link either, the answer is unknown.
    """
    try:
        sp_object_id = service_principal.props.get("objectId")
        target = assignment.props.get("resourceObjectId")
    except UnknownValueError as error:
        if _linked(assignment, service_principal):
            return _YES
        undecided.add(error, [assignment.name])
        return _UNKNOWN
    if sp_object_id and target:
        return _YES if str(sp_object_id).lower() == str(target).lower() else _NO
    return _YES if _linked(assignment, service_principal) else _NO


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Report a service principal with ``appRoleAssignmentRequired`` false that has app role assignments.

    Without the requirement every user of the tenant may sign in to Enpass, so the assignments
    restrict nothing (audit finding ASSIGNMENT_REQUIRED_MISMATCH). A missing value counts as false
    (the provider's default). The violation names the SP (by URN) and lists the assignments.

    Unknowns: during preview a new SP's ``objectId`` and its assignments' ``resourceObjectId`` are
    unknown; the assignment is then attributed through the dependency graph (``resourceObjectId``'s
    property dependency, any dependency, or the parent). What still cannot be decided, and an unknown
    ``appRoleAssignmentRequired`` where assignments exist, is reported after all definite violations
    by re-raising the ``UnknownValueError``: the SDK's advisory "can't run policy during preview".
    """
    service_principals = [r for r in args.resources if r.resource_type == SERVICE_PRINCIPAL_TYPE]
    assignments = [r for r in args.resources if r.resource_type == APP_ROLE_ASSIGNMENT_TYPE]
    undecided = Undecided()
    for service_principal in service_principals:
        try:
            required = service_principal.props.get("appRoleAssignmentRequired")
        except UnknownValueError as error:
            if any(_targets(a, service_principal, undecided) != _NO for a in assignments):
                undecided.add(error, [service_principal.name])
            continue
        if required is True:
            continue
        assigned = sorted(a.name for a in assignments if _targets(a, service_principal, undecided) == _YES)
        if assigned:
            report_violation(
                f"Service principal '{service_principal.name}' does not require assignment "
                f"(appRoleAssignmentRequired is false), so these assignments restrict nothing: {', '.join(assigned)}",
                service_principal.urn,
            )
    undecided.raise_if_any()


POLICY = StackValidationPolicy(
    name=NAME,
    description="When users or groups are assigned to Enpass, its service principal must require assignment.",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    remediation_steps=(
        "Set the stack setting enpass-consent:assignmentRequired to true (its default when groups or users are "
        "set), or remove the groups and users if every user of the tenant may use Enpass."
    ),
)
