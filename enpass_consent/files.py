"""Writing files the way a user's files deserve: atomically, never half-written."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

NEW_FILE_MODE = 0o644


class FileChangedError(RuntimeError):
    """The file changed between reading it and replacing it; nothing was written."""


def atomic_write(
    path: Path,
    data: bytes,
    *,
    expected: bytes | None = None,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Replace ``path`` with ``data`` in one step, keeping its permission bits.

    The bytes go to a fresh, unpredictable temporary file in the same folder (same file system, so
    ``os.replace`` is atomic), synced before the rename. With ``expected``, the file is read again just
    before the replace and nothing is written if it no longer holds those bytes (``FileChangedError``).
    ``before_replace`` is a test hook.
    """
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else NEW_FILE_MODE
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if before_replace is not None:
            before_replace()
        if expected is not None and path.read_bytes() != expected:
            raise FileChangedError(f"{path} changed while it was being edited; nothing was written, run it again")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def create_new(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data`` in one step; ``FileExistsError`` if it exists, nothing ever overwritten.

    The bytes go to a temporary file in the same folder, synced, and are then hard-linked to ``path``:
    a link fails when the name exists (even one created a moment ago by someone else), and a reader
    sees either no file or the whole file. File systems without hard links get an existence check and
    a rename instead, which leaves a moment in which a file created meanwhile would be replaced.
    """
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, NEW_FILE_MODE)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError:
            if path.exists():
                raise FileExistsError(f"{path} exists") from None
            os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def check_writable(path: Path) -> None:
    """Raise ``OSError`` unless :func:`atomic_write` could write ``path``; leaves nothing behind.

    Checked before a command does its work (a fleet deploys, an audit reads hundreds of tenants), so
    a report that cannot be written fails the command first, not after. The probe is what the writer
    does: a temporary file in the same folder, removed at once (permission bits alone say nothing for
    root, and nothing about a read-only file system).
    """
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder", str(path))
    if not path.parent.is_dir():
        raise FileNotFoundError(2, "no such folder", str(path.parent))
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".probe"):
        pass
