"""The permission table: broader permissions satisfy narrower ones only where Microsoft says so; docs agree."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from enpass_consent.preflight import permissions
from enpass_consent.preflight.token_claims import TokenClaimsError, identity_from_token

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_writer_sets() -> None:
    needs = permissions.writer_requirements(assigns=True, groups_by_name=True)
    held = [
        "Application.ReadWrite.All",
        "DelegatedPermissionGrant.ReadWrite.All",
        "AppRoleAssignment.ReadWrite.All",
        "GroupMember.Read.All",
    ]
    assert set(held) == set(permissions.WRITER_PERMISSIONS)
    assert permissions.missing(needs, held) == []
    # OwnedBy covers only apps the caller owns; Enpass's app is registered in Enpass's tenant.
    owned_by = ["Application.ReadWrite.OwnedBy", "Application.Read.All", *held[1:]]
    assert permissions.missing(needs, owned_by) == [permissions.WRITE_SERVICE_PRINCIPAL]
    assert (
        permissions.missing(needs, ["directory.readwrite.all", "AppRoleAssignment.ReadWrite.All", "Directory.Read.All"])
        == []
    )
    assert permissions.WRITE_ASSIGNMENTS not in permissions.writer_requirements(assigns=False)
    assert permissions.READ_GROUPS not in permissions.writer_requirements(assigns=True)


def test_describe_names_the_alternatives() -> None:
    assert permissions.WRITE_GRANTS.describe() == "DelegatedPermissionGrant.ReadWrite.All (or Directory.ReadWrite.All)"
    assert permissions.READ_POLICIES.describe() == "Policy.Read.All"


def _doc_list(label: str) -> set[str]:
    match = re.search(rf"^\*\*{label}\*\*[^:]*:(.*?)(?:\n\n)", DOC.read_text(), re.S | re.M)
    assert match, label
    return set(re.findall(r"`([A-Za-z]+(?:\.[A-Za-z]+)+)`", match.group(1)))


def test_docs_list_the_same_sets_as_the_table() -> None:
    assert set(permissions.WRITER_PERMISSIONS) <= _doc_list("Writer")
    assert set(permissions.AUDITOR_PERMISSIONS) <= _doc_list("Auditor")
    assert set(permissions.PREFLIGHT_READ_PERMISSIONS) - set(permissions.AUDITOR_PERMISSIONS) <= _doc_list("Preflight")


def _token(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def test_claims_of_app_only_and_delegated_tokens() -> None:
    app = identity_from_token(_token({"appid": "c1", "roles": ["Application.Read.All"]}))
    assert not app.delegated and app.application_permissions == ("Application.Read.All",)
    assert identity_from_token(_token({"appid": "c1"})).application_permissions == ()  # no roles claim at all
    user = identity_from_token(_token({"azp": "c2", "scp": "User.Read Directory.Read.All", "oid": "ABC"}))
    assert (
        user.delegated and user.user_object_id == "abc" and user.delegated_scopes == ("User.Read", "Directory.Read.All")
    )


@pytest.mark.parametrize("token", ["opaque", "a.b", "a.!!!.c", f"a.{base64.urlsafe_b64encode(b'[1]').decode()}.c"])
def test_unreadable_tokens_raise_without_echoing_the_token(token: str) -> None:
    with pytest.raises(TokenClaimsError) as raised:
        identity_from_token(token)
    assert token not in str(raised.value)
