"""``pulumi stack init`` through the Automation API: the one place that creates stacks.

The stack file is written first and the stack created from it: ``pulumi stack init`` uses a stack
file that exists (adding what its secrets provider records, such as ``secretsprovider:``). One
``LocalWorkspace`` on the project folder serves every stack; creations run one at a time, because
``stack init`` also selects the new stack in the workspace's shared settings.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pulumi import automation as auto

from enpass_consent.fleet.result import short_message
from enpass_consent.fleet.runner import command_error_message


class StackCreateError(RuntimeError):
    """``pulumi stack init`` failed; the message is Pulumi's reason."""


class PulumiStacks:
    """Creates stacks in the backend the ``pulumi`` CLI is signed in to."""

    def __init__(
        self, project_dir: Path, pulumi_command: auto.PulumiCommand, secrets_provider: str | None = None
    ) -> None:
        self._workspace = auto.LocalWorkspace(
            work_dir=str(project_dir.resolve()), pulumi_command=pulumi_command, secrets_provider=secrets_provider
        )
        self._lock = threading.Lock()

    def create(self, stack: str) -> None:
        """Create ``stack``; raises ``StackCreateError`` (an existing stack included)."""
        with self._lock:
            try:
                auto.Stack.create(stack, self._workspace)
            except auto.CommandError as exc:
                raise StackCreateError(command_error_message(exc)) from None
            except Exception as exc:  # the SDK's own failures: one line for this stack
                raise StackCreateError(short_message(f"{type(exc).__name__}: {exc}")) from None
