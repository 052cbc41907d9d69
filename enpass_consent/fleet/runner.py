"""Run one fleet operation over a plan with the Pulumi Automation API (docs/fleet.md).

One ``LocalWorkspace`` on the project folder serves every stack: each CLI call carries
``--stack``, so concurrent operations on different stacks do not interfere. Stacks are selected,
never created. Canaries run first, one at a time; when one fails, nothing else is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi.automation.events import EngineEvent

from enpass_consent.attribution.result import Attribution, LastChange
from enpass_consent.findings import Finding
from enpass_consent.fleet import DEFAULT_CONCURRENCY
from enpass_consent.fleet.drift_audit import Auditor, AuditOutcome, StackAudit, default_audit
from enpass_consent.fleet.plan import Plan, PolicyPacks
from enpass_consent.fleet.result import (
    FleetResult,
    Operation,
    StackResult,
    Status,
    changes_of,
    engine_status,
    short_message,
)

OnStart = Callable[[str], None]
OnDone = Callable[[StackResult], None]

# Pulumi's closing line on a failed operation says nothing the diagnostics do not say better.
_GENERIC_ERRORS = ("error: preview failed", "error: update failed", "error: refresh failed")


@dataclass(frozen=True)
class _EngineOutcome:
    changes: dict[str, int]
    error: str | None


SKIP_PREVIEW = "--skip-preview"


class PreviewingCommand(auto.PulumiCommand):
    """The pulumi CLI, with ``up`` previewing before it updates, as ``pulumi up --yes`` does.

    The SDK's ``Stack.up`` always passes ``--yes --skip-preview`` (``pulumi/automation/_stack.py``),
    so a stack would be changed without the preview in which a mandatory policy or a program error
    stops the update before anything is touched. Without ``--skip-preview`` the CLI previews first and
    proceeds only when the preview succeeded (pulumi/pulumi ``pkg/backend/apply.go``,
    ``PreviewThenPromptThenExecute``; ``--yes`` skips only the question). The summary event of the
    update comes after the preview's, so the last summary event is what was applied.
    """

    def __init__(self, inner: auto.PulumiCommand) -> None:
        # No super().__init__(): it would run `pulumi version` again; this only forwards.
        self.inner = inner
        self.command = inner.command
        self.version = inner.version

    def run(
        self,
        args: list[str],
        cwd: str,
        additional_env: Mapping[str, str],
        on_output: auto.OnOutput | None = None,
        on_error: auto.OnOutput | None = None,
    ) -> auto.CommandResult:
        if args[:1] == ["up"]:
            args = [arg for arg in args if arg != SKIP_PREVIEW]
        return self.inner.run(args, cwd, additional_env, on_output, on_error)


class _EventCollector:
    """``on_event``: the last summary event's change counts and the error diagnostics."""

    def __init__(self) -> None:
        self.resource_changes: dict[str, int] | None = None
        self.errors: list[str] = []

    def __call__(self, event: EngineEvent) -> None:
        if event.summary_event is not None:
            self.resource_changes = changes_of(event.summary_event.resource_changes)
        diagnostic = event.diagnostic_event
        if diagnostic is not None and diagnostic.severity == "error" and diagnostic.message.strip():
            self.errors.append(diagnostic.message)


def command_error_message(exc: auto.CommandError, diagnostics: Sequence[str] = ()) -> str:
    """A short reason for a failed CLI call: the engine's error diagnostic, else stderr's ``error:`` lines.

    ``CommandError`` keeps only ``str(CommandResult)`` ("code: …, stdout: …, stderr: …"), so stderr is
    cut out of that text. Secrets are redacted and the length is bounded by ``short_message``.
    """
    for message in diagnostics:
        lines = [line.strip() for line in message.splitlines() if line.strip()]
        if lines:
            # A program's traceback ends with the exception that matters.
            return short_message(lines[-1] if any("Traceback" in line for line in lines) else " ".join(lines))
    text = str(exc)
    head, _, stderr = text.partition("\n stderr: ")
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error:")]
    specific = [line for line in errors if line.lower() not in _GENERIC_ERRORS]
    chosen = specific[:2] or errors[:1] or lines[-1:]
    if chosen:
        return short_message(
            "; ".join(line[len("error:") :].strip() if line.lower().startswith("error:") else line for line in chosen)
        )
    code = head.partition("code: ")[2].split("\n", 1)[0].strip()
    return short_message(f"pulumi exited with code {code or 'unknown'} and no message")


