"""``enpass-consent audit``: what Pulumi cannot see, across tenants (docs/reference.md#audit)."""

from __future__ import annotations

from pathlib import Path

import click

from enpass_consent.audit import DEFAULT_CONCURRENCY, report
from enpass_consent.audit.result import TenantResult
from enpass_consent.commands.common import (
    attribution_options,
    attribution_window,
    emit,
    format_option,
    graph_session,
    output_option,
    progress,
    select_stacks,
    stack_selection,
    terminal_width,
)


@click.command("audit")
@stack_selection
@format_option("table", "json", "markdown", default="table")
@output_option
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=256),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Tenants audited at the same time.",
)
@attribution_options
def audit(
    stacks: tuple[str, ...],
    all_stacks: bool,
    project_dir: Path,
    format_: str,
    output: Path | None,
    concurrency: int,
    attribution: bool,
    attribution_days: int | None,
) -> int:
    """Compare each stack's tenant with its stack file, read-only. Exit 0 in sync, 2 drift, 1 error.

    With --attribution each finding also says who changed it and when (the audit log); that never
    changes a tenant's status or the exit code.
    """
    from enpass_consent.audit.run import audit_stacks  # the Graph stack loads only when a command needs it

    days = attribution_window(attribution, attribution_days)
    selection = select_stacks(stacks, all_stacks, project_dir)
    with graph_session(concurrency, "audit") as factory, progress("audit", len(selection.stacks)) as advance:

        def done(result: TenantResult) -> None:
            # A stack's error in full on stderr: the table may wrap it, a CI log keeps it whole.
            advance(f"{result.stack}: {result.status.value}", result.error and f"{result.stack}: error: {result.error}")

        audit_report = audit_stacks(
            selection.project_dir,
            selection.stacks,
            factory,
            concurrency=concurrency,
            on_done=done,
            attribution_days=days,
        )
    if format_ == "table":
        emit(report.to_table(audit_report, terminal_width(output)), output)
    else:
        emit(report.RENDERERS[format_](audit_report), output)
    return audit_report.exit_code
