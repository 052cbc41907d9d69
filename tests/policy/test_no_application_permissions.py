from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError
from rules import no_application_permissions

from tests.policy.builders import (
    ASSIGN_TYPE,
    DEFAULT_ROLE,
    GRAPH_SP_OID,
    SP_OID,
    SP_TYPE,
    good_props,
    resource_args,
    violations,
)

# Microsoft Graph's Directory.Read.All application role (an application permission).
DIRECTORY_READ_ALL_ROLE = "7ab1d382-f21e-4acd-a863-ba3e13f7da61"


def test_known_good_assignment_passes() -> None:
    assert violations(no_application_permissions.POLICY, resource_args(ASSIGN_TYPE)) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"appRoleId": DIRECTORY_READ_ALL_ROLE, "principalObjectId": SP_OID, "resourceObjectId": GRAPH_SP_OID},
            f"App role assignment uses app role '{DIRECTORY_READ_ALL_ROLE}'; only the default access role "
            f"'{DEFAULT_ROLE}' is allowed",
            id="graph-application-permission-for-enpass",
        ),
        pytest.param(
            {"appRoleId": "00000000-0000-0000-0000-000000000001"},
            "App role assignment uses app role '00000000-0000-0000-0000-000000000001'; only the default access role "
            f"'{DEFAULT_ROLE}' is allowed",
            id="non-default-role-for-a-group",
        ),
        pytest.param(
            {"appRoleId": ...},
            f"App role assignment has no app role id; only the default access role '{DEFAULT_ROLE}' is allowed",
            id="missing-role",
        ),
    ],
)
def test_non_default_roles_are_violations(changes: dict[str, Any], expected: str) -> None:
    args = resource_args(ASSIGN_TYPE, good_props(ASSIGN_TYPE, **changes))
    assert violations(no_application_permissions.POLICY, args) == [(expected, None)]


def test_other_resource_types_are_ignored() -> None:
    args = resource_args(SP_TYPE, good_props(SP_TYPE, appRoleId=DIRECTORY_READ_ALL_ROLE))
    assert violations(no_application_permissions.POLICY, args) == []


def test_unknown_role_id_is_undecided_not_passed() -> None:
    args = resource_args(ASSIGN_TYPE, good_props(ASSIGN_TYPE, appRoleId=UNKNOWN_STRING_VALUE))
    with pytest.raises(UnknownValueError) as caught:
        violations(no_application_permissions.POLICY, args)
    assert caught.value.message == "string value at .appRoleId can't be known during preview"
