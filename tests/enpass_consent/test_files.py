"""``files``: ``create_new`` (a new file in one step, never over an existing one) and ``check_writable``
(what atomic_write could not write is refused first); neither leaves a temporary file behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from enpass_consent import files


def test_creates_the_file_with_the_new_file_mode(tmp_path: Path) -> None:
    target = tmp_path / "Pulumi.contoso.yaml"
    files.create_new(target, b"config: {}\n")
    assert target.read_bytes() == b"config: {}\n"
    assert stat.S_IMODE(target.stat().st_mode) == files.NEW_FILE_MODE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.contoso.yaml"]


def test_never_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "Pulumi.contoso.yaml"
    target.write_bytes(b"# mine\n")
    with pytest.raises(FileExistsError):
        files.create_new(target, b"config: {}\n")
    assert target.read_bytes() == b"# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.contoso.yaml"]


@pytest.mark.parametrize("exists", [False, True], ids=["new", "exists"])
def test_without_hard_links_it_still_refuses_an_existing_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exists: bool
) -> None:
    def no_links(source: str, target: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "Pulumi.contoso.yaml"
    if exists:
        target.write_bytes(b"# mine\n")
        with pytest.raises(FileExistsError):
            files.create_new(target, b"config: {}\n")
        assert target.read_bytes() == b"# mine\n"
    else:
        files.create_new(target, b"config: {}\n")
        assert target.read_bytes() == b"config: {}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.contoso.yaml"]


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        files.create_new(tmp_path / "no-such-folder" / "Pulumi.contoso.yaml", b"x")
    assert list(tmp_path.iterdir()) == []


def test_a_writable_path_passes_and_leaves_nothing(tmp_path: Path) -> None:
    files.check_writable(tmp_path / "report.json")
    (tmp_path / "existing.json").write_text("old")
    files.check_writable(tmp_path / "existing.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.json"]
    assert (tmp_path / "existing.json").read_text() == "old"


def test_a_missing_folder_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as missing:
        files.check_writable(tmp_path / "nowhere" / "report.json")
    assert missing.value.strerror == "no such folder" and missing.value.filename == str(tmp_path / "nowhere")
    with pytest.raises(IsADirectoryError):
        files.check_writable(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_refuses_files_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Permission bits do not stop root; a read-only file system does. The probe meets either the same way.
    def read_only(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.tempfile, "NamedTemporaryFile", read_only)
    with pytest.raises(PermissionError):
        files.check_writable(tmp_path / "report.json")
