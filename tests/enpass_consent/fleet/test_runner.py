from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from enpass_consent.commands.common import EXIT_DRIFT, EXIT_ERROR, EXIT_OK
from enpass_consent.findings import Severity
from enpass_consent.fleet.drift_audit import AuditOutcome, StackAudit
from enpass_consent.fleet.plan import make_plan
from enpass_consent.fleet.result import Operation, Status
from enpass_consent.fleet.runner import PreviewingCommand, command_error_message, run_fleet

from .conftest import FakeAudit, scope_extra
from .fake_pulumi import Behaviour, FakePulumiCommand

CHANGES = {
    "contoso": {"same": 4, "update": 1},
    "fabrikam": {"same": 5},
    "northwind": {"create": 2, "same": 0},
}


def _fake(**kwargs: object) -> FakePulumiCommand:
    return FakePulumiCommand(Behaviour(stacks={k: dict(v) for k, v in CHANGES.items()}, **kwargs))  # type: ignore[arg-type]


def test_events_arrive_over_the_grpc_stream_like_a_current_cli(tmp_path: Path) -> None:
    fake = _fake()
    result = run_fleet(Operation.PREVIEW, make_plan(["contoso"]), tmp_path, fake)
    previews = fake.operations("preview")
    assert len(previews) == 1
    event_log = previews[0][previews[0].index("--event-log") + 1]
    assert event_log.startswith("tcp://127.0.0.1:")  # the SDK's gRPC server, not a file
    # The change summary can only have come from the summaryEvent streamed over gRPC.
    assert result.stacks[0].changes == {"update": 1}


def test_preview_reports_changes_without_same_and_unchanged_as_empty(tmp_path: Path) -> None:
    fake = _fake()
    result = run_fleet(Operation.PREVIEW, make_plan(["contoso", "fabrikam", "northwind"]), tmp_path, fake)
    by_stack = {s.stack: s for s in result.stacks}
    assert by_stack["contoso"].status is Status.CHANGES and by_stack["contoso"].changes == {"update": 1}
    assert by_stack["fabrikam"].status is Status.OK and by_stack["fabrikam"].changes == {}
    assert by_stack["northwind"].changes == {"create": 2}
    assert result.exit_code == EXIT_DRIFT
    assert all(s.error is None for s in result.stacks)
    # Stacks are selected, never created, and nothing else is run.
    assert not [c for c in fake.calls if "init" in c]
    assert {tuple(c[1:3]) for c in fake.calls} == {("install",), ("stack", "select"), ("preview", "--color")}


def test_all_unchanged_exits_0(tmp_path: Path) -> None:
    result = run_fleet(Operation.PREVIEW, make_plan(["fabrikam"]), tmp_path, _fake())
    assert [s.status for s in result.stacks] == [Status.OK]
    assert result.exit_code == EXIT_OK


def test_up_is_ok_with_its_applied_changes_and_a_failed_up_fails(tmp_path: Path) -> None:
    fake = _fake(fail={"northwind": "azuread:index:ServicePrincipalDelegatedPermissionGrant 409 Conflict"})
    result = run_fleet(Operation.UP, make_plan(["contoso", "fabrikam", "northwind"]), tmp_path, fake)
    by_stack = {s.stack: s for s in result.stacks}
    assert by_stack["contoso"].status is Status.OK and by_stack["contoso"].changes == {"update": 1}
    assert by_stack["fabrikam"].status is Status.OK
    assert by_stack["northwind"].status is Status.FAILED
    assert "409 Conflict" in (by_stack["northwind"].error or "")
    assert result.exit_code == EXIT_ERROR
    ups = fake.operations("up")
    # The SDK adds --skip-preview to every up; the fleet takes it out, so pulumi previews first.
    assert len(ups) == 3 and all("--yes" in c and "--skip-preview" not in c for c in ups)
    assert all(c[c.index("--event-log") + 1].startswith("tcp://") for c in ups)


def test_up_skips_the_preview_only_when_asked(tmp_path: Path) -> None:
    fake = _fake()
    result = run_fleet(Operation.UP, make_plan(["contoso", "fabrikam"]), tmp_path, fake, skip_preview=True)
    assert [s.status for s in result.stacks] == [Status.OK, Status.OK]
    ups = fake.operations("up")
    assert len(ups) == 2 and all("--skip-preview" in c for c in ups)


