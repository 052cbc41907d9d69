"""A fake ``pulumi`` CLI that behaves like a current one (>= 3.206) towards the Automation API.

The SDK (``pulumi/automation/_stack.py::_setup_event_log``) starts a local gRPC ``pulumirpc.Events``
server for CLIs newer than 3.205.0 and passes ``--event-log tcp://127.0.0.1:PORT``; the CLI then
streams each engine event as JSON in an ``EventRequest`` over the client-streaming ``StreamEvents``
call and closes the stream. This fake does exactly that as a gRPC client, so the SDK's production
event path is exercised (a file path in ``--event-log`` fails the test: that is the old path).

Two ways to use it: ``FakePulumiCommand`` (an in-process ``auto.PulumiCommand``, records calls and
concurrency), or ``write_executable`` (a ``pulumi`` script for ``PATH``, so the production factory,
``PulumiCommand()`` running ``pulumi version``, and ``subprocess`` are exercised too).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import grpc
from pulumi import automation as auto
from pulumi.automation.errors import create_command_error
from pulumi.runtime.proto import events_pb2, events_pb2_grpc
from semver import VersionInfo

CURRENT_VERSION = "3.210.0"  # > 3.205.0: the SDK takes the gRPC event-stream path


@dataclass
class Behaviour:
    """What the fake backend holds: existing stacks and their change summaries, and failures."""

    stacks: dict[str, dict[str, int]] = field(default_factory=dict)
    fail: dict[str, str] = field(default_factory=dict)  # stack -> error message of its preview/up
    sleep: float = 0.0  # seconds each preview/up takes, so concurrent operations overlap
    no_summary: list[str] = field(default_factory=list)  # stacks whose engine never sends a summaryEvent
    version: str = CURRENT_VERSION
    install_error: str = ""  # when set, `pulumi install` fails with it
    init_fail: dict[str, str] = field(default_factory=dict)  # stack -> error message of its `pulumi stack init`

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Behaviour:
        return cls(**json.loads(text))


def _value(args: list[str], flag: str) -> str | None:
    return args[args.index(flag) + 1] if flag in args else None


def send_events(target: str, events: list[dict[str, Any]]) -> None:
    """Stream engine events to the SDK's gRPC server, as the CLI does with ``--event-log tcp://``."""
    if not target.startswith("tcp://"):
        raise AssertionError(f"expected the gRPC event stream (tcp://), got a file event log: {target}")
    requests = [events_pb2.EventRequest(event=json.dumps(event)) for event in events]
    with grpc.insecure_channel(target[len("tcp://") :]) as channel:
        events_pb2_grpc.EventsStub(channel).StreamEvents(iter(requests), timeout=30)


def _engine_events(behaviour: Behaviour, stack: str, preview: bool) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"preludeEvent": {"config": {}}}]
    if stack in behaviour.fail:
        events.append(
            {
                "diagnosticEvent": {
                    "urn": f"urn:pulumi:{stack}::enpass-consent::pulumi:pulumi:Stack::enpass-consent-{stack}",
                    "prefix": "error: ",
                    "message": behaviour.fail[stack] + "\n",
                    "color": "never",
                    "severity": "error",
                }
            }
        )
    changes = behaviour.stacks.get(stack, {})
    if stack in behaviour.no_summary:
        return [{"sequence": 0, "timestamp": int(time.time()), "cancelEvent": {}}]
    events.append(
        {
            "summaryEvent": {
                "maybeCorrupt": False,
                "durationSeconds": 1,
                "resourceChanges": {} if stack in behaviour.fail else changes,
                "PolicyPacks": {},
                "isPreview": preview,
            }
        }
    )
    events.append({"cancelEvent": {}})
    return [{"sequence": i, "timestamp": int(time.time()), **event} for i, event in enumerate(events)]


def respond(args: list[str], behaviour: Behaviour) -> tuple[str, str, int]:
    """(stdout, stderr, exit code) of ``pulumi ARGS`` against the fake backend."""
    args = [a for a in args if a != "--non-interactive"]
    stack = _value(args, "--stack")
    if args[:1] == ["version"]:
        return f"v{behaviour.version}\n", "", 0
    if args[:2] == ["stack", "init"]:
        return _stack_init(args, behaviour)
    if stack is not None and stack not in behaviour.stacks:
        return "", f"error: no stack named '{stack}' found\n", 255
    if args[:2] == ["stack", "select"]:
        return "", "", 0
    if args[:1] == ["install"]:
        if behaviour.install_error:
            return "", f"error: {behaviour.install_error}\n", 255
        return "Installing plugins (fake)\n", "", 0
    if args[:2] == ["stack", "output"]:
        return "{}\n", "", 0
    if args[:2] == ["stack", "history"]:
        history = [
            {
                "kind": "update",
                "startTime": "2026-11-27T08:00:00.000Z",
                "endTime": "2026-11-27T08:00:05.000Z",
                "message": "",
                "environment": {},
                "config": {},
                "result": "succeeded",
                "resourceChanges": behaviour.stacks[stack or ""],
            }
        ]
        return json.dumps(history), "", 0
    if args[:1] in (["preview"], ["up"]) and stack is not None:
        target = _value(args, "--event-log")
        if target is None:
            raise AssertionError(f"no --event-log in {args}")
        time.sleep(behaviour.sleep)
        events = _engine_events(behaviour, stack, preview=args[0] == "preview")
        if args[0] == "up" and "--skip-preview" not in args and stack not in behaviour.fail:
            # `pulumi up` without --skip-preview previews first (pkg/backend/apply.go): its summary comes first.
            events = _engine_events(behaviour, stack, preview=True)[1:-1] + events
            events = [{**event, "sequence": number} for number, event in enumerate(events)]
        send_events(target, events)
        if stack in behaviour.fail:
            failed = "preview failed" if args[0] == "preview" else "update failed"
            return f"Diagnostics:\n  error: {behaviour.fail[stack]}\n", f"error: {failed}\n", 255
        return "Previewing update (fake)\n", "", 0
    return "", f"error: the fake pulumi does not know {' '.join(args)!r}\n", 2


