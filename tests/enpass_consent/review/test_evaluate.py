"""The review names scope additions/removals, assignments and SP replacement correctly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from enpass_consent.review.evaluate import GRANT_TYPE, SP_TYPE, UNKNOWN, FileReview, review, split_urn
from enpass_consent.review.parse import parse

FIXTURES = Path(__file__).parent / "fixtures"
COMPONENT = "enpass-consent:index:EnpassConsent"


def fixture(name: str) -> FileReview:
    return review(parse((FIXTURES / name).read_text(encoding="utf-8"), name))


def urn(type_: str, name: str, stack: str = "contoso") -> str:
    return f"urn:pulumi:{stack}::enpass-consent::{COMPONENT}${type_}::{name}"


def state(type_: str, inputs: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"custom": True, "type": type_, "inputs": inputs, **extra}


def digest(*steps: dict[str, Any], **extra: Any) -> str:
    return json.dumps({"steps": list(steps), **extra})


def test_scope_added_and_removed() -> None:
    (grant,) = fixture("scope-change.preview.json").grants
    assert (grant.name, grant.user_object_id, grant.action) == ("enpass-grant", None, "update")
    assert grant.scopes_added == ("openid",)
    assert grant.scopes_removed == ("Group.Read.All",)


def test_first_rollout_adds_every_scope_and_sets_assignment_required() -> None:
    result = fixture("first-rollout.events.jsonl")
    assert result.stack == "contoso" and result.format == "event-log"
    assert result.service_principal is not None and result.service_principal.action == "create"
    assert not result.service_principal.disconnects_users
    assert result.assignment_required == (None, True)
    (grant,) = result.grants
    assert len(grant.scopes_added) == 8 and grant.scopes_removed == ()
    (assignment,) = result.assignments
    assert (assignment.action, assignment.principal_object_id) == ("create", "7c3a1b2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")


def test_assignment_created_and_deleted_with_principal() -> None:
    result = fixture("assignment-change.preview.json")
    actions = {(a.action, a.principal_object_id) for a in result.assignments}
    assert actions == {
        ("create", "3d4c5b6a-7988-4776-8c5d-4e3f2a1b0c9d"),
        ("delete", "2e3d4c5b-6a79-4887-9b6c-5d4e3f2a1b0c"),
    }
    assert result.service_principal is None and result.grants == ()


def test_sp_replacement_is_one_replace_that_disconnects_users() -> None:
    for name in ("sp-replacement.preview.json", "sp-replacement.events.jsonl"):
        result = fixture(name)
        sp = result.service_principal
        assert sp is not None and sp.action == "replace" and sp.disconnects_users
        assert sp.reasons == ("clientId",) and sp.retain_on_delete is True
        assert [g.action for g in result.grants] == ["replace"]
        assert result.status == "changes"


def test_no_op_is_no_change() -> None:
    for name in ("no-op.preview.json", "no-op.events.jsonl"):
        result = fixture(name)
        assert result.status == "no_changes" and not result.consent_changes
        assert result.other_changes == () and result.grants == ()


def test_deleted_per_user_grant_removes_all_its_scopes() -> None:
    user = "AB12CD34-0000-4000-8000-000000000001"
    old = state(GRANT_TYPE, {"claimValues": ["User.Read", "offline_access"], "userObjectId": user})
    result = review(
        parse(
            digest(
                {
                    "op": "delete",
                    "urn": urn(GRANT_TYPE, f"enpass-grant-{user.lower()}"),
                    "oldState": old,
                    "detailedDiff": None,
                }
            ),
            "x.json",
        )
    )
    (grant,) = result.grants
    assert grant.user_object_id == user and grant.action == "delete"
    assert grant.scopes_removed == ("offline_access", "User.Read") and grant.scopes_after is None


def test_scopes_compare_case_insensitively_in_catalog_spelling() -> None:
    old = state(GRANT_TYPE, {"claimValues": ["user.read", "SITES.READWRITE.ALL"]})
    new = state(GRANT_TYPE, {"claimValues": ["User.Read", "Sites.ReadWrite.All", "Mail.Read"]})
    text = digest(
        {
            "op": "update",
            "urn": urn(GRANT_TYPE, "enpass-grant"),
            "oldState": old,
            "newState": new,
            "diffReasons": ["claimValues"],
            "detailedDiff": None,
        }
    )
    (grant,) = review(parse(text, "x.json")).grants
    assert grant.scopes_added == ("Mail.Read",) and grant.scopes_removed == ()


def test_secret_or_unknown_scopes_are_flagged_not_guessed() -> None:
    old = state(GRANT_TYPE, {"claimValues": "[secret]"})
    new = state(GRANT_TYPE, {"claimValues": ["User.Read", UNKNOWN]})
    text = digest(
        {"op": "update", "urn": urn(GRANT_TYPE, "enpass-grant"), "oldState": old, "newState": new, "detailedDiff": None}
    )
    (grant,) = review(parse(text, "x.json")).grants
    assert grant.scopes_hidden and grant.scopes_before is None and grant.scopes_after is None
    assert review(parse(text, "x.json")).consent_changes


def test_assignment_required_flip_on_update_without_detailed_diff() -> None:
    old = state(SP_TYPE, {"appRoleAssignmentRequired": True}, outputs={"appRoleAssignmentRequired": True})
    new = state(SP_TYPE, {"appRoleAssignmentRequired": False})
    text = digest(
        {
            "op": "update",
            "urn": urn(SP_TYPE, "enpass-sp"),
            "oldState": old,
            "newState": new,
            "diffReasons": ["appRoleAssignmentRequired"],
            "detailedDiff": None,
        }
    )
    result = review(parse(text, "x.json"))
    assert result.assignment_required == (True, False) and result.status == "changes"
    assert result.service_principal is not None and not result.service_principal.disconnects_users


def test_sp_notes_only_update_is_not_consent_relevant() -> None:
    old = state(SP_TYPE, {"appRoleAssignmentRequired": True, "notes": "a"})
    new = state(SP_TYPE, {"appRoleAssignmentRequired": True, "notes": "b"})
    text = digest(
        {
            "op": "update",
            "urn": urn(SP_TYPE, "enpass-sp"),
            "oldState": old,
            "newState": new,
            "diffReasons": ["notes"],
            "detailedDiff": {"notes": {"kind": "update", "inputDiff": True}},
        }
    )
    assert review(parse(text, "x.json")).status == "no_changes"


def test_sp_delete_without_retain_is_loud() -> None:
    old = state(SP_TYPE, {"appRoleAssignmentRequired": False})
    result = review(
        parse(
            digest({"op": "delete", "urn": urn(SP_TYPE, "enpass-sp"), "oldState": old, "detailedDiff": None}), "x.json"
        )
    )
    assert result.service_principal is not None and result.service_principal.disconnects_users
    assert result.service_principal.retain_on_delete is False


def test_import_changes_nothing_in_the_tenant() -> None:
    new = state(GRANT_TYPE, {"claimValues": ["User.Read"]})
    text = digest({"op": "import", "urn": urn(GRANT_TYPE, "enpass-grant"), "newState": new, "detailedDiff": None})
    result = review(parse(text, "x.json"))
    assert [g.action for g in result.grants] == ["import"] and result.status == "no_changes"


def test_refresh_found_grant_deleted_outside_pulumi() -> None:
    old = state(GRANT_TYPE, {"claimValues": ["User.Read"]})
    line = {
        "sequence": 1,
        "timestamp": 0,
        "resourcePreEvent": {
            "metadata": {
                "op": "refresh",
                "urn": urn(GRANT_TYPE, "enpass-grant"),
                "type": GRANT_TYPE,
                "old": old,
                "new": None,
                "detailedDiff": None,
                "provider": "",
            }
        },
    }
    (grant,) = review(parse(json.dumps(line) + "\n", "x.jsonl")).grants
    assert grant.action == "delete" and grant.outside_pulumi and grant.scopes_removed == ("User.Read",)


def test_refresh_then_same_is_no_change() -> None:
    s = state(GRANT_TYPE, {"claimValues": ["User.Read"]}, outputs={"claimValues": ["User.Read"]})
    drifted = {**s, "outputs": {"claimValues": ["User.Read", "Mail.Read"]}}
    events = [
        {
            "sequence": 1,
            "resourcePreEvent": {
                "metadata": {
                    "op": "refresh",
                    "urn": urn(GRANT_TYPE, "enpass-grant"),
                    "type": GRANT_TYPE,
                    "old": s,
                    "new": drifted,
                }
            },
        },
        {
            "sequence": 2,
            "resourcePreEvent": {
                "metadata": {
                    "op": "same",
                    "urn": urn(GRANT_TYPE, "enpass-grant"),
                    "type": GRANT_TYPE,
                    "old": drifted,
                    "new": drifted,
                }
            },
        },
    ]
    text = "".join(json.dumps(e) + "\n" for e in events)
    assert review(parse(text, "x.jsonl")).grants == ()


def test_policy_violations_and_errors_from_the_event_log() -> None:
    events = [
        {
            "sequence": 1,
            "policyEvent": {
                "resourceUrn": urn(SP_TYPE, "enpass-sp"),
                "message": "not Enpass\n",
                "policyName": "enpass-client-id-pinned",
                "policyPackName": "enpass-consent",
                "policyPackVersion": "0.1.0",
                "enforcementLevel": "mandatory",
            },
        },
        {"sequence": 2, "diagnosticEvent": {"message": "boom", "severity": "error", "color": "never"}},
        {"sequence": 3, "diagnosticEvent": {"message": "fyi", "severity": "warning", "color": "never"}},
    ]
    result = review(parse("".join(json.dumps(e) + "\n" for e in events), "x.jsonl"))
    (violation,) = result.policy_violations
    assert (violation.policy_name, violation.message) == ("enpass-client-id-pinned", "not Enpass")
    assert [e.message for e in result.errors] == ["boom"]
    assert result.status == "error"


def test_split_urn() -> None:
    assert split_urn(urn(SP_TYPE, "enpass-sp", "t1")) == ("t1", "enpass-consent", SP_TYPE, "enpass-sp")
    assert split_urn("not-a-urn") == (None, None, "", "not-a-urn")
