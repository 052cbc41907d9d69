"""``enpass-consent sandbox`` driven as a user drives it: start it, source its env file, run the
commands it prints, stop it with Ctrl-C, and find nothing left behind."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from enpass_consent import clouds
from enpass_consent.cli import main
from enpass_consent.emulator import TEST_CLIENT_SECRET, Emulator
from enpass_consent.sandbox.folder import ENV_FILE, MARKER
from tests.support.sandbox_process import clean_environ, sandbox_process, sourced


def use_environ(monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> None:
    """This process's environment becomes the sourced shell's, for the variables the CLI reads."""
    ours = ("ENPASS_CONSENT_", "ARM_", "AZURE_")
    for name in [k for k in os.environ if k.startswith(ours)]:
        monkeypatch.delenv(name)
    for name, value in environ.items():
        if name.startswith(ours):
            monkeypatch.setenv(name, value)


def run(capsys: pytest.CaptureFixture[str], command: str) -> tuple[int, str, str]:
    """One printed command: ``enpass-consent ...`` in-process (fast), anything else in bash."""
    argv = shlex.split(command)
    if argv[0] == "enpass-consent":
        code = main(argv[1:])
        out, err = capsys.readouterr()
    else:
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=Path.cwd())
        code, out, err = done.returncode, done.stdout, done.stderr
    assert "Traceback" not in out + err
    assert TEST_CLIENT_SECRET not in out + err
    return code, out, err


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {tenant["stack"]: tenant["status"] for tenant in document["tenants"]}


def test_a_user_starts_the_sandbox_runs_what_it_prints_and_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    temp = tmp_path / "tmp"
    with sandbox_process(temp) as sandbox:
        demo = sandbox.demo_dir
        assert demo.parent == temp and sorted(p.name for p in demo.iterdir()) == [
            "Pulumi.contoso.yaml",
            "Pulumi.fabrikam.yaml",
            "Pulumi.northwind.yaml",
            "Pulumi.tailspin.yaml",
            "Pulumi.yaml",
            ENV_FILE,
        ]
        commands = sandbox.commands_to_try()
        assert commands[:4] == [
            f"cd {shlex.quote(str(demo))}",
            f"source {ENV_FILE}",
            "enpass-consent audit --all-stacks",
            "enpass-consent preflight --all-stacks",
        ]

        # `source sandbox.env` in a shell whose own credentials would otherwise win.
        environ = sourced(demo / ENV_FILE, clean_environ(ARM_CLIENT_CERTIFICATE_PATH="/home/me/cert.pfx"))
        assert "ARM_CLIENT_CERTIFICATE_PATH" not in environ
        assert environ[clouds.GRAPH_URL_ENV] == environ[clouds.AUTHORITY_HOST_ENV]
        assert environ[clouds.AUTHORITY_HOST_ENV].startswith("https://127.0.0.1:")
        ca_bundle = Path(environ[clouds.CA_BUNDLE_ENV])
        assert ca_bundle.is_file() and ca_bundle.is_relative_to(temp)
        use_environ(monkeypatch, environ)
        monkeypatch.chdir(demo)

        code, out, err = run(capsys, "enpass-consent audit --all-stacks")
        assert code == 2 and "SP_MISSING" in out
        # Every command that reaches Graph says where it goes instead of Microsoft.
        assert f"{clouds.AUTHORITY_HOST_ENV}={environ[clouds.AUTHORITY_HOST_ENV]} overrides" in err
        assert f"{clouds.GRAPH_URL_ENV}={environ[clouds.GRAPH_URL_ENV]} overrides" in err

        code, out, _ = run(capsys, "enpass-consent audit --all-stacks --format json")
        document = json.loads(out)
        assert (code, statuses(document)) == (
            2,
            {"contoso": "in_sync", "fabrikam": "drift", "northwind": "drift", "tailspin": "in_sync"},
        )
        fabrikam = next(t for t in document["tenants"] if t["stack"] == "fabrikam")
        assert sorted(f["code"] for f in fabrikam["findings"]) == [
            "APP_PERMISSION",
            "ASSIGNMENT_EXTRA",
            "ASSIGNMENT_MISSING",
            "ASSIGNMENT_REQUIRED_MISMATCH",
            "FOREIGN_GRANT",
            "SCOPE_EXTRA",
            "SCOPE_MISSING",
            "SP_DISABLED",
            "USER_GRANT",
        ]
        northwind = next(t for t in document["tenants"] if t["stack"] == "northwind")
        assert [f["code"] for f in northwind["findings"]] == ["SP_MISSING"]

        code, out, err = run(capsys, "enpass-consent preflight --all-stacks --format json")
        document = json.loads(out)
        assert (code, statuses(document)) == (
            2,
            {"contoso": "pass", "fabrikam": "warn", "northwind": "warn", "tailspin": "pass"},
        )
        northwind_checks = {c["id"]: c["status"] for c in document["tenants"][2]["checks"]}
        assert northwind_checks["licences"] == "warn" and northwind_checks["identity"] == "pass"
        assert f"{clouds.GRAPH_URL_ENV}=" in err

        # adopt on the drifted tenant consented before: the ids it would record, what `pulumi up` would
        # change on the service principal, what the stack leaves alone; a preview, so nothing is written.
        fabrikam_file = (demo / "Pulumi.fabrikam.yaml").read_text()
        assert commands[4] == "enpass-consent adopt --stack fabrikam"
        code, out, err = run(capsys, commands[4])
        assert code == 0, err
        assert "  - accountEnabled: false -> true" in out
        assert "  - APP_PERMISSION (critical): " in out
        assert "+  enpass-consent:adopt:" in out
        assert (demo / "Pulumi.fabrikam.yaml").read_text() == fabrikam_file
        assert f"{clouds.GRAPH_URL_ENV}=" in err

        # The rest of the printed commands, in order: onboard the hand-consented tenant (a user's own
        # consent is left out: exit 2), then audit it: exactly what init left out.
        results = [run(capsys, command) for command in commands[5:]]
        assert [code for code, _, _ in results] == [2, 2]
        stack_file = (demo / "Pulumi.wingtip.yaml").read_text()
        assert "enpass-consent:adopt:" in stack_file and "servicePrincipalObjectId:" in stack_file
        assert "  wingtip  USER_GRANT (medium): " in results[0][1]
        assert f"{clouds.GRAPH_URL_ENV}=" in results[1][2]
        assert [line.split()[3] for line in results[1][1].splitlines()[1:-1]] == ["USER_GRANT"]

        code, rest, err = sandbox.stop(signal.SIGINT)
    assert code == 0, err
    assert rest == ""
    assert "stopped (SIGINT)" in err and "Traceback" not in err
    # Certificate, env file and demo folder: nothing is left in the temp folder.
    assert list(temp.iterdir()) == []


def test_sigterm_stops_it_too_and_a_dir_keeps_the_stack_files_but_not_the_env_file(tmp_path: Path) -> None:
    temp, kept = tmp_path / "tmp", tmp_path / "my demo"
    with sandbox_process(temp, "--dir", str(kept)) as sandbox:
        assert sandbox.demo_dir == kept
        assert (kept / "Pulumi.yaml").read_text().startswith(MARKER)
        assert "kept when the sandbox stops" in "\n".join(sandbox.output)
        code, _, err = sandbox.stop(signal.SIGTERM)
    assert code == 0, err
    assert "stopped (SIGTERM)" in err and f"the demo project stays in {kept}" in err
    assert sorted(p.name for p in kept.iterdir()) == [
        "Pulumi.contoso.yaml",
        "Pulumi.fabrikam.yaml",
        "Pulumi.northwind.yaml",
        "Pulumi.tailspin.yaml",
        "Pulumi.yaml",
    ]
    assert list(temp.iterdir()) == []


def test_bad_options_are_one_message_exit_1_and_nothing_started_or_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    mine = tmp_path / "my-project"
    mine.mkdir()
    (mine / "Pulumi.yaml").write_text("name: mine\n")
    with Emulator() as other:
        cases = {
            ("--dir", str(mine)): f"--dir: {mine} is not empty and was not written by `enpass-consent sandbox`",
            ("--from-project", str(tmp_path / "nowhere")): "--from-project: ",
            ("--port", "70000"): "'--port'",
            ("--port", str(other.port)): f"--port {other.port}: cannot listen on 127.0.0.1:{other.port}",
        }
        for args, message in cases.items():
            code = main(["sandbox", *args])
            out, err = capsys.readouterr()
            assert (code, out) == (1, ""), args
            assert message in err and "Traceback" not in err, err
            assert sorted(p.name for p in temp.iterdir()) == [Path(other.ca_bundle).parent.name], args
    assert sorted(p.name for p in mine.iterdir()) == ["Pulumi.yaml"]
    assert list(temp.iterdir()) == []