def test_a_second_run_may_skip_the_install(tmp_path: Path) -> None:
    fake = _fake()
    run_fleet(Operation.UP, make_plan(["contoso"]), tmp_path, fake, install=False)
    assert not fake.operations("install") and fake.operations("up")


def test_missing_stack_is_failed_and_every_stack_appears_once(tmp_path: Path) -> None:
    fake = _fake()
    result = run_fleet(Operation.PREVIEW, make_plan(["contoso", "ghost", "fabrikam"]), tmp_path, fake)
    assert [s.stack for s in result.stacks] == ["contoso", "ghost", "fabrikam"]
    ghost = result.stacks[1]
    assert ghost.status is Status.FAILED
    assert ghost.error == "cannot select stack 'ghost': no stack named 'ghost' found"
    assert not [c for c in fake.operations("preview") if "ghost" in c]
    assert result.exit_code == EXIT_ERROR


def test_error_messages_are_short_and_redacted(tmp_path: Path) -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    fake = _fake(fail={"contoso": f"request failed with Authorization: Bearer {token} " + "x" * 2000})
    result = run_fleet(Operation.PREVIEW, make_plan(["contoso"]), tmp_path, fake)
    error = result.stacks[0].error or ""
    assert token not in error and "[REDACTED]" in error
    assert len(error) <= 400


@pytest.mark.parametrize(
    "leak",
    [
        "client_secret=fake-s3cr3t-value",
        "ARM_CLIENT_SECRET=fake-s3cr3t-value",
        '{"client_secret": "fake-s3cr3t-value"}',
        "Authorization: Bearer fake-s3cr3t-value",
        "PULUMI_ACCESS_TOKEN pul-0123456789abcdef0123456789abcdef01234567",
    ],
)
def test_every_kind_of_secret_is_redacted_from_errors(tmp_path: Path, leak: str) -> None:
    fake = _fake(fail={"contoso": f"provider said: {leak}"})
    error = run_fleet(Operation.PREVIEW, make_plan(["contoso"]), tmp_path, fake).stacks[0].error or ""
    assert "fake-s3cr3t-value" not in error and "pul-0123456789abcdef" not in error, error


def test_canary_failure_stops_the_rollout_before_any_other_stack(tmp_path: Path) -> None:
    fake = _fake(fail={"fabrikam": "boom"})
    plan = make_plan(["contoso", "northwind", "extra"], canaries=["fabrikam", "contoso"])
    result = run_fleet(Operation.UP, plan, tmp_path, fake)
    assert [s.stack for s in result.stacks] == ["fabrikam", "contoso", "northwind", "extra"]
    assert [s.status for s in result.stacks] == [Status.FAILED, Status.SKIPPED, Status.SKIPPED, Status.SKIPPED]
    assert set(fake.stacks_touched()) == {"fabrikam"}  # no select, preview or up of anything else
    assert result.stacks[1].error == "not run: canary 'fabrikam' failed"
    assert result.exit_code == EXIT_ERROR


def test_a_missing_canary_also_stops_the_rollout(tmp_path: Path) -> None:
    fake = _fake()
    result = run_fleet(Operation.PREVIEW, make_plan(["contoso"], canaries=["ghost"]), tmp_path, fake)
    assert [(s.stack, s.status) for s in result.stacks] == [("ghost", Status.FAILED), ("contoso", Status.SKIPPED)]
    assert set(fake.stacks_touched()) == {"ghost"}


def test_canaries_run_one_at_a_time_in_order_before_the_rest(tmp_path: Path) -> None:
    fake = _fake(sleep=0.02)
    plan = make_plan(["contoso", "fabrikam", "northwind"], canaries=["northwind", "contoso"])
    result = run_fleet(Operation.PREVIEW, plan, tmp_path, fake, concurrency=4)
    previews = [c[c.index("--stack") + 1] for c in fake.operations("preview")]
    assert previews == ["northwind", "contoso", "fabrikam"]
    assert [s.stack for s in result.stacks] == ["northwind", "contoso", "fabrikam"]


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_stays_within_its_bound(tmp_path: Path, concurrency: int) -> None:
    stacks = {f"tenant-{i:02d}": {"same": 1} for i in range(12)}
    fake = FakePulumiCommand(Behaviour(stacks=stacks, sleep=0.05))
    result = run_fleet(Operation.PREVIEW, make_plan(list(stacks)), tmp_path, fake, concurrency=concurrency)
    assert 1 <= fake.max_concurrent <= concurrency
    assert len(fake.operations("preview")) == 12
    assert [s.stack for s in result.stacks] == list(stacks)


