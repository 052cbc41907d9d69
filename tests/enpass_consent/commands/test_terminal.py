"""A sign-in prompt never lands inside a running progress bar: the bar stops for the whole interaction."""

from __future__ import annotations

import sys

import pytest

from enpass_consent.commands import common


def test_prompt_pauses_the_running_bar(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    seen: list[tuple[str, bool]] = []
    with common.progress("audit", 3) as advance:
        bar = common.TERMINAL._bar
        assert bar is not None and bar.live.is_started
        with common.TERMINAL.paused():
            seen.append(("prompting", bar.live.is_started))
            common.TERMINAL.prompt("Sign in for tenant t (stack s).")
        seen.append(("after", bar.live.is_started))
        advance("s: in_sync")
    assert seen == [("prompting", False), ("after", True)]
    assert common.TERMINAL._bar is None  # no bar once progress has ended
    assert "Sign in for tenant t (stack s)." in capsys.readouterr().err


def test_without_a_bar_pausing_does_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with common.progress("audit", 3) as advance:  # stderr is not a terminal here: no bar at all
        with common.TERMINAL.paused():
            common.TERMINAL.prompt("Sign in for tenant t (stack s).")
        advance("s: in_sync")
    assert capsys.readouterr().err == "Sign in for tenant t (stack s).\n"


def characters(text: str) -> list[str]:
    """Every character but whitespace, in any order: what a wrapped table must still hold."""
    return sorted("".join(text.split()))


def test_a_table_wraps_to_the_terminal_and_elsewhere_keeps_every_row_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from enpass_consent.cli import main

    monkeypatch.setenv("COLUMNS", "72")
    assert main(["explain"]) == 0
    piped = capsys.readouterr().out
    assert max(len(line) for line in piped.splitlines()) > 72  # a pipe or a file: one line per row, nothing cut

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["explain"]) == 0
    on_terminal = capsys.readouterr().out
    assert max(len(line) for line in on_terminal.splitlines()) <= 72
    assert len(on_terminal.splitlines()) > len(piped.splitlines())
    assert "…" not in on_terminal and characters(on_terminal) == characters(piped)  # wrapped within columns, not cut
