"""The review names scope additions/removals, assignments and SP replacement correctly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from enpass_consent.review.evaluate import (
    GRANT_TYPE,
    SECRET,
    SP_TYPE,
    UNKNOWN,
    Effect,
    FileReview,
    OtherChange,
    ServicePrincipalChange,
    effects,
    review,
    split_urn,
)
from enpass_consent.review.parse import Preview, State, Step, parse

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


# --- Steps built directly: what each kind of step sequence means for the tenant ---------------

ASSIGNMENT_TYPE = "azuread:index/appRoleAssignment:AppRoleAssignment"
PROVIDER_TYPE = "pulumi:providers:azuread"
USER = "AB12CD34-0000-4000-8000-000000000001"
GROUP_A = "3d4c5b6a-7988-4776-8c5d-4e3f2a1b0c9d"
GROUP_B = "2e3d4c5b-6a79-4887-9b6c-5d4e3f2a1b0c"


def st(
    type_: str,
    inputs: dict[str, Any] | None = None,
    outputs: dict[str, Any] | None = None,
    *,
    custom: bool = True,
    retain: bool = False,
    protect: bool = False,
) -> State:
    """A state whose outputs equal its inputs unless given."""
    inputs = inputs or {}
    return State(type_, custom, inputs, inputs if outputs is None else outputs, protect, retain)


def step(op: str, urn_: str, old: State | None = None, new: State | None = None, **extra: Any) -> Step:
    return Step(
        op,
        urn_,
        old,
        new,
        extra.get("diff_reasons", ()),
        extra.get("replace_reasons", ()),
        extra.get("detailed_diff"),
    )


def run(*steps: Step) -> FileReview:
    return review(Preview("x.json", "preview-json", steps, (), (), {}))


def test_a_resource_name_may_itself_hold_the_urn_delimiter() -> None:
    # pulumi splits a URN at its first three '::' only (sdk/go/common/resource/urn.go, URN.Name).
    assert split_urn(urn(ASSIGNMENT_TYPE, "enpass-assign-a::b")) == (
        "contoso",
        "enpass-consent",
        ASSIGNMENT_TYPE,
        "enpass-assign-a::b",
    )
    assert split_urn("urn:pulumi:contoso::enpass-consent::some:type") == (
        None,
        None,
        "",
        "urn:pulumi:contoso::enpass-consent::some:type",
    )


def test_a_replaced_grant_compares_the_replaced_state_with_the_replacement() -> None:
    # With --refresh the refresh step comes first; its states are not the replacement's.
    stale = st(GRANT_TYPE, {"claimValues": ["User.Read"]})
    refreshed = st(GRANT_TYPE, {"claimValues": ["User.Read", "Mail.Read"]})
    replacement = st(GRANT_TYPE, {"claimValues": ["User.Read", "Files.Read"]})
    grant_urn = urn(GRANT_TYPE, f"enpass-grant-{USER.lower()}")
    result = run(
        step("refresh", grant_urn, stale, stale),
        step("create-replacement", grant_urn, refreshed, replacement, replace_reasons=("resourceServicePrincipalId",)),
        step("replace", grant_urn, refreshed, replacement, replace_reasons=("resourceServicePrincipalId",)),
        step("delete-replaced", grant_urn, refreshed, None),
    )
    (grant,) = result.grants
    assert grant.action == "replace"
    assert (grant.scopes_before, grant.scopes_after) == (("Mail.Read", "User.Read"), ("Files.Read", "User.Read"))
    assert (grant.scopes_added, grant.scopes_removed) == (("Files.Read",), ("Mail.Read",))


def test_a_replacement_seen_only_by_its_delete_replaced_step_has_no_new_side() -> None:
    # A log cut short (or filtered with --target) may hold only the delete of the replaced object.
    old = st(GRANT_TYPE, {"claimValues": ["User.Read"], "userObjectId": USER})
    (grant,) = run(step("delete-replaced", urn(GRANT_TYPE, f"enpass-grant-{USER.lower()}"), old, None)).grants
    assert (grant.action, grant.scopes_before, grant.scopes_after, grant.user_object_id) == (
        "replace",
        ("User.Read",),
        None,
        USER,
    )


@pytest.mark.parametrize(
    ("steps", "kind", "action"),
    [
        ([step("create", "not-a-urn", None, st(GRANT_TYPE))], "grants", "create"),
        ([step("delete", "not-a-urn", st(ASSIGNMENT_TYPE), None)], "assignments", "delete"),
        ([step("create-replacement", "not-a-urn", None, st(GRANT_TYPE))], "grants", "replace"),
        ([step("delete-replaced", "not-a-urn", st(ASSIGNMENT_TYPE), None)], "assignments", "replace"),
        ([step("refresh", "not-a-urn", st(GRANT_TYPE, {"claimValues": ["User.Read"]}), None)], "grants", "delete"),
    ],
)
def test_a_step_whose_urn_names_no_type_is_classified_by_its_state(steps: list[Step], kind: str, action: str) -> None:
    result = run(*steps)
    (change,) = getattr(result, kind)
    assert change.action == action and result.other_changes == ()


def test_a_refresh_reports_a_change_made_outside_pulumi_with_what_entra_holds() -> None:
    # The program still asks for User.Read (inputs); the provider read Mail.Read too (outputs).
    before = st(GRANT_TYPE, {"claimValues": ["User.Read"]})
    after = st(GRANT_TYPE, {"claimValues": ["User.Read"]}, {"claimValues": ["User.Read", "Mail.Read"]})
    grant_urn = urn(GRANT_TYPE, "enpass-grant")
    (effect,) = effects([step("refresh", grant_urn, before, after, diff_reasons=("claimValues",))])
    assert effect == Effect(grant_urn, GRANT_TYPE, "enpass-grant", "update", before, after, ("claimValues",), True)
    (grant,) = run(step("refresh", grant_urn, before, after)).grants
    assert (grant.action, grant.outside_pulumi, grant.scopes_added, grant.scopes_removed) == (
        "update",
        True,
        ("Mail.Read",),
        (),
    )


def test_a_refresh_that_reads_what_pulumi_knew_is_no_effect() -> None:
    same = st(GRANT_TYPE, {"claimValues": ["User.Read"]})
    assert (
        effects(
            [step("refresh", urn(GRANT_TYPE, "enpass-grant"), same, st(GRANT_TYPE, {"claimValues": ["User.Read"]}))]
        )
        == []
    )


def test_a_refresh_that_finds_the_sp_gone_says_so_with_its_urn() -> None:
    sp_urn = urn(SP_TYPE, "enpass-sp")
    result = run(step("refresh", sp_urn, st(SP_TYPE, {"appRoleAssignmentRequired": True}, retain=True), None))
    sp = result.service_principal
    assert sp == ServicePrincipalChange(sp_urn, "delete", True, False, (), True)
    assert sp.disconnects_users and result.assignment_required is None


def test_an_update_names_its_reasons_from_the_detailed_diff_when_it_gives_no_diff_reasons() -> None:
    old = st(SP_TYPE, {"appRoleAssignmentRequired": True, "notes": "a"})
    new = st(SP_TYPE, {"appRoleAssignmentRequired": True, "notes": "b"})
    sp_urn = urn(SP_TYPE, "enpass-sp")
    result = run(step("update", sp_urn, old, new, detailed_diff={"notes": "update"}))
    assert result.service_principal is not None and result.service_principal.reasons == ("notes",)
    result = run(step("update", sp_urn, old, new, diff_reasons=("tags",), detailed_diff={"notes": "update"}))
    assert result.service_principal is not None and result.service_principal.reasons == ("tags",)


def test_only_the_enpass_sp_is_the_enpass_sp() -> None:
    other_sp = urn(SP_TYPE, "contoso-other-app")
    not_an_sp = urn(PROVIDER_TYPE, "enpass-sp")
    result = run(
        step("delete", other_sp, st(SP_TYPE, {"appRoleAssignmentRequired": True}), None),
        step("create", not_an_sp, None, st(PROVIDER_TYPE)),
    )
    assert result.service_principal is None and result.assignment_required is None
    assert result.other_changes == (
        OtherChange(other_sp, SP_TYPE, "delete"),
        OtherChange(not_an_sp, PROVIDER_TYPE, "create"),
    )


def test_components_write_nothing_and_a_state_less_step_is_listed() -> None:
    component = urn(COMPONENT, "enpass")
    provider = urn(PROVIDER_TYPE, "default")
    result = run(
        step("create", component, None, st(COMPONENT, custom=False)),
        step("create", provider, None, None),
    )
    assert result.other_changes == (OtherChange(provider, PROVIDER_TYPE, "create"),)
    # Neither the URN nor a state says what it is: listed, with no type made up.
    assert run(step("create", "not-a-urn")).other_changes == (OtherChange("not-a-urn", "", "create"),)
    # An SP step without any state: its options are unknown, not false.
    sp = run(step("delete", urn(SP_TYPE, "enpass-sp"))).service_principal
    assert sp is not None and (sp.retain_on_delete, sp.protect) == (None, None)


def test_an_sp_replacement_reports_the_replaced_objects_options() -> None:
    # The object deleted is the old one: its retainOnDelete and protect are what the review shows,
    # not the replacement's.
    sp_urn = urn(SP_TYPE, "enpass-sp")
    old = st(SP_TYPE, {"clientId": "a"}, retain=False, protect=True)
    new = st(SP_TYPE, {"clientId": "b"}, retain=True, protect=False)
    result = run(
        step("create-replacement", sp_urn, old, new, replace_reasons=("clientId",)),
        step("replace", sp_urn, old, new, replace_reasons=("clientId",)),
        step("delete-replaced", sp_urn, old, None),
    )
    assert result.service_principal == ServicePrincipalChange(sp_urn, "replace", False, True, ("clientId",), False)
    # The replacement alone, the SP's only change: users are disconnected, nothing else changes.
    assert result.grants == () and result.assignments == () and result.status == "changes"
    created = run(step("create", sp_urn, None, new)).service_principal
    assert created is not None and (created.retain_on_delete, created.protect) == (True, False)


@pytest.mark.parametrize(
    ("op", "old", "new", "expected"),
    [
        ("import", None, True, None),  # adopting the SP changes nothing
        ("delete", True, None, None),  # deleting it is the SP's own (loud) change
        ("create", None, True, (None, True)),
        ("update", True, False, (True, False)),
        ("update", True, UNKNOWN, (True, None)),  # known only after apply: still a change to look at
        ("update", True, True, None),
    ],
)
def test_assignment_required_changes(op: str, old: Any, new: Any, expected: Any) -> None:
    sp_urn = urn(SP_TYPE, "enpass-sp")
    before = None if old is None else st(SP_TYPE, {"appRoleAssignmentRequired": old})
    after = None if new is None else st(SP_TYPE, {"appRoleAssignmentRequired": new})
    assert run(step(op, sp_urn, before, after)).assignment_required == expected


def test_a_deleted_grant_removes_its_scopes_and_hides_nothing() -> None:
    old = st(GRANT_TYPE, {"claimValues": ["User.Read"]})
    (grant,) = run(step("delete", urn(GRANT_TYPE, "enpass-grant"), old, None)).grants
    assert (grant.scopes_after, grant.scopes_removed, grant.scopes_hidden) == (None, ("User.Read",), False)


@pytest.mark.parametrize(
    ("before", "after", "scopes_before", "scopes_after"),
    [
        (["User.Read"], SECRET, ("User.Read",), None),
        (SECRET, ["User.Read"], None, ("User.Read",)),
        # The unknown value may well be Mail.Read: its removal is not known either.
        (["User.Read", "Mail.Read"], ["User.Read", UNKNOWN], ("Mail.Read", "User.Read"), None),
    ],
)
def test_a_grant_with_one_side_hidden_is_flagged_and_nothing_guessed(
    before: Any, after: Any, scopes_before: Any, scopes_after: Any
) -> None:
    old = st(GRANT_TYPE, {"claimValues": before})
    new = st(GRANT_TYPE, {"claimValues": after})
    (grant,) = run(step("update", urn(GRANT_TYPE, "enpass-grant"), old, new)).grants
    assert grant.scopes_hidden and (grant.scopes_before, grant.scopes_after) == (scopes_before, scopes_after)
    assert (grant.scopes_added, grant.scopes_removed) == ((), ())
    assert run(step("update", urn(GRANT_TYPE, "enpass-grant"), old, new)).consent_changes


def test_a_per_user_grant_names_the_user_its_state_names() -> None:
    grant_urn = urn(GRANT_TYPE, f"enpass-grant-{USER.lower()}")
    (created,) = run(step("create", grant_urn, None, st(GRANT_TYPE, {"userObjectId": USER}))).grants
    assert created.user_object_id == USER
    # Unknown until apply (or a secret): the user id the resource name carries.
    for hidden in (UNKNOWN, SECRET):
        (grant,) = run(step("create", grant_urn, None, st(GRANT_TYPE, {"userObjectId": hidden}))).grants
        assert grant.user_object_id == USER.lower()
    (tenant_wide,) = run(step("create", urn(GRANT_TYPE, "enpass-grant"), None, st(GRANT_TYPE, {}))).grants
    assert tenant_wide.user_object_id is None


def test_an_assignment_replaced_or_updated_to_another_principal_names_both() -> None:
    name = "enpass-assign-admins"
    assign_urn = urn(ASSIGNMENT_TYPE, name)
    old = st(ASSIGNMENT_TYPE, {"principalObjectId": GROUP_A})
    new = st(ASSIGNMENT_TYPE, {"principalObjectId": GROUP_B.upper()})
    cases = {
        "replace": (GROUP_B, GROUP_A),
        "update": (GROUP_B, GROUP_A),
        "delete": (GROUP_A, None),
    }
    for op, (current, previous) in cases.items():
        (change,) = run(step(op, assign_urn, old, None if op == "delete" else new)).assignments
        assert (change.key, change.principal_object_id, change.previous_principal_object_id) == (
            "admins",
            current,
            previous,
        ), op
    (same_principal,) = run(
        step("replace", assign_urn, old, st(ASSIGNMENT_TYPE, {"principalObjectId": GROUP_A}))
    ).assignments
    assert same_principal.previous_principal_object_id is None
    (created,) = run(step("create", assign_urn, None, new)).assignments
    assert created.previous_principal_object_id is None


def test_an_assignment_not_named_by_the_program_keeps_its_whole_name_as_key() -> None:
    (change,) = run(step("create", urn(ASSIGNMENT_TYPE, "adopted-admins"), None, st(ASSIGNMENT_TYPE))).assignments
    assert (change.name, change.key) == ("adopted-admins", "adopted-admins")


def test_the_old_side_is_what_entra_held_and_the_new_side_what_the_program_asks() -> None:
    # Outputs of the old state are the provider's last read; inputs of the new state the program's ask.
    old = st(GRANT_TYPE, {"claimValues": ["User.Read"]}, {"claimValues": ["User.Read", "Mail.Read"]})
    new = st(GRANT_TYPE, {"claimValues": ["User.Read", "Files.Read"]}, {"claimValues": ["User.Read"]})
    (grant,) = run(step("update", urn(GRANT_TYPE, "enpass-grant"), old, new)).grants
    assert (grant.scopes_added, grant.scopes_removed) == (("Files.Read",), ("Mail.Read",))
    # A side that lacks the key in one place takes it from the other.
    old_inputs_only = State(GRANT_TYPE, True, {"claimValues": ["User.Read"]}, {}, False, False)
    new_outputs_only = State(GRANT_TYPE, True, {}, {"claimValues": ["Mail.Read"]}, False, False)
    (grant,) = run(step("update", urn(GRANT_TYPE, "enpass-grant"), old_inputs_only, new_outputs_only)).grants
    assert (grant.scopes_added, grant.scopes_removed) == (("Mail.Read",), ("User.Read",))