def test_drift_refreshes_and_never_uses_expect_no_changes(tmp_path: Path) -> None:
    fake = _fake()
    run_fleet(Operation.DRIFT, make_plan(["contoso", "fabrikam"]), tmp_path, fake, audit=FakeAudit())
    previews = fake.operations("preview")
    assert len(previews) == 2
    assert all("--refresh" in c and "--expect-no-changes" not in c for c in previews)


def test_drift_joins_engine_changes_and_audit_findings(tmp_path: Path) -> None:
    stacks = {"clean": {"same": 3}, "engine": {"same": 2, "update": 1}, "audit": {"same": 3}, "info": {"same": 3}}
    audit = FakeAudit(
        {
            "audit": StackAudit(findings=(scope_extra("Mail.Read"),)),
            "info": StackAudit(findings=(scope_extra("openid", Severity.INFO),)),
        }
    )
    fake = FakePulumiCommand(Behaviour(stacks=stacks))
    result = run_fleet(Operation.DRIFT, make_plan(list(stacks)), tmp_path, fake, audit=audit)
    status = {s.stack: s.status for s in result.stacks}
    assert status == {"clean": Status.OK, "engine": Status.CHANGES, "audit": Status.CHANGES, "info": Status.OK}
    assert [f.actual for f in result.stacks[2].findings] == ["Mail.Read"]
    assert result.exit_code == EXIT_DRIFT
    assert sorted(audit.audited) == sorted(stacks)


def test_drift_audit_error_fails_that_stack_only(tmp_path: Path) -> None:
    audit = FakeAudit({"contoso": StackAudit(error="Graph returned 503 after 4 retries")})
    result = run_fleet(Operation.DRIFT, make_plan(["contoso", "fabrikam"]), tmp_path, _fake(), audit=audit)
    contoso, fabrikam = result.stacks
    assert contoso.status is Status.FAILED and contoso.error == "audit: Graph returned 503 after 4 retries"
    assert contoso.changes == {"update": 1}
    assert fabrikam.status is Status.OK
    assert result.exit_code == EXIT_ERROR


def test_drift_audit_that_raises_or_forgets_a_stack_fails_the_stacks_concerned(tmp_path: Path) -> None:
    raising = FakeAudit(raises=RuntimeError("no credentials"))
    result = run_fleet(Operation.DRIFT, make_plan(["contoso", "fabrikam"]), tmp_path, _fake(), audit=raising)
    assert {s.status for s in result.stacks} == {Status.FAILED}
    assert all("the audit failed: RuntimeError: no credentials" in (s.error or "") for s in result.stacks)

    def forgetful(project_dir: Path, stacks: list[str], /) -> dict[str, StackAudit]:
        return {}

    result = run_fleet(Operation.DRIFT, make_plan(["fabrikam"]), tmp_path, _fake(), audit=forgetful)
    assert result.stacks[0].status is Status.FAILED
    assert result.stacks[0].error == "audit: no result for this stack"


def test_drift_canary_failure_audits_nothing_else(tmp_path: Path) -> None:
    audit = FakeAudit({"contoso": StackAudit(error="token request failed")})
    plan = make_plan(["fabrikam", "northwind"], canaries=["contoso"])
    result = run_fleet(Operation.DRIFT, plan, tmp_path, _fake(), audit=audit)
    assert audit.calls == [["contoso"]]
    assert set(_statuses(result.stacks)) == {
        ("contoso", Status.FAILED),
        ("fabrikam", Status.SKIPPED),
        ("northwind", Status.SKIPPED),
    }


def test_empty_plan_touches_nothing(tmp_path: Path) -> None:
    fake = _fake()
    result = run_fleet(Operation.UP, make_plan([]), tmp_path, fake)
    assert result.stacks == () and result.exit_code == EXIT_OK and fake.calls == []


