from __future__ import annotations

import io

from enpass_consent.fleet.progress import fleet_progress
from enpass_consent.fleet.result import StackResult, Status


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_when_stderr_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with fleet_progress("up", 2, stream) as callbacks:
        assert callbacks.on_done is not None
        callbacks.on_done(StackResult("contoso", Status.OK))
        callbacks.on_done(StackResult("fabrikam", Status.FAILED, error="boom"))
    # A failed stack's error is on the same line, in full.
    assert stream.getvalue().splitlines() == ["fleet up: [1/2] contoso ok", "fleet up: [2/2] fabrikam failed: boom"]


def test_progress_bar_on_a_terminal() -> None:
    stream = _Terminal()
    with fleet_progress("preview", 1, stream) as callbacks:
        assert callbacks.on_start is not None and callbacks.on_done is not None
        callbacks.on_start("contoso")
        callbacks.on_done(StackResult("contoso", Status.FAILED, {}, "cannot select stack 'contoso'"))
    assert "fleet preview" in stream.getvalue() and "1/1" in stream.getvalue()
    assert "contoso: cannot select stack 'contoso'" in stream.getvalue()


def test_nothing_for_an_empty_run() -> None:
    stream = io.StringIO()
    with fleet_progress("drift", 0, stream) as callbacks:
        assert callbacks.on_start is None and callbacks.on_done is None
    assert stream.getvalue() == ""
