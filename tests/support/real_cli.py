"""``--real-cli``: run exactly the tests marked ``needs_pulumi_cli``, and fail unless one of them ran.

``scripts/check --real-cli`` uses it, so a machine with the Pulumi CLI proves those tests execute
instead of skipping.
"""

from __future__ import annotations

import pytest

REAL_CLI_MARK = "needs_pulumi_cli"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--real-cli",
        action="store_true",
        help=f"run only the tests marked {REAL_CLI_MARK}; fail unless at least one of them ran",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--real-cli"):
        return
    selected = [item for item in items if item.get_closest_marker(REAL_CLI_MARK)]
    config.hook.pytest_deselected(items=[item for item in items if item not in selected])
    items[:] = selected


class _RealCliTally:
    def __init__(self) -> None:
        self.ran = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # logreport, not makereport: under xdist only the controller's hooks see every result.
        if report.when == "call" and not report.skipped:
            self.ran += 1


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--real-cli"):
        config.pluginmanager.register(_RealCliTally(), "real-cli-tally")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    tally = session.config.pluginmanager.get_plugin("real-cli-tally")
    if tally is not None and tally.ran == 0:
        session.config.get_terminal_writer().line(
            f"--real-cli: none of the {REAL_CLI_MARK} tests ran (all skipped or none selected); "
            "put the pulumi CLI on PATH and try again",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