def test_progress_callbacks_see_every_stack_once(tmp_path: Path) -> None:
    started: list[str] = []
    done: list[str] = []
    plan = make_plan(["contoso", "fabrikam", "northwind"], canaries=["ghost"])
    run_fleet(
        Operation.PREVIEW, plan, tmp_path, _fake(), on_start=started.append, on_done=lambda r: done.append(r.stack)
    )
    assert started == ["ghost"]
    assert sorted(done) == sorted(plan.stacks)


def _statuses(stacks: tuple[object, ...]) -> list[tuple[str, Status]]:
    return [(s.stack, s.status) for s in stacks]  # type: ignore[attr-defined]


def test_a_preview_without_summary_event_fails_that_stack_only(tmp_path: Path) -> None:
    fake = _fake(no_summary=["contoso"])
    result = run_fleet(Operation.PREVIEW, make_plan(["contoso", "fabrikam"]), tmp_path, fake)
    assert result.stacks[0].status is Status.FAILED
    assert result.stacks[0].error == "RuntimeError: summary event never found"
    assert result.stacks[0].changes == {}
    assert result.stacks[1].status is Status.OK


def test_an_up_without_summary_event_takes_its_changes_from_the_update_history(tmp_path: Path) -> None:
    fake = _fake(no_summary=["contoso"])
    result = run_fleet(Operation.UP, make_plan(["contoso"]), tmp_path, fake, skip_preview=True)
    assert _statuses(result.stacks) == [("contoso", Status.OK)]
    assert result.stacks[0].changes == {"update": 1}


def test_a_failed_operation_without_summary_event_has_no_changes(tmp_path: Path) -> None:
    fake = _fake(no_summary=["contoso"], fail={"contoso": "boom"})
    (result,) = run_fleet(Operation.PREVIEW, make_plan(["contoso"]), tmp_path, fake).stacks
    assert (result.status, result.changes, result.error) == (Status.FAILED, {}, "preview failed")


def test_up_does_not_ask_for_secrets_in_the_history(tmp_path: Path) -> None:
    fake = _fake()
    run_fleet(Operation.UP, make_plan(["fabrikam"]), tmp_path, fake)
    history = [c for c in fake.calls if c[1:3] == ["stack", "history"]]
    assert history and all("--show-secrets" not in c for c in history)


def test_plugins_and_dependencies_are_installed_once_before_the_fan_out(tmp_path: Path) -> None:
    fake = _fake()
    run_fleet(Operation.PREVIEW, make_plan(["contoso", "fabrikam", "northwind"]), tmp_path, fake, concurrency=3)
    commands = [c[1] for c in fake.calls]
    assert commands.count("install") == 1
    assert commands.index("install") < commands.index("stack") < commands.index("preview")


def test_a_failed_install_fails_every_stack_and_runs_nothing(tmp_path: Path) -> None:
    fake = _fake(install_error="could not download plugin azuread")
    result = run_fleet(Operation.UP, make_plan(["contoso", "fabrikam"], ["northwind"]), tmp_path, fake)
    assert [(s.stack, s.status) for s in result.stacks] == [
        ("northwind", Status.FAILED),
        ("contoso", Status.FAILED),
        ("fabrikam", Status.FAILED),
    ]
    assert result.stacks[0].error == "pulumi install failed: could not download plugin azuread"
    assert fake.stacks_touched() == []
    assert result.exit_code == EXIT_ERROR
    assert result.operation is Operation.UP and all(s.changes == {} for s in result.stacks)


# --- command_error_message: the one line a failed CLI call leaves in the report ---------------


def _error(stderr: str, stdout: str = "", code: int = 255) -> auto.CommandError:
    return auto.CommandError(auto.CommandResult(stdout, stderr, code))


