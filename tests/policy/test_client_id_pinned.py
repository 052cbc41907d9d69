from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError
from rules import client_id_pinned

from tests.policy.builders import ENPASS, GRANT_TYPE, SP_TYPE, good_props, resource_args, violations

OTHER_APP = "14d82eec-204b-4c2f-b7e8-296a70dab67e"


def test_known_good_service_principal_passes() -> None:
    assert violations(client_id_pinned.POLICY, resource_args(SP_TYPE)) == []


def test_client_id_compares_case_insensitively() -> None:
    args = resource_args(SP_TYPE, good_props(SP_TYPE, clientId=ENPASS.upper()))
    assert violations(client_id_pinned.POLICY, args) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"clientId": OTHER_APP},
            f"Service principal is for client id '{OTHER_APP}', not Enpass '{ENPASS}'",
            id="another-app",
        ),
        pytest.param(
            {"clientId": ...}, f"Service principal has no client id; it must be Enpass '{ENPASS}'", id="missing"
        ),
        pytest.param({"clientId": ""}, f"Service principal has no client id; it must be Enpass '{ENPASS}'", id="empty"),
    ],
)
def test_other_service_principals_are_violations(changes: dict[str, Any], expected: str) -> None:
    args = resource_args(SP_TYPE, good_props(SP_TYPE, **changes))
    assert violations(client_id_pinned.POLICY, args) == [(expected, None)]


def test_enpass_client_id_setting_overrides_the_default() -> None:
    config = {"enpassClientId": OTHER_APP}
    assert violations(client_id_pinned.POLICY, resource_args(SP_TYPE, {"clientId": OTHER_APP}, config=config)) == []
    assert violations(client_id_pinned.POLICY, resource_args(SP_TYPE, config=config)) == [
        (f"Service principal is for client id '{ENPASS}', not Enpass '{OTHER_APP}'", None)
    ]


def test_other_resource_types_are_ignored() -> None:
    assert violations(client_id_pinned.POLICY, resource_args(GRANT_TYPE, {"clientId": OTHER_APP})) == []


def test_unknown_client_id_is_undecided_not_passed() -> None:
    args = resource_args(SP_TYPE, good_props(SP_TYPE, clientId=UNKNOWN_STRING_VALUE))
    with pytest.raises(UnknownValueError) as caught:
        violations(client_id_pinned.POLICY, args)
    assert caught.value.message == "string value at .clientId can't be known during preview"
