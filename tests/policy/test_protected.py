from __future__ import annotations

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from rules import protected

from tests.policy.builders import ASSIGN_TYPE, GRANT_TYPE, SP_TYPE, good_props, resource_args, violations


@pytest.mark.parametrize("resource_type", [SP_TYPE, GRANT_TYPE, ASSIGN_TYPE])
def test_known_good_protected_resources_pass(resource_type: str) -> None:
    assert violations(protected.POLICY, resource_args(resource_type)) == []


@pytest.mark.parametrize(
    ("resource_type", "expected"),
    [
        pytest.param(SP_TYPE, "Service principal is not protected (protect is false)", id="service-principal"),
        pytest.param(GRANT_TYPE, "Delegated permission grant is not protected (protect is false)", id="grant"),
    ],
)
def test_unprotected_sp_and_grants_are_violations(resource_type: str, expected: str) -> None:
    assert violations(protected.POLICY, resource_args(resource_type, protect=False)) == [(expected, None)]


def test_assignments_need_no_protection() -> None:
    # `pulumi destroy` removing assignments is intended (docs/reference.md#resources-and-names); only the SP and grants carry consent.
    assert violations(protected.POLICY, resource_args(ASSIGN_TYPE, protect=False)) == []


def test_decides_during_preview_because_options_are_always_known() -> None:
    args = resource_args(
        GRANT_TYPE, good_props(GRANT_TYPE, servicePrincipalObjectId=UNKNOWN_STRING_VALUE), protect=False
    )
    assert violations(protected.POLICY, args) == [
        ("Delegated permission grant is not protected (protect is false)", None)
    ]
