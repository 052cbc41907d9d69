from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_STRING_VALUE, UnknownValueError
from rules import scopes_allowlisted

from tests.policy.builders import ASSIGN_TYPE, ENPASS_SCOPES, GRANT_TYPE, SP_TYPE, good_props, resource_args, violations

PREFIX = "Scopes outside the allow-list (policy config allowedScopes): "


def test_known_good_grant_passes() -> None:
    assert violations(scopes_allowlisted.POLICY, resource_args(GRANT_TYPE)) == []


def test_sign_in_scopes_are_allowed_by_default() -> None:
    args = resource_args(GRANT_TYPE, good_props(GRANT_TYPE, claimValues=[*ENPASS_SCOPES, "openid", "profile", "email"]))
    assert violations(scopes_allowlisted.POLICY, args) == []


@pytest.mark.parametrize(
    ("claim_values", "expected"),
    [
        pytest.param([*ENPASS_SCOPES, "Mail.Read"], [PREFIX + "Mail.Read"], id="one-extra-scope"),
        pytest.param(
            ["Mail.Read", "Files.Read.All", "User.Read"], [PREFIX + "Mail.Read, Files.Read.All"], id="two-extra"
        ),
        pytest.param(["User.Read Mail.ReadWrite"], [PREFIX + "Mail.ReadWrite"], id="space-separated-smuggling"),
        pytest.param(["Mail.Read", "mail.read", "MAIL.READ"], [PREFIX + "Mail.Read"], id="duplicates-reported-once"),
        pytest.param(["Directory.ReadWrite.All"], [PREFIX + "Directory.ReadWrite.All"], id="only-an-extra-scope"),
    ],
)
def test_extra_scopes_are_violations(claim_values: list[str], expected: list[str]) -> None:
    args = resource_args(GRANT_TYPE, good_props(GRANT_TYPE, claimValues=claim_values))
    assert [message for message, _ in violations(scopes_allowlisted.POLICY, args)] == expected


@pytest.mark.parametrize(
    "claim_values",
    [
        pytest.param(["user.read", "FILES.READWRITE.APPFOLDER", "Offline_Access"], id="other-case"),
        pytest.param(["OpenID"], id="sign-in-scope-other-case"),
    ],
)
def test_scope_names_compare_case_insensitively(claim_values: list[str]) -> None:
    args = resource_args(GRANT_TYPE, good_props(GRANT_TYPE, claimValues=claim_values))
    assert violations(scopes_allowlisted.POLICY, args) == []


@pytest.mark.parametrize(
    ("config", "claim_values", "expected"),
    [
        pytest.param({"allowedScopes": ["User.Read"]}, ["User.Read"], [], id="narrow-list-ok"),
        pytest.param(
            {"allowedScopes": ["User.Read"]},
            ["User.Read", "Sites.ReadWrite.All"],
            [PREFIX + "Sites.ReadWrite.All"],
            id="narrow-list-rejects-default-scope",
        ),
        pytest.param({"allowedScopes": [*ENPASS_SCOPES, "Mail.Read"]}, ["Mail.Read"], [], id="widened-list"),
        pytest.param({"allowedScopes": None}, ["Mail.Read"], [PREFIX + "Mail.Read"], id="null-means-default"),
    ],
)
def test_allowed_scopes_setting(config: dict[str, Any], claim_values: list[str], expected: list[str]) -> None:
    args = resource_args(GRANT_TYPE, good_props(GRANT_TYPE, claimValues=claim_values), config=config)
    assert [message for message, _ in violations(scopes_allowlisted.POLICY, args)] == expected


@pytest.mark.parametrize("resource_type", [SP_TYPE, ASSIGN_TYPE, "azuread:index/group:Group"])
def test_other_resource_types_are_ignored(resource_type: str) -> None:
    args = resource_args(resource_type, {"claimValues": ["Mail.Read"]})
    assert violations(scopes_allowlisted.POLICY, args) == []


def test_grant_without_claim_values_has_nothing_to_check() -> None:
    assert (
        violations(scopes_allowlisted.POLICY, resource_args(GRANT_TYPE, good_props(GRANT_TYPE, claimValues=...))) == []
    )


def test_unknown_claim_values_are_undecided_not_passed() -> None:
    args = resource_args(GRANT_TYPE, good_props(GRANT_TYPE, claimValues=UNKNOWN_ARRAY_VALUE))
    with pytest.raises(UnknownValueError) as caught:
        violations(scopes_allowlisted.POLICY, args)
    assert caught.value.message == "Array value at .claimValues can't be known during preview"


def test_known_extras_are_reported_before_an_unknown_element_is_raised() -> None:
    args = resource_args(GRANT_TYPE, good_props(GRANT_TYPE, claimValues=["Mail.Read", UNKNOWN_STRING_VALUE]))
    found: list[str] = []
    with pytest.raises(UnknownValueError) as caught:
        scopes_allowlisted.POLICY.validate(args, lambda message, urn=None: found.append(message))
    assert found == [PREFIX + "Mail.Read"]
    assert caught.value.message == "string value at .claimValues.1 can't be known during preview"
