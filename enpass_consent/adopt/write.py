"""Replace a file atomically, and only if nobody changed it since it was read.

The new bytes go to a temporary file in the same folder (same file system, so ``os.replace`` is
atomic) with the original's permission bits. Just before the replace the file is read again and
compared with the bytes read at the start; if they differ (an editor, a ``git pull``, another
``adopt``), nothing is written.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path


class FileChangedError(RuntimeError):
    """The file changed between reading it and replacing it; nothing was written."""


def replace_if_unchanged(
    path: Path, expected: bytes, new: bytes, *, before_replace: Callable[[], None] | None = None
) -> None:
    """Write ``new`` to ``path`` if ``path`` still holds ``expected``. ``before_replace`` is a test hook."""
    mode = stat.S_IMODE(path.stat().st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(new)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if before_replace is not None:
            before_replace()
        if path.read_bytes() != expected:
            raise FileChangedError(f"{path} changed while adopt was running; nothing was written, run it again")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
