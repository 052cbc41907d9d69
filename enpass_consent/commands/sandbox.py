"""``enpass-consent sandbox``: try the CLI without a Microsoft tenant, against a local emulator."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from enpass_consent.commands.common import EXIT_ERROR, EXIT_OK, log


@click.command("sandbox")
@click.option(
    "--dir",
    "directory",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the demo project here and keep it when the sandbox stops (a new or empty folder, or an "
    "earlier sandbox's). Default: a temporary folder, removed on stop.",
)
@click.option(
    "--port",
    metavar="PORT",
    type=click.IntRange(min=0, max=65535),
    default=0,
    help="Listen on 127.0.0.1:PORT. Default: any free port (the env file names it).",
)
@click.option(
    "--from-project",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also serve the tenant of every stack in this Pulumi project, as its stack file describes it "
    "(to try your own stack files and CI pipeline offline).",
)
def sandbox(directory: Path | None, port: int, from_project: Path | None) -> int:
    """Run a local Entra ID + Graph with demo tenants until Ctrl-C. Not for `pulumi preview`/`up`."""
    from enpass_consent.sandbox import folder as demo_folder  # the emulator loads only for this command
    from enpass_consent.sandbox.guide import guide
    from enpass_consent.sandbox.run import StartError, running_sandbox, stop_signals
    from enpass_consent.sandbox.tenants import ProjectError, served_tenants

    try:
        served = served_tenants(from_project)
        folder = demo_folder.prepare(directory)
    except (ProjectError, demo_folder.FolderError) as exc:
        log(f"enpass-consent sandbox: {exc}; nothing was started")
        return EXIT_ERROR
    try:
        with stop_signals() as wait, running_sandbox(served, folder, port) as emulator:
            click.echo(guide(emulator.base_url, folder, served, from_project), nl=False)
            sys.stdout.flush()
            received = wait()
            bugs = list(emulator.bugs)
    except StartError as exc:
        log(f"enpass-consent sandbox: {exc}; nothing was started")
        return EXIT_ERROR
    kept = f"; the demo project stays in {folder.path}" if folder.kept else ""
    stopped_by = signal.Signals(received).name
    log(f"enpass-consent sandbox: stopped ({stopped_by}); removed its certificate and temporary files{kept}")
    if bugs:
        log("enpass-consent sandbox: the emulator failed internally (its bug, not yours):\n  " + "\n  ".join(bugs))
        return EXIT_ERROR
    return EXIT_OK