@pytest.mark.parametrize(
    ("diagnostics", "stderr", "expected"),
    [
        # The engine's error diagnostic wins, its lines joined.
        (["  \n", "error: the grant\n  is invalid\n"], "error: ignored", "error: the grant is invalid"),
        # A program's traceback: its last line, the exception.
        (
            ['Traceback (most recent call last):\n  File "__main__.py", line 3\nValueError: bad tenant\n'],
            "",
            "ValueError: bad tenant",
        ),
        # Otherwise stderr's error lines, the generic closing line left out, at most two.
        (
            [],
            "warning: slow\nerror: update failed\nerror: grant: 409 Conflict\nerror: second\nerror: third\n",
            "grant: 409 Conflict; second",
        ),
        # Only generic lines (matched in any case): the first of them.
        ([], "Error: Preview failed\nerror: update failed\nsee the log\n", "Preview failed"),
        # No error line at all: stderr's last line.
        ([], "one\ntwo\nlast words\n", "last words"),
    ],
)
def test_a_failed_cli_call_leaves_one_specific_line(diagnostics: list[str], stderr: str, expected: str) -> None:
    assert command_error_message(_error(stderr), diagnostics) == expected


def test_a_silent_failure_names_the_exit_code() -> None:
    # stdout may span lines and mention a code of its own; the exit code is the CLI's.
    exc = _error("", stdout="npm code: E404\nmore output", code=7)
    assert command_error_message(exc) == "pulumi exited with code 7 and no message"


# --- PreviewingCommand: `up` previews first, everything else is forwarded untouched -----------


class _Recorder(auto.PulumiCommand):
    def __init__(self) -> None:  # no `pulumi version`
        self.command = "/opt/pulumi/bin/pulumi"
        self.version = None
        self.calls: list[tuple[Any, ...]] = []

    def run(self, args: list[str], cwd: str, additional_env: Any, on_output: Any = None, on_error: Any = None) -> Any:
        self.calls.append((args, cwd, additional_env, on_output, on_error))
        return auto.CommandResult("", "", 0)


def test_previewing_command_drops_skip_preview_from_up_only() -> None:
    inner = _Recorder()
    command = PreviewingCommand(inner)
    assert (command.command, command.version) == ("/opt/pulumi/bin/pulumi", None)
    env = {"PULUMI_CONFIG_PASSPHRASE": "x"}

    def out(text: str) -> None: ...

    def err(text: str) -> None: ...

    command.run(["up", "--yes", "--skip-preview", "--stack", "a"], "/project", env, out, err)
    command.run(["preview", "--skip-preview"], "/other", {}, None, None)
    assert inner.calls == [
        (["up", "--yes", "--stack", "a"], "/project", env, out, err),
        (["preview", "--skip-preview"], "/other", {}, None, None),
    ]


def test_drift_finishes_every_stack_once_also_when_the_audit_ends_last(tmp_path: Path) -> None:
    fake = _fake()
    names = ["contoso", "fabrikam", "northwind"]
    audit = FakeAudit({"fabrikam": StackAudit(findings=(scope_extra("Mail.Read"),))})

    def slow_audit(project_dir: Path, stacks: list[str], /) -> Mapping[str, AuditOutcome]:
        # The engines of all stacks have answered before the audit does.
        deadline = time.monotonic() + 30
        while len(fake.operations("preview")) < len(names) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        return audit(project_dir, stacks)

    done: list[tuple[str, Status]] = []
    result = run_fleet(
        Operation.DRIFT,
        make_plan(names),
        tmp_path,
        fake,
        audit=slow_audit,
        on_done=lambda r: done.append((r.stack, r.status)),
    )
    expected = [("contoso", Status.CHANGES), ("fabrikam", Status.CHANGES), ("northwind", Status.CHANGES)]
    assert _statuses(result.stacks) == expected
    assert sorted(done) == expected  # once each, never first failed for want of an audit
    assert [f.actual for f in result.stacks[1].findings] == ["Mail.Read"]


def test_every_operation_runs_without_colour(tmp_path: Path) -> None:
    fake = _fake()
    run_fleet(Operation.PREVIEW, make_plan(["contoso"]), tmp_path, fake)
    run_fleet(Operation.UP, make_plan(["contoso"]), tmp_path, fake)
    operations = fake.operations("preview") + fake.operations("up")
    assert len(operations) == 2 and all(call[call.index("--color") + 1] == "never" for call in operations)


