"""Running one piece of work per stack, the way every multi-tenant command does.

Each stack's settings come from its stack file through the one parser; a stack whose file or
settings cannot be used fails alone (``StackSettingsError``, with its tenant id when the file names
a valid one) and makes no Graph call. Stacks run concurrently and come back in the order given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from enpass_consent import settings, stackfile

Result = TypeVar("Result")


class StackSettingsError(ValueError):
    """The stack's file or settings cannot be used; the message names the file and the key."""

    def __init__(self, message: str, tenant_id: str | None) -> None:
        super().__init__(message)
        self.tenant_id = tenant_id


def load_settings(project_dir: Path, stack: str, *, config_dir: Path | None = None) -> settings.Settings:
    """The validated settings of ``stack``. ``config_dir``: the stack folder, when already resolved."""
    try:
        stack_file = stackfile.read(project_dir, stack, config_dir=config_dir)
    except stackfile.StackFileError as exc:
        raise StackSettingsError(str(exc), exc.tenant_id) from None
    try:
        return settings.parse(stack_file.config)
    except settings.SettingsError as exc:
        tenant_id = settings.guid_or_none(stack_file.config.get(settings.TENANT_ID))
        raise StackSettingsError(f"{stack_file.path}: {exc}", tenant_id) from None


def for_each_stack(
    project_dir: Path,
    stacks: Sequence[str],
    work: Callable[[str, Path | None], Result],
    *,
    concurrency: int,
    on_done: Callable[[Result], None] | None = None,
    thread_name: str = "stack",
) -> list[Result]:
    """``work(stack, config_dir)`` for every stack, at most ``concurrency`` at a time, in the given order.

    Pulumi.yaml is read once per run, not once per stack; when it is unusable, ``config_dir`` is None
    and every stack reports that error itself.
    """
    try:
        config_dir: Path | None = stackfile.stack_config_dir(project_dir)
    except stackfile.StackFileError:
        config_dir = None

    def one(stack: str) -> Result:
        result = work(stack, config_dir)
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix=thread_name) as pool:
        return list(pool.map(one, stacks))
