"""``enpass-consent preflight``: will the first ``pulumi up`` in each tenant go right? (docs/preflight.md)."""

from __future__ import annotations

from pathlib import Path

import click

from enpass_consent.commands.common import (
    emit,
    format_option,
    graph_session,
    output_option,
    progress,
    select_stacks,
    stack_selection,
    terminal_width,
)
from enpass_consent.preflight import DEFAULT_CONCURRENCY, report
from enpass_consent.preflight.result import TenantPreflight


@click.command("preflight")
@stack_selection
@format_option("table", "json", "markdown", default="table")
@output_option
def preflight(
    stacks: tuple[str, ...],
    all_stacks: bool,
    project_dir: Path,
    format_: str,
    output: Path | None,
) -> int:
    """Check each stack's tenant before `pulumi up`, read-only. Exit 0 all pass, 2 warnings/failed checks, 1 error."""
    from enpass_consent.preflight.run import preflight_stacks  # the Graph stack loads only when needed

    selection = select_stacks(stacks, all_stacks, project_dir)
    with (
        graph_session(DEFAULT_CONCURRENCY, "preflight") as factory,
        progress("preflight", len(selection.stacks)) as advance,
    ):

        def done(result: TenantPreflight) -> None:
            # A stack's error in full on stderr: the table may wrap it, a CI log keeps it whole.
            advance(f"{result.stack}: {result.status.value}", result.error and f"{result.stack}: error: {result.error}")

        preflight_report = preflight_stacks(
            selection.project_dir, selection.stacks, factory, concurrency=DEFAULT_CONCURRENCY, on_done=done
        )
    if format_ == "table":
        emit(report.to_table(preflight_report, terminal_width(output)), output)
    else:
        emit(report.RENDERERS[format_](preflight_report), output)
    return preflight_report.exit_code
