"""The demo project folder: Pulumi.yaml, one stack file per demo tenant, and ``sandbox.env``."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from enpass_consent.emulator.demo import DemoTenant
from enpass_consent.files import atomic_write
from enpass_consent.stackfile import PROJECT_FILE

ENV_FILE = "sandbox.env"
TEMP_PREFIX = "enpass-consent-sandbox-"
# The first line of the Pulumi.yaml the sandbox writes: a folder holding it may be written again.
MARKER = "# Written by `enpass-consent sandbox`"

_PROJECT_TEXT = f"""{MARKER}: a demo project for the enpass-consent CLI.
# It has no Pulumi program: `pulumi preview` and `pulumi up` need Microsoft's real endpoints (the
# azuread provider never talks to the sandbox). `enpass-consent audit`, `preflight` and `adopt` read
# the stack files here.
name: enpass-consent
runtime: python
"""


class FolderError(ValueError):
    """The folder given with ``--dir`` cannot hold the demo project; nothing was written."""


@dataclass(frozen=True)
class DemoFolder:
    path: Path
    kept: bool
    """True when the user chose the folder (``--dir``): it stays when the sandbox stops."""

    @property
    def env_file(self) -> Path:
        return self.path / ENV_FILE

    def write(self, tenants: Sequence[DemoTenant], env: Mapping[str, str], unset: Sequence[str]) -> None:
        """Pulumi.yaml and the demo stack files, then the env file last: its presence means "ready"."""
        atomic_write(self.path / PROJECT_FILE, _PROJECT_TEXT.encode())
        for tenant in tenants:
            if tenant.stack_file is not None:
                atomic_write(self.path / f"Pulumi.{tenant.name}.yaml", tenant.stack_file.encode())
        atomic_write(self.env_file, env_file_text(env, unset).encode())

    def remove(self) -> None:
        """A temporary folder goes entirely; a ``--dir`` folder keeps its stack files but loses the env
        file, which would point at a sandbox that no longer runs."""
        if self.kept:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.env_file)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def prepare(directory: Path | None) -> DemoFolder:
    """A new temporary folder, or ``directory`` when it is missing, empty or an earlier sandbox's."""
    if directory is None:
        return DemoFolder(Path(tempfile.mkdtemp(prefix=TEMP_PREFIX)), kept=False)
    directory = directory.expanduser().absolute()  # printed in `cd` commands that run from anywhere
    if directory.exists() and not directory.is_dir():
        raise FolderError(f"--dir: {directory} is a file, not a folder")
    if directory.is_dir() and any(directory.iterdir()) and not _written_by_sandbox(directory):
        raise FolderError(
            f"--dir: {directory} is not empty and was not written by `enpass-consent sandbox`; "
            "name a new or empty folder (the sandbox never overwrites a project of yours)"
        )
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FolderError(f"--dir: cannot create {directory} ({exc.strerror or exc})") from None
    if not os.access(directory, os.W_OK):
        raise FolderError(f"--dir: {directory} is not writable")
    return DemoFolder(directory, kept=True)


def _written_by_sandbox(directory: Path) -> bool:
    try:
        with open(directory / PROJECT_FILE, encoding="utf-8") as handle:
            return handle.readline().startswith(MARKER)
    except (OSError, UnicodeDecodeError):
        return False


def env_file_text(env: Mapping[str, str], unset: Sequence[str]) -> str:
    """``export NAME=value`` lines for a POSIX shell (``source sandbox.env``), values quoted as needed."""
    lines = [
        "# enpass-consent sandbox: point the enpass-consent CLI at the local emulator (not Microsoft's endpoints).",
        "# Load it into the shell you run enpass-consent from: source sandbox.env",
        "# The credentials are fake: the emulator accepts them, Microsoft never would.",
    ]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in env.items()]
    if unset:
        lines.append("# A certificate would be used before the secret above:")
        lines.append("unset " + " ".join(unset))
    return "\n".join(lines) + "\n"
