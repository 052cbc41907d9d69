"""Replace a stack file atomically, and only if nobody changed it since it was read.

Just before the replace the file is read again and compared with the bytes read at the start; if
they differ (an editor, a ``git pull``, another ``adopt``), nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from enpass_consent.files import FileChangedError, atomic_write

__all__ = ["FileChangedError", "replace_if_unchanged"]


def replace_if_unchanged(
    path: Path, expected: bytes, new: bytes, *, before_replace: Callable[[], None] | None = None
) -> None:
    """Write ``new`` to ``path`` if ``path`` still holds ``expected``. ``before_replace`` is a test hook."""
    atomic_write(path, new, expected=expected, before_replace=before_replace)
