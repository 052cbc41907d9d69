from __future__ import annotations

from collections.abc import Callable

import pytest
from pulumi_policy import PolicyResource, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError
from rules import assignment_required_when_assigned as rule

from tests.policy.builders import (
    ASSIGN_TYPE,
    GRANT_TYPE,
    SP_TYPE,
    good_props,
    policy_resource,
    urn,
    violations,
)

SP_URN = urn(SP_TYPE, "enpass-sp")
OTHER_SP_OID = "5b1d3c5e-9999-4a4a-9c9c-000000000009"


def sp(**changes: object) -> PolicyResource:
    return policy_resource(SP_TYPE, "enpass-sp", good_props(SP_TYPE, **changes))


def assignment(name: str, service_principal: PolicyResource | None = None, **changes: object) -> PolicyResource:
    """An assignment; with ``service_principal`` it depends on it the way the program wires it."""
    deps = [service_principal] if service_principal else []
    return policy_resource(
        ASSIGN_TYPE,
        name,
        good_props(ASSIGN_TYPE, **changes),
        dependencies=deps,
        property_dependencies={"resourceObjectId": deps} if deps else {},
    )


def grant() -> PolicyResource:
    return policy_resource(GRANT_TYPE, "enpass-grant", good_props(GRANT_TYPE))


def message(*names: str) -> str:
    return (
        "Service principal 'enpass-sp' does not require assignment (appRoleAssignmentRequired is false), "
        f"so these assignments restrict nothing: {', '.join(names)}"
    )


def run(resources: list[PolicyResource]) -> list[tuple[str, str | None]]:
    return violations(rule.POLICY, StackValidationArgs(resources))


def test_known_good_stack_passes() -> None:
    principal = sp()
    assert run([principal, grant(), assignment("enpass-assign-a", principal)]) == []


def test_nothing_assigned_and_not_required_passes() -> None:
    assert run([sp(appRoleAssignmentRequired=False), grant()]) == []


def _not_required() -> list[PolicyResource]:
    return [sp(appRoleAssignmentRequired=False), assignment("enpass-assign-b"), assignment("enpass-assign-a")]


def _missing_flag() -> list[PolicyResource]:
    return [sp(appRoleAssignmentRequired=...), assignment("enpass-assign-a")]


def _linked_while_unknown() -> list[PolicyResource]:
    principal = sp(appRoleAssignmentRequired=False, objectId=UNKNOWN_STRING_VALUE)
    return [principal, assignment("enpass-assign-a", principal, resourceObjectId=UNKNOWN_STRING_VALUE)]


def _ids_differ_in_case() -> list[PolicyResource]:
    principal = sp(appRoleAssignmentRequired=False)
    return [principal, assignment("enpass-assign-a", resourceObjectId=str(principal.props["objectId"]).upper())]


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        pytest.param(_not_required, [message("enpass-assign-a", "enpass-assign-b")], id="required-false-two-assigned"),
        pytest.param(_missing_flag, [message("enpass-assign-a")], id="required-missing-counts-as-false"),
        pytest.param(_linked_while_unknown, [message("enpass-assign-a")], id="unknown-ids-linked-by-dependency"),
        pytest.param(_ids_differ_in_case, [message("enpass-assign-a")], id="object-ids-compared-case-insensitively"),
    ],
)
def test_assigned_but_not_required_is_a_violation(
    build: Callable[[], list[PolicyResource]], expected: list[str]
) -> None:
    assert run(build()) == [(text, SP_URN) for text in expected]


def test_assignment_to_another_service_principal_does_not_count() -> None:
    assert run([sp(appRoleAssignmentRequired=False), assignment("x", resourceObjectId=OTHER_SP_OID)]) == []


def test_assignment_linked_by_parent_counts_when_ids_are_unknown() -> None:
    principal = sp(appRoleAssignmentRequired=False, objectId=UNKNOWN_STRING_VALUE)
    child = policy_resource(
        ASSIGN_TYPE, "enpass-assign-a", good_props(ASSIGN_TYPE, resourceObjectId=UNKNOWN_STRING_VALUE), parent=principal
    )
    assert run([principal, child]) == [(message("enpass-assign-a"), SP_URN)]


def test_unknown_target_without_a_link_is_undecided_not_passed() -> None:
    principal = sp(appRoleAssignmentRequired=False)
    stray = assignment("enpass-assign-a", resourceObjectId=UNKNOWN_STRING_VALUE)
    with pytest.raises(UnknownValueError) as caught:
        run([principal, stray])
    assert caught.value.message == "string value at .enpass-assign-a.resourceObjectId can't be known during preview"


def test_unknown_requirement_with_assignments_is_undecided_not_passed() -> None:
    principal = sp(appRoleAssignmentRequired=UNKNOWN_BOOLEAN_VALUE)
    with pytest.raises(UnknownValueError) as caught:
        run([principal, assignment("enpass-assign-a", principal)])
    assert caught.value.message == "boolean value at .enpass-sp.appRoleAssignmentRequired can't be known during preview"


