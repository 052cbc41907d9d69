"""``enpass-consent fleet (preview|up|drift)``: one Pulumi operation across many tenant stacks (docs/fleet.md)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from enpass_consent.audit import DEFAULT_CONCURRENCY as AUDIT_CONCURRENCY
from enpass_consent.commands.common import (
    EXIT_ERROR,
    UsageError,
    emit,
    format_option,
    graph_session,
    log,
    output_option,
    select_stacks,
    stack_selection,
)
from enpass_consent.fleet import DEFAULT_CONCURRENCY
from enpass_consent.fleet.drift_audit import Auditor, AuditOutcome
from enpass_consent.fleet.plan import Plan, PlanError, PolicyPacks, make_plan
from enpass_consent.fleet.report import FORMATS, render
from enpass_consent.fleet.result import FleetResult, Operation
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
    """

    def __init__(self) -> None:
        self._session = contextlib.ExitStack()
        self._factory: GraphFactory | None = None
        self._lock = threading.Lock()

    def __call__(self, project_dir: Path, stacks: list[str], /) -> Mapping[str, AuditOutcome]:
        from enpass_consent.audit.run import audit_stacks

        with self._lock:
            if self._factory is None:
                self._factory = self._session.enter_context(graph_session(AUDIT_CONCURRENCY))
            factory = self._factory
        return {tenant.stack: tenant for tenant in audit_stacks(project_dir, stacks, factory).tenants}

    def close(self) -> None:
        self._session.close()


def make_audit() -> Auditor:
    """The audit joined into ``fleet drift`` (tests replace this factory)."""
    return _OneSessionAudit()


def _run(
    operation: Operation,
    project_dir: Path,
    plan: Plan,
    concurrency: int,
    policy: PolicyPacks,
) -> FleetResult:
    try:
        from enpass_consent.fleet.progress import fleet_progress
        from enpass_consent.fleet.runner import run_fleet
    except ImportError as exc:
        raise FleetError(
            f"fleet needs the Pulumi SDK ({exc.name or exc}); install it with: pip install 'enpass-consent[pulumi]'"
        ) from None
    pulumi_command = make_pulumi_command()
    log(
        f"fleet {operation.value}: {len(plan)} stack(s), {len(plan.canaries)} canary stack(s), "
        f"concurrency {concurrency}, pulumi {pulumi_command.version or 'unknown version'}"
    )
    audit = make_audit() if operation is Operation.DRIFT else None
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
        )


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
    "--policy-pack-config",
    "policy_pack_configs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="JSON config of the --policy-pack at the same position (repeatable).",
)
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
) -> int:
    """Run pulumi preview, up, or drift (preview --refresh plus the audit) across tenant stacks.

    Exit 0 when every stack is ok/unchanged, 2 when preview or drift found changes and nothing
    failed, 1 when any stack failed (including a failed up or a failed canary) or on a usage error.
    """
    try:
        parsed_shard = parse_shard(shard) if shard is not None else None
        selection = select_stacks(stacks, all_stacks, project_dir)
        plan = make_plan(selection.stacks, canaries, parsed_shard)
    except (ShardError, PlanError) as exc:
        raise UsageError(str(exc)) from None
    policy = _policy_packs(policy_packs, policy_pack_configs)
    op = Operation(operation)
    if not len(plan):
        log(f"fleet {op.value}: shard {parsed_shard} holds none of the {len(selection.stacks)} selected stack(s)")
        result = FleetResult(op, ())
    else:
        result = _run(op, selection.project_dir, plan, concurrency, policy)
    emit(render(result, format_), output)
    return result.exit_code
