from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from rules import no_drift_suppression

from tests.policy.builders import ASSIGN_TYPE, GRANT_TYPE, SP_TYPE, good_props, resource_args, violations


@pytest.mark.parametrize("resource_type", [SP_TYPE, GRANT_TYPE, ASSIGN_TYPE])
def test_known_good_resources_pass(resource_type: str) -> None:
    assert violations(no_drift_suppression.POLICY, resource_args(resource_type)) == []


@pytest.mark.parametrize(
    ("resource_type", "ignore_changes", "expected"),
    [
        pytest.param(
            GRANT_TYPE, ["claimValues"], "ignore_changes hides drift of consent: claimValues", id="grant-scopes"
        ),
        pytest.param(
            GRANT_TYPE, ["claim_values"], "ignore_changes hides drift of consent: claim_values", id="grant-snake"
        ),
        pytest.param(
            GRANT_TYPE, ["claimValues[0]"], "ignore_changes hides drift of consent: claimValues[0]", id="grant-path"
        ),
        pytest.param(
            ASSIGN_TYPE,
            ["principalObjectId", "appRoleId"],
            "ignore_changes hides drift of consent: principalObjectId, appRoleId",
            id="assignment",
        ),
        pytest.param(ASSIGN_TYPE, ["*"], "ignore_changes hides drift of consent: *", id="assignment-wildcard"),
        pytest.param(
            SP_TYPE,
            ["appRoleAssignmentRequired"],
            "ignore_changes hides drift of appRoleAssignmentRequired: appRoleAssignmentRequired",
            id="sp-camel",
        ),
        pytest.param(
            SP_TYPE,
            ["notes", "app_role_assignment_required"],
            "ignore_changes hides drift of appRoleAssignmentRequired: app_role_assignment_required",
            id="sp-snake",
        ),
        pytest.param(
            SP_TYPE,
            ['["appRoleAssignmentRequired"]'],
            'ignore_changes hides drift of appRoleAssignmentRequired: ["appRoleAssignmentRequired"]',
            id="sp-bracket-path",
        ),
        pytest.param(
            SP_TYPE,
            ["*"],
            "ignore_changes hides drift of appRoleAssignmentRequired, accountEnabled: *",
            id="sp-wildcard",
        ),
        pytest.param(
            SP_TYPE,
            ["notes", "account_enabled"],
            "ignore_changes hides drift of accountEnabled: account_enabled",
            id="sp-account-enabled",
        ),
        pytest.param(
            SP_TYPE,
            ["accountEnabled", "appRoleAssignmentRequired"],
            "ignore_changes hides drift of appRoleAssignmentRequired, accountEnabled: accountEnabled, "
            "appRoleAssignmentRequired",
            id="sp-both",
        ),
    ],
)
def test_ignore_changes_on_consent_is_a_violation(resource_type: str, ignore_changes: list[str], expected: str) -> None:
    args = resource_args(resource_type, ignore_changes=ignore_changes)
    assert violations(no_drift_suppression.POLICY, args) == [(expected, None)]


@pytest.mark.parametrize(
    "ignore_changes",
    [
        pytest.param(["notes"], id="notes"),
        pytest.param(["notificationEmailAddresses"], id="notification-emails"),
        pytest.param(["appRoleAssignmentRequiredX"], id="lookalike-name"),
        pytest.param(["accountEnabledAt"], id="lookalike-account-enabled"),
        pytest.param(["featureTags"], id="feature-tags"),
    ],
)
def test_ignore_changes_on_other_sp_properties_is_allowed(ignore_changes: list[str]) -> None:
    assert violations(no_drift_suppression.POLICY, resource_args(SP_TYPE, ignore_changes=ignore_changes)) == []


def test_other_resource_types_are_ignored() -> None:
    args = resource_args("azuread:index/group:Group", {}, ignore_changes=["members"])
    assert violations(no_drift_suppression.POLICY, args) == []


def test_decides_during_preview_because_options_are_always_known() -> None:
    props = good_props(GRANT_TYPE, claimValues=UNKNOWN_STRING_VALUE, servicePrincipalObjectId=UNKNOWN_STRING_VALUE)
    args = resource_args(GRANT_TYPE, props, ignore_changes=["claimValues"])
    assert violations(no_drift_suppression.POLICY, args) == [
        ("ignore_changes hides drift of consent: claimValues", None)
    ]
