"""``enpass-consent init``: the stack file of a tenant (or of every row of a CSV file), optionally its stack.

The only command that creates stack files and stacks. With ``--from-tenant`` the settings describe
the tenant's Enpass consent as it is, and what settings cannot hold is listed with its audit finding.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from enpass_consent import clouds, stackfile
from enpass_consent.commands.common import (
    EXIT_ERROR,
    UsageError,
    emit,
    format_option,
    graph_session,
    progress,
    terminal_width,
)
from enpass_consent.init import DEFAULT_CONCURRENCY

if TYPE_CHECKING:
    from enpass_consent.graph.factory import GraphFactory
    from enpass_consent.init.result import StackResult
    from enpass_consent.init.rows import Request
    from enpass_consent.init.run import StackCreator


class InitError(click.ClickException):
    """init cannot run at all (no credentials, no pulumi): exit 1 with the message and no document."""

    exit_code = EXIT_ERROR


def make_stack_creator(project_dir: Path, secrets_provider: str | None) -> StackCreator:
    """Creates stacks with the ``pulumi`` on PATH (tests replace this factory)."""
    from enpass_consent.commands.fleet import make_pulumi_command

    try:
        from enpass_consent.init.stack_create import PulumiStacks
    except ImportError as exc:
        raise InitError(
            f"--create-stack needs the Pulumi SDK ({exc.name or exc}); install it with: "
            "pip install 'enpass-consent[pulumi]'"
        ) from None
    return PulumiStacks(project_dir, make_pulumi_command(), secrets_provider).create


@click.command("init")
@click.option("--tenant", metavar="TENANT", help="The tenant: its id, or any verified domain (contoso.com).")
@click.option(
    "--csv",
    "csv_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Many tenants: a CSV file with the header stack,tenant[,clientId], one tenant a line.",
)
@click.option("--stack", metavar="NAME", help="The stack name (default: the domain's first label).")
@click.option("--client-id", metavar="GUID", help="The deploying app's client id for this tenant (azuread:clientId).")
@click.option("--from-tenant", is_flag=True, help="Read the tenant's Enpass consent and describe it as it is.")
@click.option("--write", "write_files", is_flag=True, help="Write the stack files (default: only show them).")
@click.option("--create-stack", is_flag=True, help="Also create each stack in the Pulumi backend (with --write).")
@click.option(
    "--secrets-provider",
    metavar="URL",
    help="Secrets provider of the new stacks (pulumi stack init --secrets-provider), e.g. azurekeyvault://…",
)
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Pulumi project folder (stack files go to its stackConfigDir).",
)
@format_option("table", "json", "markdown", default="table")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Tenants initialised at the same time.",
)
def init(
    tenant: str | None,
    csv_file: Path | None,
    stack: str | None,
    client_id: str | None,
    from_tenant: bool,
    write_files: bool,
    create_stack: bool,
    secrets_provider: str | None,
    project_dir: Path,
    format_: str,
    concurrency: int,
) -> int:
    """Write a tenant's stack file; with --from-tenant it describes the tenant's Enpass consent as it is.

    Exit 0 when every tenant is described, 2 when something was left out (what settings cannot
    hold: the first `pulumi up` or a clean-up changes it), 1 on any error.
    """
    from enpass_consent.init import report
    from enpass_consent.init.run import Options, init_tenants

    wanted = _requests(tenant, csv_file, stack, client_id)
    if create_stack and not write_files:
        raise UsageError("--create-stack needs --write: the stack is created from the written stack file")
    try:
        config_dir = stackfile.stack_config_dir(project_dir)
    except stackfile.StackFileError as exc:
        raise UsageError(f"--project-dir: {exc}") from None
    if not config_dir.is_dir():
        raise UsageError(f"--project-dir: the stack folder {config_dir} does not exist")
    options = Options(project_dir, from_tenant, write_files, secrets_provider, concurrency)
    creator = make_stack_creator(project_dir, secrets_provider) if create_stack else None
    with contextlib.ExitStack() as resources:
        graph: GraphFactory | None = None
        if from_tenant:
            graph = resources.enter_context(graph_session(concurrency, "init"))
            _require_credentials(graph)
            session = graph.session
        else:
            from enpass_consent.graph.session import build_session

            session = resources.enter_context(
                contextlib.closing(build_session(os.environ.get(clouds.CA_BUNDLE_ENV) or None, concurrency))
            )
        advance = resources.enter_context(progress("init", len(wanted)))

        def done(result: StackResult) -> None:
            name = result.stack or result.tenant
            # The row's error in full on stderr (through the bar when there is one): the table may wrap it.
            advance(f"{name}: {result.status.value}", result.error and f"enpass-consent init: {result.error}")

        outcome = init_tenants(
            wanted,
            options,
            config_dir=config_dir,
            lookup_session=session,
            graph=graph,
            create_stack=creator,
            on_done=done,
        )
    text = report.to_table(outcome, terminal_width(None)) if format_ == "table" else report.RENDERERS[format_](outcome)
    emit(text, None)
    return outcome.exit_code


def _requests(tenant: str | None, csv_file: Path | None, stack: str | None, client_id: str | None) -> list[Request]:
    from enpass_consent.init import rows

    if (tenant is None) == (csv_file is None):
        raise UsageError("name the tenants: --tenant TENANT (an id or a domain) or --csv FILE, not both")
    if csv_file is None:
        return [rows.from_options(tenant or "", stack, client_id)]
    for option, value in (("--stack", stack), ("--client-id", client_id)):
        if value is not None:
            raise UsageError(f"{option} goes with --tenant; with --csv each row names its own (columns {rows.HEADER})")
    try:
        return rows.read_csv(csv_file)
    except rows.CsvError as exc:
        raise UsageError(f"--csv: {exc}") from None


def _require_credentials(graph: GraphFactory) -> None:
    from enpass_consent.graph.errors import ConfigurationError

    try:
        graph.credential  # noqa: B018 - resolving it is the check
    except ConfigurationError as exc:
        raise InitError(f"--from-tenant reads each tenant and needs credentials: {exc}") from None
