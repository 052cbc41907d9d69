"""``enpass-consent fleet (preview|up|drift)``: one Pulumi operation across many tenant stacks (docs/fleet.md)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from enpass_consent import stackfile
from enpass_consent.audit import DEFAULT_CONCURRENCY as AUDIT_CONCURRENCY
from enpass_consent.commands.common import (
    EXIT_ERROR,
    UsageError,
    attribution_options,
    attribution_window,
    emit,
    format_option,
    graph_session,
    log,
    output_option,
    select_stacks,
    stack_selection,
    terminal_width,
)
from enpass_consent.fleet import DEFAULT_CONCURRENCY
from enpass_consent.fleet.drift_audit import Auditor, AuditOutcome
from enpass_consent.fleet.plan import Plan, PlanError, PolicyPacks, make_plan
from enpass_consent.fleet.report import FORMATS, render
from enpass_consent.fleet.result import FleetResult, Operation, Status
from enpass_consent.fleet.shard import ShardError, parse_shard

if TYPE_CHECKING:
    from pulumi.automation import PulumiCommand

    from enpass_consent.graph.factory import GraphFactory


class FleetError(click.ClickException):
    """The fleet cannot run at all (no pulumi, no SDK): exit 1 with the message and no document."""

    exit_code = EXIT_ERROR


def make_pulumi_command() -> PulumiCommand:
    """The ``pulumi`` on PATH. Tests replace this factory: ``PulumiCommand()`` runs ``pulumi version``."""
    if shutil.which("pulumi") is None:
        raise FleetError(
            "the pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/iac/download-install/) "
            "and sign in to the stacks' backend (pulumi login)"
        )
    from pulumi import automation as auto

    try:
        return auto.PulumiCommand()
    except (OSError, subprocess.CalledProcessError, auto.InvalidVersionError) as exc:
        raise FleetError(f"cannot use the pulumi CLI on PATH: {exc}") from None


class _OneSessionAudit:
    """The real audit for a whole ``fleet drift``: one Graph session and credential for every call.

    Canaries are audited one at a time and the rest together; without this each call would build a
    new session pool and token caches (and a person signing in with a device code would be asked again).
    The session opens here, before any stack is touched, so a bad ``ENPASS_CONSENT_*`` variable stops
    the run before the first preview.
    """

    def __init__(self, attribution_days: int | None = None) -> None:
        self._attribution_days = attribution_days
        self._session = contextlib.ExitStack()
        self._factory: GraphFactory = self._session.enter_context(graph_session(AUDIT_CONCURRENCY, "fleet drift"))

    def __call__(self, project_dir: Path, stacks: list[str], /) -> Mapping[str, AuditOutcome]:
        from enpass_consent.audit.run import audit_stacks

        report = audit_stacks(project_dir, stacks, self._factory, attribution_days=self._attribution_days)
        return {tenant.stack: tenant for tenant in report.tenants}

    def close(self) -> None:
        self._session.close()


def make_audit(attribution_days: int | None = None) -> Auditor:
    """The audit joined into ``fleet drift`` (tests replace this factory)."""
    return _OneSessionAudit(attribution_days)


def _sdk() -> None:
    """The Pulumi SDK is an extra of this package: say how to get it before anything starts."""
    try:
        import enpass_consent.fleet.runner  # noqa: F401
    except ImportError as exc:
        raise FleetError(
            f"fleet needs the Pulumi SDK ({exc.name or exc}); from a clone of this project install it with "
            "pip install -e '.[pulumi]' (or pip install -r requirements.txt)"
        ) from None


def _run(
    operation: Operation,
    project_dir: Path,
    plan: Plan,
    pulumi_command: PulumiCommand,
    concurrency: int,
    policy: PolicyPacks,
    *,
    skip_preview: bool = False,
    install: bool = True,
    attribution_days: int | None = None,
) -> FleetResult:
    from enpass_consent.fleet.progress import fleet_progress
    from enpass_consent.fleet.runner import run_fleet

    log(
        f"fleet {operation.value}: {len(plan)} stack(s), {len(plan.canaries)} canary stack(s), "
        f"concurrency {concurrency}, pulumi {pulumi_command.version or 'unknown version'}"
    )
    if operation is not Operation.DRIFT:
        audit = None
    elif attribution_days is None:
        audit = make_audit()  # tests' factories take no argument when attribution is off
    else:
        audit = make_audit(attribution_days)
    with contextlib.ExitStack() as cleanup, fleet_progress(operation.value, len(plan)) as callbacks:
        if isinstance(audit, _OneSessionAudit):
            cleanup.callback(audit.close)
        return run_fleet(
            operation,
            plan,
            project_dir,
            pulumi_command,
            concurrency=concurrency,
            audit=audit,
            on_start=callbacks.on_start,
            on_done=callbacks.on_done,
            policy=policy,
            skip_preview=skip_preview,
            install=install,
        )


def is_interactive() -> bool:
    """Whether someone can be asked: stdin and stderr are terminals (tests replace this)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _confirmed_by_preview(
    project_dir: Path, plan: Plan, pulumi_command: PulumiCommand, concurrency: int, policy: PolicyPacks
) -> bool:
    """Preview the selection, show the fleet summary on stderr and ask for ``yes``, as ``pulumi up`` asks."""
    preview = _run(Operation.PREVIEW, project_dir, plan, pulumi_command, concurrency, policy)
    click.echo(render(preview, "table", shutil.get_terminal_size().columns), err=True, nl=False)
    if preview.count(Status.FAILED) or preview.count(Status.SKIPPED):
        log(f"fleet up: the preview failed for {preview.count(Status.FAILED)} stack(s); nothing was deployed")
        return False
    # Not click.prompt: it echoes a space to stdout, which must hold nothing but the document.
    click.echo(
        f"Deploy to {len(plan)} stack(s), {preview.count(Status.CHANGES)} with changes? Type yes to continue: ",
        err=True,
        nl=False,
    )
    answer = sys.stdin.readline()
    if answer.strip() != "yes":
        log("fleet up: not confirmed; nothing was deployed")
        return False
    return True


