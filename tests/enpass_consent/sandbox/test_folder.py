"""The demo project folder: where it goes, what it holds, what stays after the sandbox stops."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from enpass_consent.emulator.demo import demo_tenants
from enpass_consent.sandbox.folder import ENV_FILE, MARKER, TEMP_PREFIX, FolderError, env_file_text, prepare
from tests.support.sandbox_process import clean_environ, sourced

ENV = {"ENPASS_CONSENT_GRAPH_URL": "https://127.0.0.1:4443", "ENPASS_CONSENT_CA_BUNDLE": "/tmp/it's here/ca.pem"}


def listing(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_the_default_is_a_new_temporary_folder_removed_entirely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder = prepare(None)
    assert (folder.path.parent, folder.kept) == (tmp_path, False) and folder.path.name.startswith(TEMP_PREFIX)
    folder.write(demo_tenants(), ENV, unset=["ARM_CLIENT_CERTIFICATE_PATH"])
    assert listing(folder.path) == [  # wingtip has no stack file: it is the tenant to onboard
        "Pulumi.contoso.yaml",
        "Pulumi.fabrikam.yaml",
        "Pulumi.northwind.yaml",
        "Pulumi.tailspin.yaml",
        "Pulumi.yaml",
        ENV_FILE,
    ]
    assert (folder.path / "Pulumi.fabrikam.yaml").read_text() == demo_tenants()[1].stack_file
    folder.remove()
    assert listing(tmp_path) == []


def test_a_chosen_folder_is_created_kept_and_loses_only_its_env_file(tmp_path: Path) -> None:
    folder = prepare(tmp_path / "a" / "demo")
    assert folder.kept
    folder.write(demo_tenants()[:1], ENV, unset=[])
    (folder.path / "Pulumi.wingtip.yaml").write_text("config: {}\n")  # the user's own work
    folder.remove()
    assert listing(folder.path) == ["Pulumi.contoso.yaml", "Pulumi.wingtip.yaml", "Pulumi.yaml"]
    # The same folder again is a fresh demo: the sandbox wrote it, so it may write it again.
    again = prepare(folder.path)
    again.write(demo_tenants()[:1], ENV, unset=[])
    assert (again.path / "Pulumi.yaml").read_text().startswith(MARKER)
    assert (again.path / "Pulumi.wingtip.yaml").read_text() == "config: {}\n"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"Pulumi.yaml": "name: my-project\n"}, "is not empty and was not written by `enpass-consent sandbox`"),
        ({"notes.txt": "mine"}, "is not empty and was not written by `enpass-consent sandbox`"),
        ({"Pulumi.yaml": b"\xff\xfe not text"}, "is not empty and was not written by `enpass-consent sandbox`"),
    ],
)
def test_a_folder_of_someone_elses_is_refused_untouched(
    tmp_path: Path, setup: dict[str, str | bytes], message: str
) -> None:
    for name, content in setup.items():
        path = tmp_path / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(FolderError, match=f"^--dir: {tmp_path} {message}"):
        prepare(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_file_or_an_uncreatable_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(FolderError, match=r"^--dir: .*file is a file, not a folder$"):
        prepare(tmp_path / "file")
    with pytest.raises(FolderError, match=r"^--dir: cannot create .*file/demo \("):
        prepare(tmp_path / "file" / "demo")


def test_the_env_file_gives_a_shell_the_exact_values_and_drops_a_certificate(tmp_path: Path) -> None:
    env_file = tmp_path / ENV_FILE
    env_file.write_text(env_file_text(ENV, ["ARM_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PASSWORD"]))
    environ = sourced(env_file, clean_environ(ARM_CLIENT_CERTIFICATE_PATH="/me/cert.pfx"))
    assert {k: environ[k] for k in ENV} == ENV
    assert "ARM_CLIENT_CERTIFICATE_PATH" not in environ
