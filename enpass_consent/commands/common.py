"""Options and plumbing shared by the commands: stack selection, output, exit codes."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from enpass_consent import clouds, stackfile
from enpass_consent.exit_codes import EXIT_DRIFT as EXIT_DRIFT  # re-exported for the commands
from enpass_consent.exit_codes import EXIT_ERROR as EXIT_ERROR
from enpass_consent.exit_codes import EXIT_OK as EXIT_OK
from enpass_consent.files import atomic_write, check_writable

if TYPE_CHECKING:  # the Graph stack (msal, requests) loads only for the commands that sign in
    from enpass_consent.graph.factory import GraphFactory


F = TypeVar("F", bound=Callable[..., Any])


class UsageError(click.UsageError):
    """Bad command line: exit 1 (never 2, which CI reads as drift), message, no document."""

    exit_code = EXIT_ERROR


def stack_selection(func: F) -> F:
    """``(--stack NAME... | --all-stacks) [--project-dir DIR]``."""
    func = click.option(
        "--project-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Pulumi project folder (stack files are found in its stackConfigDir).",
    )(func)
    func = click.option("--all-stacks", is_flag=True, help="Every Pulumi.<stack>.yaml except the example.")(func)
    func = click.option("--stack", "stacks", multiple=True, metavar="NAME", help="A stack (repeatable).")(func)
    return func


def _writable_output(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """``--output`` is checked when the command line is read, before the command touches anything."""
    if value is not None:
        try:
            check_writable(value)
        except OSError as exc:
            raise UsageError(f"--output: cannot write {value} ({exc.strerror or exc})") from None
    return value


def output_option(func: F) -> F:
    return click.option(
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        callback=_writable_output,
        help="Write the report to FILE instead of stdout (checked before anything runs).",
    )(func)


def format_option(*choices: str, default: str) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return click.option("--format", "format_", type=click.Choice(choices), default=default, show_default=True)(func)

    return decorate


def attribution_options(func: F) -> F:
    """``--attribution [--attribution-days N]``: join findings with the tenant's audit log (docs/findings.md)."""
    from enpass_consent.attribution import DEFAULT_DAYS, MAX_DAYS, MIN_DAYS

    func = click.option(
        "--attribution-days",
        type=click.IntRange(min=MIN_DAYS, max=MAX_DAYS),
        default=None,
        metavar="N",
        help=f"With --attribution: how many days of the audit log to read ({MIN_DAYS}-{MAX_DAYS}, default "
        f"{DEFAULT_DAYS}; 7 without Microsoft Entra ID P1/P2).",
    )(func)
    func = click.option(
        "--attribution",
        is_flag=True,
        help="Say who changed what each finding shows, and when, from the directory audit log "
        "(needs AuditLog.Read.All; only tenants with findings read it).",
    )(func)
    return func


def attribution_window(attribution: bool, days: int | None) -> int | None:
    """The days of audit log to read, or None when attribution is off. Raises ``UsageError``."""
    from enpass_consent.attribution import DEFAULT_DAYS

    if days is not None and not attribution:
        raise UsageError(f"--attribution-days {days} needs --attribution")
    if not attribution:
        return None
    return days if days is not None else DEFAULT_DAYS


@dataclass(frozen=True)
class Selection:
    project_dir: Path
    stacks: list[str]


def select_stacks(stacks: tuple[str, ...], all_stacks: bool, project_dir: Path) -> Selection:
    """The stacks to work on, in order, without duplicates; usage errors for bad combinations."""
    if stacks and all_stacks:
        raise UsageError("use either --stack or --all-stacks, not both")
    if not stacks and not all_stacks:
        raise UsageError("name the stacks: --stack NAME (repeatable) or --all-stacks")
    if all_stacks:
        try:
            names = stackfile.all_stacks(project_dir)
        except stackfile.StackFileError as exc:
            raise UsageError(str(exc)) from None
        if not names:
            raise UsageError(f"--all-stacks found no Pulumi.<stack>.yaml in {project_dir}")
        return Selection(project_dir, names)
    return Selection(project_dir, list(dict.fromkeys(stacks)))


