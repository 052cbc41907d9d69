"""Progress of a fleet run on stderr: a rich progress bar on a terminal, one line per stack otherwise.

stdout carries only the document, so progress never goes there.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from enpass_consent.fleet.result import StackResult
from enpass_consent.fleet.runner import OnDone, OnStart


@dataclass(frozen=True)
class Callbacks:
    on_start: OnStart | None
    on_done: OnDone | None


@contextmanager
def fleet_progress(operation: str, total: int, stream: TextIO | None = None) -> Iterator[Callbacks]:
    """Callbacks for ``run_fleet`` that report to ``stream`` (stderr by default)."""
    stream = stream or sys.stderr
    if total == 0:
        yield Callbacks(None, None)
        return
    if not stream.isatty():
        yield _line_callbacks(operation, total, stream)
        return
    console = Console(file=stream, stderr=True)
    columns = (
        TextColumn(f"fleet {operation}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("", total=total)

        def on_start(stack: str) -> None:
            progress.update(task, description=stack)

        def on_done(result: StackResult) -> None:
            if result.error:
                progress.console.print(f"{result.stack}: {result.error}", markup=False, highlight=False, emoji=False)
            progress.update(task, advance=1, description=f"{result.stack}: {result.status.value}")

        yield Callbacks(on_start, on_done)


def _line_callbacks(operation: str, total: int, stream: TextIO) -> Callbacks:
    lock = threading.Lock()
    done = 0

    def on_done(result: StackResult) -> None:
        nonlocal done
        with lock:
            done += 1
            error = f": {result.error}" if result.error else ""
            stream.write(f"fleet {operation}: [{done}/{total}] {result.stack} {result.status.value}{error}\n")
            stream.flush()

    return Callbacks(None, on_done)
