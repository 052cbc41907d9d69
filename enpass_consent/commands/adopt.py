"""``enpass-consent adopt``: record existing consent in the stack file so ``pulumi up`` imports it (docs/adopt.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from enpass_consent import settings, stackfile
from enpass_consent.adopt import write
from enpass_consent.adopt.report import render
from enpass_consent.commands.common import EXIT_ERROR, EXIT_OK, graph_session, log
from enpass_consent.graph.errors import GraphClientError
from enpass_consent.graph.redact import scrub


@click.command("adopt")
@click.option("--stack", required=True, metavar="NAME", help="The stack whose tenant to adopt from.")
@click.option(
    "--project-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Pulumi project folder (stack files are found in its stackConfigDir).",
)
@click.option("--write", "write_file", is_flag=True, help="Store the ids in the stack file (default: only show them).")
def adopt(stack: str, project_dir: Path, write_file: bool) -> int:
    """Find consent that already exists and record its ids under enpass-consent:adopt. Exit 0 done, 1 error."""
    from enpass_consent.adopt.run import prepare  # the Graph stack loads only when needed

    try:
        with graph_session(concurrency=1, command="adopt") as factory:
            prepared = prepare(project_dir, stack, factory, os.environ)
    except click.ClickException:
        raise  # a bad ENPASS_CONSENT_* variable: exit 1 with its message
    except (stackfile.StackFileError, settings.SettingsError, GraphClientError, ValueError) as exc:
        log(f"enpass-consent adopt: {scrub(str(exc))}; nothing was written")
        return EXIT_ERROR
    except Exception as exc:  # a malformed Graph answer must still be one line, not a traceback
        log(f"enpass-consent adopt: unexpected {type(exc).__name__}: {scrub(str(exc))}; nothing was written")
        return EXIT_ERROR
    click.echo(render(prepared), nl=False)
    if prepared.new_bytes is None or not prepared.changes_file:
        return EXIT_OK
    if not write_file:
        log("enpass-consent adopt: preview only; run again with --write to store these ids")
        return EXIT_OK
    try:
        write.replace_if_unchanged(prepared.loaded.path, prepared.loaded.original, prepared.new_bytes)
    except write.FileChangedError as exc:
        log(f"enpass-consent adopt: {exc}")
        return EXIT_ERROR
    except OSError as exc:
        log(f"enpass-consent adopt: cannot write {prepared.loaded.path} ({exc.strerror or exc}); nothing was written")
        return EXIT_ERROR
    log(f"enpass-consent adopt: wrote {prepared.loaded.path}")
    return EXIT_OK