def _stack_init(args: list[str], behaviour: Behaviour) -> tuple[str, str, int]:
    """``pulumi stack init NAME [--secrets-provider URL]``: the stack is created in the fake backend.

    The messages are the CLI's: the self-managed backend's "Created stack '%s'" (pulumi/pulumi
    pkg/backend/diy/backend.go, CreateStack) and backend.StackAlreadyExistsError's "stack '%s' already
    exists", which the SDK maps to ``auto.StackAlreadyExistsError``.
    """
    name = args[2] if len(args) > 2 and not args[2].startswith("-") else None
    if name is None:
        return "", "error: the fake pulumi needs the stack name as `stack init NAME`\n", 255
    if name in behaviour.init_fail:
        return "", f"error: {behaviour.init_fail[name]}\n", 255
    if name in behaviour.stacks:
        return "", f"error: stack '{name}' already exists\n", 255
    behaviour.stacks[name] = {}
    return f"Created stack '{name}'\n", "", 0


class FakePulumiCommand(auto.PulumiCommand):
    """In process: records every call and the highest number of concurrent preview/up operations."""

    def __init__(self, behaviour: Behaviour) -> None:
        # No super().__init__(): it runs `pulumi version`, and there is no pulumi here.
        self.command = "pulumi"
        self.version = VersionInfo.parse(behaviour.version)
        self.behaviour = behaviour
        self.calls: list[list[str]] = []
        self.max_concurrent = 0
        self._active = 0
        self._lock = threading.Lock()

    def run(
        self,
        args: list[str],
        cwd: str,
        additional_env: Mapping[str, str],
        on_output: auto.OnOutput | None = None,
        on_error: auto.OnOutput | None = None,
    ) -> auto.CommandResult:
        if "--non-interactive" not in args:
            args.insert(0, "--non-interactive")  # as the real PulumiCommand.run does
        operation = any(a in ("preview", "up") for a in args[:2])
        with self._lock:
            self.calls.append(list(args))
            if operation:
                self._active += 1
                self.max_concurrent = max(self.max_concurrent, self._active)
        try:
            stdout, stderr, code = respond(list(args), self.behaviour)
        finally:
            if operation:
                with self._lock:
                    self._active -= 1
        result = auto.CommandResult(stdout=stdout.rstrip("\n"), stderr=stderr.rstrip("\n"), code=code)
        if code != 0:
            raise create_command_error(result)
        return result

    def stacks_touched(self) -> list[str]:
        """Every stack named in a call, in call order (with repeats)."""
        return [args[args.index("--stack") + 1] for args in self.calls if "--stack" in args]

    def operations(self, verb: str) -> list[list[str]]:
        return [args for args in self.calls if verb in args[:2]]


def write_executable(folder: Path, behaviour: Behaviour, call_log: Path) -> Path:
    """A ``pulumi`` script in ``folder`` (put it first on PATH) that answers from ``behaviour``."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "fake-pulumi.json"
    config.write_text(behaviour.to_json(), encoding="utf-8")
    script = folder / "pulumi"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "import fake_pulumi\n"
        f"sys.exit(fake_pulumi.main(sys.argv[1:], {str(config)!r}, {str(call_log)!r}))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def main(args: list[str], config: str, call_log: str) -> int:
    """Entry point of the executable fake: log the call, answer, exit with the code."""
    behaviour = Behaviour.from_json(Path(config).read_text(encoding="utf-8"))
    with open(call_log, "a", encoding="utf-8") as log:
        log.write(json.dumps({"args": args, "env_automation": os.environ.get("PULUMI_AUTOMATION_API")}) + "\n")
    known = set(behaviour.stacks)
    stdout, stderr, code = respond(args, behaviour)
    if set(behaviour.stacks) != known:  # `stack init` created one: the next call must see it
        Path(config).write_text(behaviour.to_json(), encoding="utf-8")
    sys.stdout.write(stdout)
    sys.stderr.write(stderr)
    return code