class _Recording(FakePulumiCommand):
    """Also records the folder each command runs in; `install` may fail outside the CLI."""

    def __init__(self, behaviour: Behaviour, raises: Mapping[str, Exception] | None = None) -> None:
        super().__init__(behaviour)
        self.folders: list[str] = []
        self.raises = dict(raises or {})  # subcommand ("install", "select") -> what running it raises

    def run(self, args: list[str], cwd: str, additional_env: Any, on_output: Any = None, on_error: Any = None) -> Any:
        self.folders.append(cwd)
        for subcommand, error in self.raises.items():
            if subcommand in args:
                raise error
        return super().run(args, cwd, additional_env, on_output, on_error)


def test_every_command_runs_in_the_project_folder(tmp_path: Path) -> None:
    fake = _Recording(Behaviour(stacks={k: dict(v) for k, v in CHANGES.items()}))
    run_fleet(Operation.PREVIEW, make_plan(["contoso", "fabrikam"]), tmp_path, fake)
    assert fake.folders and set(fake.folders) == {str(tmp_path.resolve())}


def test_an_install_that_fails_outside_the_cli_names_the_error(tmp_path: Path) -> None:
    fake = _Recording(Behaviour(stacks={"contoso": {}}), raises={"install": FileNotFoundError("pulumi not found")})
    result = run_fleet(Operation.DRIFT, make_plan(["contoso"]), tmp_path, fake)
    assert result.operation is Operation.DRIFT
    assert [(s.status, s.error) for s in result.stacks] == [(Status.FAILED, "pulumi install failed: pulumi not found")]


def test_preview_and_up_never_call_the_audit(tmp_path: Path) -> None:
    audit = FakeAudit()
    run_fleet(Operation.PREVIEW, make_plan(["contoso", "fabrikam"]), tmp_path, _fake(), audit=audit)
    run_fleet(Operation.UP, make_plan(["contoso"], ["fabrikam"]), tmp_path, _fake(), audit=audit)
    assert audit.calls == []


def test_a_failed_drift_stack_keeps_its_findings_and_every_reason(tmp_path: Path) -> None:
    audit = FakeAudit({"contoso": StackAudit(findings=(scope_extra("Mail.Read"),), error="token expired")})
    fake = _fake(fail={"contoso": "grant 409 Conflict"})
    (result,) = run_fleet(Operation.DRIFT, make_plan(["contoso"]), tmp_path, fake, audit=audit).stacks
    assert result.status is Status.FAILED
    assert result.error == "grant 409 Conflict; audit: token expired"
    assert [f.actual for f in result.findings] == ["Mail.Read"]


def test_a_concurrency_below_one_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^concurrency must be at least 1 \(got 0\)$"):
        run_fleet(Operation.PREVIEW, make_plan(["contoso"]), tmp_path, _fake(), concurrency=0)
    assert run_fleet(Operation.DRIFT, make_plan([]), tmp_path, _fake()).operation is Operation.DRIFT


def test_an_error_in_a_progress_callback_cancels_the_stacks_not_yet_started(tmp_path: Path) -> None:
    fake = _fake(sleep=0.3)

    def on_done(result: object) -> None:
        raise RuntimeError("progress display broke")

    with pytest.raises(RuntimeError, match="progress display broke"):
        run_fleet(
            Operation.PREVIEW,
            make_plan(["contoso", "fabrikam", "northwind"]),
            tmp_path,
            fake,
            concurrency=1,
            on_done=on_done,
        )
    # The first stack finished, the second may have started; the third never does.
    assert len(fake.operations("preview")) < 3


def test_a_stack_that_cannot_be_selected_for_another_reason_fails_alone(tmp_path: Path) -> None:
    fake = _Recording(Behaviour(stacks={"contoso": {}}), raises={"select": PermissionError("state locked")})
    (result,) = run_fleet(Operation.PREVIEW, make_plan(["contoso"]), tmp_path, fake).stacks
    assert (result.status, result.changes, result.error) == (
        Status.FAILED,
        {},
        "cannot select stack 'contoso': PermissionError: state locked",
    )


def test_only_drift_refreshes(tmp_path: Path) -> None:
    fake = _fake()
    run_fleet(Operation.PREVIEW, make_plan(["contoso"]), tmp_path, fake)
    run_fleet(Operation.UP, make_plan(["fabrikam"]), tmp_path, fake)
    assert not [call for call in fake.calls if "--refresh" in call]
