"""The guards that keep failures from hiding: golden files in CI, emulator bugs in teardown."""

from __future__ import annotations

import pytest

from enpass_consent.emulator.server import Emulator
from tests.support.golden import updating_golden_files


def test_update_golden_is_refused_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(AssertionError, match="UPDATE_GOLDEN is refused when CI is set"):
        updating_golden_files()


def test_update_golden_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    assert updating_golden_files() is True
    monkeypatch.delenv("UPDATE_GOLDEN")
    assert updating_golden_files() is False


def test_an_emulator_bug_is_recorded_for_the_teardown_guard(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(emulator, "_handle", broken)
    response = emulator.session().get(f"{emulator.graph_base}/organization", timeout=10)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "EmulatorBug"
    assert emulator.bugs == ["GET /v1.0/organization: KeyError: 'boom'"]
    emulator.bugs.clear()  # this test provoked the bug on purpose; the guard itself must stay quiet
    capsys.readouterr()


def test_the_teardown_guard_fails_a_test_that_met_an_emulator_bug(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_inner="""
        def test_expects_an_error_outcome(emulator, monkeypatch):
            def broken(*args):
                raise KeyError("boom")
            monkeypatch.setattr(emulator, "_handle", broken)
            response = emulator.session().get(emulator.graph_base + "/organization", timeout=10)
            assert response.status_code >= 500  # would pass on the bug without the guard
        """
    )
    result = pytester.runpytest_inprocess("-p", "tests.support.emulator_fixtures", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the emulator failed internally*", "GET /v1.0/organization: KeyError: 'boom'"])


REAL_CLI_TESTS = """
import pytest

@pytest.mark.needs_pulumi_cli
def test_real():
    {body}

def test_unmarked_is_deselected():
    raise AssertionError("must not run under --real-cli")
"""


@pytest.mark.parametrize(
    ("body", "exit_code", "outcomes"),
    [
        ("pass", 0, {"passed": 1, "deselected": 1}),
        ("pytest.skip('no pulumi here')", 1, {"skipped": 1, "deselected": 1}),
    ],
)
def test_real_cli_selection_fails_when_none_of_its_tests_ran(
    pytester: pytest.Pytester, body: str, exit_code: int, outcomes: dict[str, int]
) -> None:
    pytester.makeini("[pytest]\nmarkers =\n    needs_pulumi_cli: needs the pulumi CLI\n")
    pytester.makepyfile(test_inner=REAL_CLI_TESTS.format(body=body))
    result = pytester.runpytest_inprocess("-p", "tests.support.real_cli", "-p", "no:cacheprovider", "--real-cli")
    assert result.ret == exit_code
    result.assert_outcomes(**outcomes)