def _policy_packs(packs: tuple[Path, ...], configs: tuple[Path, ...]) -> PolicyPacks:
    """Absolute paths (pulumi runs in the project folder), checked before any stack is touched."""
    for pack in packs:
        if not (pack / "PulumiPolicy.yaml").is_file():
            raise UsageError(f"--policy-pack: {pack} is not a policy pack (no PulumiPolicy.yaml in it)")
    for config in configs:
        if not config.is_file():
            raise UsageError(f"--policy-pack-config: no such file {config}")
    if len(configs) > len(packs):
        raise UsageError("--policy-pack-config: more configs than --policy-pack folders (they pair by position)")
    return PolicyPacks(tuple(str(p.resolve()) for p in packs), tuple(str(c.resolve()) for c in configs))


@click.command("fleet")
@click.argument("operation", type=click.Choice([op.value for op in Operation]), metavar="preview|up|drift")
@stack_selection
@format_option(*FORMATS, default="table")
@output_option
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Most preview/up operations at once (each is a pulumi process).",
)
@click.option(
    "--canary",
    "canaries",
    multiple=True,
    metavar="NAME",
    help="Run this stack first, alone, in the order given (repeatable); if one fails nothing else runs.",
)
@click.option(
    "--shard", default=None, metavar="I/N", help="Only the stacks of shard I of N (1-based), for CI matrices."
)
@click.option(
    "--policy-pack",
    "policy_packs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Run this CrossGuard pack with every preview and up (repeatable), e.g. --policy-pack policy.",
)
@click.option(
    "--yes",
    "assume_yes",
    is_flag=True,
    help="fleet up: deploy without asking (required when not run from a terminal, as in CI).",
)
@click.option(
    "--skip-preview",
    is_flag=True,
    help="fleet up: let pulumi update without previewing each stack first (not recommended).",
)
@click.option(
    "--policy-pack-config",
    "policy_pack_configs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="JSON config of the --policy-pack at the same position (repeatable).",
)
@attribution_options
def fleet(
    operation: str,
    stacks: tuple[str, ...],
    all_stacks: bool,
    project_dir: Path,
    format_: str,
    output: Path | None,
    concurrency: int,
    canaries: tuple[str, ...],
    shard: str | None,
    policy_packs: tuple[Path, ...],
    policy_pack_configs: tuple[Path, ...],
    assume_yes: bool,
    skip_preview: bool,
    attribution: bool,
    attribution_days: int | None,
) -> int:
    """Run pulumi preview, up, or drift (preview --refresh plus the audit) across tenant stacks.

    fleet up asks first, like pulumi up: on a terminal it previews the selection, shows the summary
    and deploys only after you type yes; elsewhere (CI) it needs --yes. Each stack is previewed by
    pulumi before it is updated unless --skip-preview is given. Every path is checked before any
    stack is touched.

    Exit 0 when every stack is ok/unchanged, 2 when preview or drift found changes and nothing
    failed, 1 when any stack failed (including a failed up or a failed canary), on a usage error, or
    when a deploy was not confirmed.
    """
    op = Operation(operation)
    if op is not Operation.UP:
        for flag, given in (("--yes", assume_yes), ("--skip-preview", skip_preview)):
            if given:
                raise UsageError(f"{flag} applies to fleet up only")
    days = attribution_window(attribution, attribution_days)
    if days is not None and op is not Operation.DRIFT:
        raise UsageError("--attribution applies to fleet drift only")
    try:
        parsed_shard = parse_shard(shard) if shard is not None else None
        selection = select_stacks(stacks, all_stacks, project_dir)
        plan = make_plan(selection.stacks, canaries, parsed_shard)
        stackfile.stack_config_dir(selection.project_dir)
    except (ShardError, PlanError, stackfile.StackFileError) as exc:
        raise UsageError(str(exc)) from None
    policy = _policy_packs(policy_packs, policy_pack_configs)
    if op is Operation.UP and not assume_yes and not is_interactive():
        raise UsageError(
            "fleet up changes every selected tenant: pass --yes to deploy without being asked "
            "(required when not run from a terminal, as in CI); nothing was deployed"
        )
    if not len(plan):
        log(f"fleet {op.value}: shard {parsed_shard} holds none of the {len(selection.stacks)} selected stack(s)")
        result = FleetResult(op, ())
    else:
        _sdk()
        pulumi_command = make_pulumi_command()
        install = True
        if op is Operation.UP and not assume_yes:
            if not _confirmed_by_preview(selection.project_dir, plan, pulumi_command, concurrency, policy):
                return EXIT_ERROR
            install = False  # the preview has just installed the plugins and the virtualenv
        result = _run(
            op,
            selection.project_dir,
            plan,
            pulumi_command,
            concurrency,
            policy,
            skip_preview=skip_preview,
            install=install,
            attribution_days=days,
        )
    emit(render(result, format_, terminal_width(output)), output)
    return result.exit_code
