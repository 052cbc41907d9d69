"""README.md stays true: its shell blocks run, as a reader would run them, against a sandbox.

Every ``bash``/``sh``/``console`` block carries a marker comment on the line before its fence:

- ``<!-- readme-test: run -->``: each line runs, in README order, in one session (``cd``,
  ``source`` and ``export`` carry over). A line's last command must exit 0, or the code its comment
  names (``# exit 2: ...``). Commands that need what tests do not have are skipped: ``pulumi`` (the
  Pulumi CLI), ``az`` (a tenant), and lines that create a virtualenv or ``pip install`` (the
  network; ``bash scripts/check`` installs the same pins). ``enpass-consent sandbox`` starts in its
  own process, as in a first terminal; other ``enpass-consent`` commands run in-process (fast).
- ``<!-- readme-test: output -->``: a ``console`` block of ``$ command`` lines, each followed by its
  recorded output (stderr, then stdout), compared with a fresh run; ports are not compared.
  ``UPDATE_GOLDEN=1`` records it again (never in CI).
- ``<!-- readme-test: script -->``: the block runs as one ``bash -e`` script in a project of its own.
- ``<!-- readme-test: skip REASON -->``: not run, for the reason given.

The session starts in a scratch copy of the repository's top-level files with its own HOME and TMPDIR.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from enpass_consent.cli import main
from tests.support.golden import updating_golden_files
from tests.support.sandbox_process import SandboxProcess, clean_environ, sandbox_process, sourced

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
_MARKER = re.compile(r"^<!-- readme-test: (?P<kind>run|output|script|skip)(?: (?P<reason>.+?))? -->$")
_FENCE = re.compile(r"^```(?P<language>\S*)\s*$")
_EXIT = re.compile(r"#.*\bexit (\d+)\b")
_PORT = re.compile(r"127\.0\.0\.1:\d+")
# Variables of the session that the in-process CLI reads.
_CLI_VARIABLES = ("ENPASS_CONSENT_", "ARM_", "AZURE_", "CI", "PULUMI_")


@dataclass(frozen=True)
class Block:
    start: int
    """Index of the block's first content line in the README's lines."""
    language: str
    lines: list[str]
    kind: str | None
    reason: str | None
    section: str


def blocks(text: str) -> list[Block]:
    found, lines, index, section = [], text.splitlines(), 0, ""
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            section = line[3:]
        fence = _FENCE.match(line)
        if fence is None:
            index += 1
            continue
        end = lines.index("```", index + 1)
        previous = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = _MARKER.match(previous)
        found.append(
            Block(
                index + 1,
                fence.group("language"),
                lines[index + 1 : end],
                marker.group("kind") if marker else None,
                marker.group("reason") if marker else None,
                section,
            )
        )
        index = end + 1
    return found


def without_comment(line: str) -> str:
    """The line up to an unquoted `` #``."""
    quote = None
    for position, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (position == 0 or line[position - 1].isspace()):
            return line[:position].rstrip()
    return line.rstrip()