def test_unknown_requirement_without_assignments_passes() -> None:
    assert run([sp(appRoleAssignmentRequired=UNKNOWN_BOOLEAN_VALUE), grant()]) == []


def test_definite_violations_are_reported_before_the_undecided_one_is_raised() -> None:
    principal = sp(appRoleAssignmentRequired=False)
    resources = [
        principal,
        assignment("enpass-assign-a"),
        assignment("enpass-assign-z", resourceObjectId=UNKNOWN_STRING_VALUE),
    ]
    found: list[tuple[str, str | None]] = []
    with pytest.raises(UnknownValueError):
        rule.POLICY.validate(StackValidationArgs(resources), lambda text, urn=None: found.append((text, urn)))
    assert found == [(message("enpass-assign-a"), SP_URN)]


def _group() -> PolicyResource:
    return policy_resource("azuread:index/group:Group", "admins", {"objectId": OTHER_SP_OID})


@pytest.mark.parametrize(
    ("dependencies", "property_dependencies", "counts"),
    [
        pytest.param("sp", {}, True, id="dependency"),
        pytest.param("", {"resourceObjectId": "sp"}, True, id="resourceObjectId-property-dependency"),
        pytest.param("group", {"resourceObjectId": "group", "principalObjectId": "sp"}, False, id="other-resource"),
        pytest.param("", {"principalObjectId": "sp"}, False, id="another-property-dependency"),
    ],
)
def test_with_unknown_ids_only_a_link_to_the_sp_counts(
    dependencies: str, property_dependencies: dict[str, str], counts: bool
) -> None:
    principal = sp(appRoleAssignmentRequired=False, objectId=UNKNOWN_STRING_VALUE)
    group = _group()
    by_name = {"sp": principal, "group": group}
    linked = policy_resource(
        ASSIGN_TYPE,
        "enpass-assign-a",
        good_props(ASSIGN_TYPE, resourceObjectId=UNKNOWN_STRING_VALUE),
        dependencies=[by_name[dependencies]] if dependencies else [],
        property_dependencies={key: [by_name[value]] for key, value in property_dependencies.items()},
    )
    if counts:
        assert run([principal, group, linked]) == [(message("enpass-assign-a"), SP_URN)]
    else:
        with pytest.raises(UnknownValueError):  # undecided, never passed
            run([principal, group, linked])


@pytest.mark.parametrize("missing", ["sp", "assignment"])
def test_with_an_object_id_absent_the_link_decides(missing: str) -> None:
    # A known but absent id (not unknown): object ids cannot decide, the dependency graph does.
    principal = sp(appRoleAssignmentRequired=False, **({"objectId": None} if missing == "sp" else {}))
    target = {"resourceObjectId": None} if missing == "assignment" else {}
    linked = assignment("enpass-assign-a", principal, **target)
    stray = assignment("enpass-assign-b", **target)
    assert run([principal, linked, stray]) == [(message("enpass-assign-a"), SP_URN)]


def test_an_sp_with_an_unknown_requirement_does_not_hide_another_sps_violation() -> None:
    undecided = sp(appRoleAssignmentRequired=UNKNOWN_BOOLEAN_VALUE)
    other = policy_resource(
        SP_TYPE, "other-sp", good_props(SP_TYPE, appRoleAssignmentRequired=False, objectId=OTHER_SP_OID)
    )
    stray = assignment("enpass-assign-z", resourceObjectId=UNKNOWN_STRING_VALUE)
    resources = [
        undecided,
        other,
        stray,
        assignment("enpass-assign-a", undecided),
        assignment("x", resourceObjectId=OTHER_SP_OID),
    ]
    found: list[tuple[str, str | None]] = []
    with pytest.raises(UnknownValueError) as caught:
        rule.POLICY.validate(StackValidationArgs(resources), lambda text, urn=None: found.append((text, urn)))
    assert found == [
        (
            "Service principal 'other-sp' does not require assignment (appRoleAssignmentRequired is false), "
            "so these assignments restrict nothing: x",
            urn(SP_TYPE, "other-sp"),
        )
    ]
    # The first undecided value met is the one raised: the stray's target, met while deciding enpass-sp.
    assert caught.value.message == "string value at .enpass-assign-z.resourceObjectId can't be known during preview"


def test_an_sp_that_requires_assignment_does_not_end_the_check_of_the_others() -> None:
    other = policy_resource(
        SP_TYPE, "other-sp", good_props(SP_TYPE, appRoleAssignmentRequired=False, objectId=OTHER_SP_OID)
    )
    principal = sp(appRoleAssignmentRequired=True)
    resources = [
        principal,
        other,
        assignment("enpass-assign-a", principal),
        assignment("x", resourceObjectId=OTHER_SP_OID),
    ]
    assert run(resources) == [
        (
            "Service principal 'other-sp' does not require assignment (appRoleAssignmentRequired is false), "
            "so these assignments restrict nothing: x",
            urn(SP_TYPE, "other-sp"),
        )
    ]
