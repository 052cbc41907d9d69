"""The atomic, change-detecting replace of the stack file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from enpass_consent.adopt.write import FileChangedError, replace_if_unchanged


def test_replaces_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.contoso.yaml"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o640)
    replace_if_unchanged(path, b"old\n", b"new\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.contoso.yaml"]


def test_refuses_when_the_file_changed_underneath(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.contoso.yaml"
    path.write_bytes(b"old\n")

    def someone_edits() -> None:
        path.write_bytes(b"edited by someone else\n")

    with pytest.raises(FileChangedError, match="nothing was written"):
        replace_if_unchanged(path, b"old\n", b"new\n", before_replace=someone_edits)
    assert path.read_bytes() == b"edited by someone else\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.contoso.yaml"]


def test_refuses_when_the_file_changed_before_the_write_started(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.contoso.yaml"
    path.write_bytes(b"changed\n")
    with pytest.raises(FileChangedError):
        replace_if_unchanged(path, b"old\n", b"new\n")
    assert path.read_bytes() == b"changed\n"