class _FleetRun:
    def __init__(
        self,
        operation: Operation,
        project_dir: Path,
        workspace: auto.LocalWorkspace,
        audit: Auditor,
        on_start: OnStart | None,
        on_done: OnDone | None,
        policy: PolicyPacks,
    ) -> None:
        self.operation = operation
        self.project_dir = project_dir
        self.workspace = workspace
        self.audit = audit
        self.policy = policy
        self.on_start = on_start
        self.on_done = on_done
        self.results: dict[str, StackResult] = {}

    def engine(self, name: str) -> _EngineOutcome:
        """Select the stack and run the operation; never raises (the stack is then ``failed``)."""
        if self.on_start is not None:
            self.on_start(name)
        try:
            stack = auto.Stack.select(name, self.workspace)
        except auto.CommandError as exc:
            return _EngineOutcome({}, short_message(f"cannot select stack {name!r}: {command_error_message(exc)}"))
        except Exception as exc:
            return _EngineOutcome({}, short_message(f"cannot select stack {name!r}: {type(exc).__name__}: {exc}"))
        events = _EventCollector()
        try:
            if self.operation is Operation.UP:
                up = stack.up(
                    color="never",
                    on_event=events,
                    show_secrets=False,
                    policy_packs=self.policy.pack_list,
                    policy_pack_configs=self.policy.config_list,
                )
                summary = events.resource_changes
                if summary is None:
                    summary = changes_of(up.summary.resource_changes)
            else:
                # drift: --refresh reads the tenant first; expect_no_changes is not used because
                # the SDK then raises and the change summary is lost.
                preview = stack.preview(
                    color="never",
                    on_event=events,
                    refresh=True if self.operation is Operation.DRIFT else None,
                    policy_packs=self.policy.pack_list,
                    policy_pack_configs=self.policy.config_list,
                )
                summary = changes_of(preview.change_summary)
        except auto.CommandError as exc:
            return _EngineOutcome(events.resource_changes or {}, command_error_message(exc, events.errors))
        except Exception as exc:  # the SDK's own failures ("summary event never found", gRPC): this stack only
            return _EngineOutcome(events.resource_changes or {}, short_message(f"{type(exc).__name__}: {exc}"))
        return _EngineOutcome(summary, None)

    def audit_stacks(self, names: list[str]) -> Mapping[str, AuditOutcome]:
        """The injected audit; its failure as a whole fails each stack it was asked about."""
        if self.operation is not Operation.DRIFT or not names:
            return {}
        try:
            return self.audit(self.project_dir, list(names))
        except Exception as exc:
            error = short_message(f"the audit failed: {type(exc).__name__}: {exc}")
            return {name: StackAudit(error=error) for name in names}

    def finish(self, name: str, engine: _EngineOutcome, audits: Mapping[str, AuditOutcome]) -> StackResult:
        findings: tuple[Finding, ...] = ()
        attribution: Attribution | None = None
        last_changes: tuple[LastChange | None, ...] | None = None
        errors = [engine.error] if engine.error else []
        if self.operation is Operation.DRIFT:
            outcome = audits.get(name)
            if outcome is None:
                errors.append("audit: no result for this stack")
            else:
                findings = tuple(outcome.findings)
                # Optional on an outcome (the real audit has them; an injected one may not).
                attribution = getattr(outcome, "attribution", None)
                last_changes = getattr(outcome, "last_changes", None)
                if outcome.error:
                    errors.append(f"audit: {short_message(outcome.error)}")
        if errors:
            error = short_message("; ".join(errors))
            result = StackResult(name, Status.FAILED, engine.changes, error, findings, attribution, last_changes)
        else:
            status = engine_status(self.operation, engine.changes, findings)
            result = StackResult(name, status, engine.changes, None, findings, attribution, last_changes)
        self.results[name] = result
        if self.on_done is not None:
            self.on_done(result)
        return result

    def skip(self, name: str, canary: str) -> None:
        self._record(StackResult(name, Status.SKIPPED, {}, f"not run: canary {canary!r} failed"))

    def fail(self, name: str, reason: str) -> StackResult:
        """``name`` failed before its operation could start."""
        return self._record(StackResult(name, Status.FAILED, {}, reason))

    def _record(self, result: StackResult) -> StackResult:
        self.results[result.stack] = result
        if self.on_done is not None:
            self.on_done(result)
        return result

    def run_canaries(self, canaries: tuple[str, ...]) -> str | None:
        """Run the canaries in order, one at a time; the name of the first that failed, if any."""
        for name in canaries:
            engine = self.engine(name)
            result = self.finish(name, engine, self.audit_stacks([name]))
            if result.status is Status.FAILED:
                return name
        return None

    def run_rest(self, names: tuple[str, ...], concurrency: int) -> None:
        """The other stacks, at most ``concurrency`` CLI operations at once; drift audits them alongside."""
        audits: Mapping[str, AuditOutcome] | None = None if self.operation is Operation.DRIFT else {}
        done: dict[str, _EngineOutcome] = {}
        with (
            ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="fleet") as pool,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="fleet-audit") as audit_pool,
        ):
            futures: dict[Future[_EngineOutcome], str] = {pool.submit(self.engine, name): name for name in names}
            audit_future = audit_pool.submit(self.audit_stacks, list(names))
            pending: list[Future[Any]] = [*futures, audit_future]
            try:
                for future in as_completed(pending):
                    if future is audit_future:
                        audits = audit_future.result()
                        for name, engine in done.items():
                            self.finish(name, engine, audits)
                        continue
                    name = futures[future]
                    done[name] = future.result()
                    if audits is not None:
                        self.finish(name, done[name], audits)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise


def run_fleet(
    operation: Operation,
    plan: Plan,
    project_dir: Path,
    pulumi_command: auto.PulumiCommand,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    audit: Auditor | None = None,
    on_start: OnStart | None = None,
    on_done: OnDone | None = None,
    policy: PolicyPacks | None = None,
    skip_preview: bool = False,
    install: bool = True,
) -> FleetResult:
    """Run ``operation`` on every stack of ``plan``; every stack appears exactly once in the result.

    ``policy``: CrossGuard packs run with every preview and up, so a deploy is guarded too, not only
    the pull request's preview. ``up`` previews each stack before updating it unless ``skip_preview``
    (the user's ``--skip-preview``). ``install``: run ``pulumi install`` first (a run right after
    another on the same project may skip it).
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1 (got {concurrency})")
    if not len(plan):
        return FleetResult(operation, ())
    if operation is Operation.UP and not skip_preview:
        pulumi_command = PreviewingCommand(pulumi_command)
    workspace = auto.LocalWorkspace(work_dir=str(project_dir.resolve()), pulumi_command=pulumi_command)
    run = _FleetRun(
        operation, project_dir, workspace, audit or default_audit, on_start, on_done, policy or PolicyPacks()
    )
    try:
        # Plugins and the program's virtualenv are installed once, before the fan-out: concurrent
        # operations would otherwise race to download the same plugin and pip-install the same venv.
        if install:
            workspace.install()
    except Exception as exc:
        reason = short_message(
            f"pulumi install failed: {command_error_message(exc) if isinstance(exc, auto.CommandError) else exc}"
        )
        return FleetResult(operation, tuple(run.fail(name, reason) for name in plan.stacks))
    failed_canary = run.run_canaries(plan.canaries)
    if failed_canary is None:
        run.run_rest(plan.rest, concurrency)
    else:
        for name in plan.stacks:
            if name not in run.results:
                run.skip(name, failed_canary)
    return FleetResult(operation, tuple(run.results[name] for name in plan.stacks))
