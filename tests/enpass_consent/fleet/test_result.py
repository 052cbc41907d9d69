"""A stack's status, the change summary and the one-line error of a fleet result."""

from __future__ import annotations

from pulumi.automation.events import OpType

from enpass_consent.fleet.result import Operation, Status, changes_of, engine_status, short_message


def test_changes_drop_same_and_zero_and_take_the_sdks_enum_keys_by_value() -> None:
    summary = {OpType.UPDATE: 2, OpType.SAME: 7, OpType.CREATE: 0, "delete": 1}
    assert changes_of(summary) == {"delete": 1, "update": 2}
    assert changes_of(None) == {} and changes_of({}) == {}


def test_a_successful_stack_has_changes_unless_it_was_an_up() -> None:
    assert engine_status(Operation.PREVIEW, {"update": 1}) is Status.CHANGES
    assert engine_status(Operation.PREVIEW, {}) is Status.OK
    assert engine_status(Operation.UP, {"update": 1}) is Status.OK


def test_an_error_without_words_still_says_it_failed() -> None:
    assert short_message("") == "failed (no message)"
    assert short_message("  \n ") == "failed (no message)"
    assert short_message("a\n  b") == "a b"