def terminal_width(output: Path | None) -> int | None:
    """The terminal's width when the document goes to one (text tables wrap to it), else None (never wrap)."""
    if output is not None or not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def emit(text: str, output: Path | None) -> None:
    """Write the document to ``output`` atomically, or to stdout; nothing else goes to stdout.

    Tenant data can hold text that is not valid UTF-8 (a lone surrogate in a display name): it is
    written escaped rather than losing every other tenant's report.
    """
    data = (text if text.endswith("\n") else text + "\n").encode("utf-8", "backslashreplace")
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        atomic_write(output, data)
    except OSError as exc:
        raise click.ClickException(f"--output: cannot write {output} ({exc.strerror or exc})") from None


class Terminal:
    """stderr, shared by the progress bar and sign-in prompts: a prompt never lands inside a running bar.

    ``progress`` registers its bar here while it runs; a prompt pauses (stops) it for the whole
    interaction and restarts it afterwards. Prompts are serialized by the sign-in itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bar: Any = None

    @contextlib.contextmanager
    def showing(self, bar: Any) -> Iterator[None]:
        with self._lock:
            self._bar = bar
        try:
            yield
        finally:
            with self._lock:
                self._bar = None

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            bar = self._bar
        if bar is None:
            yield
            return
        bar.stop()
        try:
            yield
        finally:
            bar.start()

    def prompt(self, message: str) -> None:
        click.echo(message, err=True)


TERMINAL = Terminal()


@contextlib.contextmanager
def graph_session(concurrency: int, command: str) -> Iterator[GraphFactory]:
    """The run's one Graph session and credential; says on stderr which kind signs in, never its value.

    ``command`` picks the delegated scopes a person's sign-in asks for (``graph/scopes.py``).
    Unusable ``ENPASS_CONSENT_*`` variables (an endpoint, the CA bundle) and an unusable proxy fail
    the command here, before any stack is touched: exit 1, one message, no document. A credential
    that cannot be used is only logged here: each tenant then reports it as its error (a stack may
    name its own client id).
    """
    from enpass_consent import overrides
    from enpass_consent.graph.errors import GraphClientError
    from enpass_consent.graph.factory import GraphFactory

    try:
        overrides.check(os.environ)
        factory = GraphFactory(
            concurrency=concurrency,
            command=command,
            prompt=TERMINAL.prompt,
            pause=TERMINAL.paused,
            log=lambda line: log(f"enpass-consent: {line}"),
        )
    except (overrides.OverrideError, GraphClientError) as exc:
        raise click.ClickException(str(exc)) from None
    with factory:
        factory.announce()
        for name in (clouds.AUTHORITY_HOST_ENV, clouds.GRAPH_URL_ENV):
            if value := os.environ.get(name):
                # Tokens for the real Microsoft Graph go wherever this points: say so every run.
                log(f"enpass-consent: {name}={value} overrides the cloud's endpoint")
        yield factory


def log(message: str) -> None:
    """Progress and diagnostics: stderr only, so stdout stays a clean document."""
    click.echo(message, err=True)


Advance = Callable[[str, str | None], None]
"""``advance(description, message)``: one stack done; ``message`` (its error, in full) goes to stderr."""


@contextlib.contextmanager
def progress(label: str, total: int) -> Iterator[Advance]:
    """A progress bar on stderr when stderr is a terminal; otherwise only the messages (CI logs stay clean).

    While a sign-in prompt is shown the bar is stopped (``TERMINAL.paused``), never drawn over it.
    """
    if not sys.stderr.isatty() or total == 0:

        def message_only(_description: str, message: str | None = None) -> None:
            if message:
                log(message)

        yield message_only
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with (
        Progress(
            TextColumn("[bold]{task.fields[label]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=Console(stderr=True),
            transient=True,
        ) as bar,
        TERMINAL.showing(bar),
    ):
        task = bar.add_task("", total=total, label=label)
        lock = threading.Lock()

        def advance(description: str, message: str | None = None) -> None:
            with lock:
                if message:
                    bar.console.print(message, markup=False, highlight=False, emoji=False)
                bar.update(task, advance=1, description=description)

        yield advance
