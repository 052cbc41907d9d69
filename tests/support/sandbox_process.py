"""``enpass-consent sandbox`` run as a user runs it: its own process, its env file sourced by a shell."""

from __future__ import annotations

import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from enpass_consent.sandbox.guide import READY

REPO = Path(__file__).resolve().parents[2]
# Variables a developer's shell may hold that would point the CLI elsewhere or sign in differently.
_FOREIGN = ("ENPASS_CONSENT_", "ARM_", "AZURE_")
_TIMEOUT = 60.0


def clean_environ(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN)}
    return {**environ, **extra}


@dataclass
class SandboxProcess:
    process: subprocess.Popen[str]
    temp: Path
    """The sandbox's TMPDIR: everything it creates outside --dir lands here."""
    output: list[str] = field(default_factory=list)
    """stdout lines up to and including the ready line."""

    @property
    def demo_dir(self) -> Path:
        (line,) = [line for line in self.output if line.startswith("Demo project: ")]
        return Path(line[len("Demo project: ") :].split(" (", 1)[0])

    def commands_to_try(self) -> list[str]:
        """The indented commands under "Try, in another terminal:", as printed."""
        start = self.output.index("Try, in another terminal:") + 1
        commands = []
        for line in self.output[start:]:
            if not line.startswith("  "):
                break
            commands.append(line.strip())
        return commands

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str, str]:
        self.process.send_signal(signum)
        rest, err = self.process.communicate(timeout=_TIMEOUT)
        return self.process.returncode, rest, err


@contextmanager
def sandbox_process(
    temp: Path, *args: str, cwd: Path = REPO, environ: Mapping[str, str] | None = None
) -> Iterator[SandboxProcess]:
    """A running sandbox (ready line read); killed on the way out if the test did not stop it."""
    temp.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "enpass_consent", "sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**(clean_environ() if environ is None else environ), "TMPDIR": str(temp), "PYTHONPATH": str(REPO)},
        cwd=cwd,
    )
    sandbox = SandboxProcess(process, temp)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, ""):
            lines.put(line.rstrip("\n"))
            if line.startswith(READY):
                return
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        while True:
            line = lines.get(timeout=_TIMEOUT)
            if line is None:
                _, err = process.communicate(timeout=_TIMEOUT)
                raise AssertionError(f"the sandbox exited before it was ready ({process.returncode}):\n{err}")
            sandbox.output.append(line)
            if line.startswith(READY):
                break
        yield sandbox
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=_TIMEOUT)


def sourced(env_file: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment after ``source env_file`` in bash, started with ``environ``."""
    script = f"set -e; source {shlex.quote(str(env_file))}; env -0"
    result = subprocess.run(["bash", "-c", script], env=dict(environ), capture_output=True, check=True)
    pairs = (item.split(b"=", 1) for item in result.stdout.split(b"\0") if item)
    return {key.decode(): value.decode() for key, value in pairs}