@dataclass
class Session:
    root: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    stack: ExitStack
    cwd: Path = field(init=False)
    env: dict[str, str] = field(init=False)
    sandbox: SandboxProcess | None = None
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cwd = self.root / "clone"
        self.cwd.mkdir()
        for path in REPO.iterdir():
            if path.is_file():
                shutil.copy2(path, self.cwd / path.name)
        (self.root / "home").mkdir()
        bin_dir = str(Path(sys.executable).parent)
        self.env = clean_environ(HOME=str(self.root / "home"), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def run_line(self, line: str) -> None:
        code_wanted = int(match.group(1)) if (match := _EXIT.search(line)) else 0
        commands = [command.strip() for command in without_comment(line).split(" && ")]
        if any("pip install" in command or command.startswith("python3 -m venv") for command in commands):
            self.skipped.append(line)  # a virtualenv and the network
            return
        for position, command in enumerate(commands):
            if command.split()[0] in ("pulumi", "az"):
                self.skipped.extend(commands[position:])
                return
            code, out, err = self.run_command(command)
            wanted = code_wanted if position == len(commands) - 1 else 0
            assert code == wanted, f"README: `{command}` exited {code}, expected {wanted}\n{out}\n{err}"
            self.ran.append(command)

    def run_command(self, command: str) -> tuple[int, str, str]:
        argv = shlex.split(command)
        if argv[0] == "cd":
            target = self.env["HOME"] + argv[1][1:] if argv[1].startswith("~") else argv[1]
            self.cwd = (self.cwd / target).resolve()
            return 0, "", ""
        if argv[0] in ("source", "."):
            self.env = sourced(self.cwd / argv[1], self.env)
            return 0, "", ""
        if argv[0] == "export":
            name, _, value = argv[1].partition("=")
            self.env[name] = value
            return 0, "", ""
        if argv[:2] == ["enpass-consent", "sandbox"]:
            assert self.sandbox is None, "README starts a second sandbox"
            self.sandbox = self.stack.enter_context(
                sandbox_process(self.root / "tmp", *argv[2:], cwd=self.cwd, environ=self.env)
            )
            return 0, "", ""
        if argv[0] == "enpass-consent" and not {">", ">>", "|", "<"} & set(argv):
            return self.in_process(argv[1:])
        done = subprocess.run(["bash", "-c", command], cwd=self.cwd, env=self.env, capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr

    def in_process(self, args: list[str]) -> tuple[int, str, str]:
        for name in [k for k in os.environ if k.startswith(_CLI_VARIABLES)]:
            self.monkeypatch.delenv(name)
        for name, value in self.env.items():
            if name.startswith(_CLI_VARIABLES):
                self.monkeypatch.setenv(name, value)
        self.monkeypatch.chdir(self.cwd)
        self.capsys.readouterr()
        code = main(args)
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    def recorded(self, block: Block) -> list[str]:
        """The block's lines, with each command's output replaced by what it prints now."""
        fresh: list[str] = []
        for line in block.lines:
            if line.startswith("$ "):
                _, out, err = self.run_command(line[2:])
                self.ran.append(line[2:])
                fresh += [line, *(err + out).splitlines()]
        return fresh


@pytest.fixture(scope="module")
def readme_blocks() -> list[Block]:
    return blocks(README.read_text(encoding="utf-8"))


def test_every_shell_block_is_marked_and_the_two_first_hour_sections_run(readme_blocks: list[Block]) -> None:
    shell = [block for block in readme_blocks if block.language in SHELL_LANGUAGES]
    assert [block.start for block in shell if block.kind is None] == []
    assert [block.start for block in shell if block.kind == "skip" and not block.reason] == []
    assert [block.start for block in shell if block.kind == "output" and block.language != "console"] == []
    tried = [block.kind for block in shell if block.section == "Try it without a tenant"]
    assert tried == ["run", "run", "output", "run", "script"]
    quick = [block for block in shell if block.section == "Quick start"]
    assert [block.kind for block in quick] == ["run", "skip"]
    assert quick[1].lines[0].startswith("bash scripts/check ")  # CI runs it; the suite must not run itself


def test_the_readme_commands_run_against_a_sandbox_as_shown(
    readme_blocks: list[Block], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme_lines = README.read_text(encoding="utf-8").splitlines()
    updates: list[tuple[Block, list[str]]] = []
    with ExitStack() as stack:
        session = Session(tmp_path, monkeypatch, capsys, stack)
        for block in readme_blocks:
            if block.kind == "run":
                for line in block.lines:
                    session.run_line(line)
            elif block.kind == "output":
                fresh = session.recorded(block)
                updates.append((block, fresh))
                if not updating_golden_files():
                    assert [_PORT.sub("127.0.0.1:PORT", line) for line in fresh] == [
                        _PORT.sub("127.0.0.1:PORT", line) for line in block.lines
                    ], "README's recorded output differs from a fresh run (UPDATE_GOLDEN=1 records it again)"
        assert session.sandbox is not None, "README never starts the sandbox"
        code, _, err = session.sandbox.stop(signal.SIGINT)
        assert code == 0, err
    assert list((tmp_path / "tmp").iterdir()) == []
    assert {"cp Pulumi.example.yaml Pulumi.contoso.yaml", "enpass-consent sandbox --dir demo"} <= set(session.ran)
    assert {
        "enpass-consent audit --all-stacks",
        "enpass-consent init --tenant wingtip.onmicrosoft.com --from-tenant --write",
    } <= set(session.ran)
    assert all(line.split()[0] in ("pulumi", "az") or "pip install" in line for line in session.skipped)
    assert "enpass-consent:adopt:" in (tmp_path / "clone" / "demo" / "Pulumi.wingtip.yaml").read_text()
    if updating_golden_files():
        for block, fresh in reversed(updates):
            readme_lines[block.start : block.start + len(block.lines)] = fresh
        README.write_text("\n".join(readme_lines) + "\n", encoding="utf-8")


def test_the_ci_example_runs_a_sandbox_for_a_project_of_its_own(readme_blocks: list[Block], tmp_path: Path) -> None:
    (script,) = [block for block in readme_blocks if block.kind == "script"]
    project, runner, temp = tmp_path / "project", tmp_path / "runner", tmp_path / "tmp"
    for folder in (project, runner, temp):
        folder.mkdir()
    (project / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    (project / "Pulumi.customer.yaml").write_text(
        "config:\n  azuread:tenantId: 3f1e0000-0000-4000-8000-0000000000c1\n"
        "  enpass-consent:groups:\n    - Enpass Users\n"
    )
    bin_dir = str(Path(sys.executable).parent)
    environ = clean_environ(
        RUNNER_TEMP=str(runner), TMPDIR=str(temp), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    )
    done = subprocess.run(
        ["bash", "-e", "-c", "\n".join(script.lines)],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((project / "audit.json").read_text())
    assert [(t["stack"], t["status"]) for t in report["tenants"]] == [("customer", "in_sync")]
    assert "stopped (SIGTERM)" in done.stderr
    assert not (runner / "sandbox" / "sandbox.env").exists()
    assert list(temp.iterdir()) == []
