"""The ``enpass-consent`` command line (docs/reference.md#command-line).

Commands live in ``enpass_consent.commands``.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

from enpass_consent import __version__
from enpass_consent.commands.common import EXIT_ERROR


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="enpass-consent")
def cli() -> None:
    """Enpass admin consent in Microsoft Entra ID: explain, init, audit, preflight, adopt, review, fleet."""


def _register() -> None:
    from enpass_consent.commands import registry

    for command in registry.commands():
        cli.add_command(command)


def _bug_report(exc: Exception) -> str:
    from enpass_consent.graph.redact import scrub

    frames = traceback.extract_tb(exc.__traceback__)
    package = str(Path(__file__).resolve().parent) + os.sep
    ours = [frame for frame in frames if frame.filename.startswith(package)] or frames
    where = f" at {Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else ""
    return (
        f"enpass-consent: unexpected {type(exc).__name__}{where}: {scrub(str(exc))} "
        "(a bug in enpass-consent: please report it with the command that led to it)"
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and exits with) the exit code.

    Click exits 2 on usage errors, but in CI a 2 must only ever mean drift, so usage errors are
    caught here and exit 1 with the message and no document. Nothing ever ends in a traceback: an
    exception no command handled is a bug, reported as one line (its type, its scrubbed message and
    where it was raised) with exit 1.
    """
    _register()
    try:
        result = cli.main(args=argv, prog_name="enpass-consent", standalone_mode=False)
    except click.ClickException as exc:  # usage errors included
        exc.show()
        code = EXIT_ERROR
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        code = EXIT_ERROR
    except Exception as exc:
        click.echo(_bug_report(exc), err=True)
        code = EXIT_ERROR
    else:
        code = result if isinstance(result, int) else 0
    if argv is None:
        sys.exit(code)
    return code
