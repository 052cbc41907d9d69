"""No traceback, ever, from bad input: every command with bad environment values, flags and files.

Each case runs ``enpass-consent`` in process (``cli.main``) against the emulator and asserts exit 1,
a message that names the offending variable, flag or file, and no "Traceback" on either stream. An
exception escaping ``main`` fails the case as well. A new environment variable is one row of
``ENV_CASES``; a new command is one entry of ``SIGN_IN_COMMANDS`` (``GRAPH_COMMANDS`` when it reads a stack file) (or of the flag and file tables).

A couple of real subprocesses at the end prove that the console entry point itself never prints a
traceback either.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from urllib3.util.retry import Retry

from enpass_consent import cli
from enpass_consent.commands import fleet as fleet_command
from enpass_consent.emulator import TEST_CLIENT_ID, TEST_CLIENT_SECRET, Emulator, scenarios
from enpass_consent.emulator.certs import tls_material
from enpass_consent.emulator.state import ClientApp
from enpass_consent.graph import session as graph_session
from tests.enpass_consent.fleet.fake_pulumi import Behaviour, FakePulumiCommand

TENANT = "15151515-0000-4000-8000-000000000001"
STACK = "contoso"
# Every variable a case may set; each case starts from the working sign-in below with the rest unset.
CREDENTIAL_VARIABLES = (
    "ARM_CLIENT_ID",
    "ARM_CLIENT_ID_FILE_PATH",
    "ARM_CLIENT_SECRET",
    "ARM_CLIENT_SECRET_FILE_PATH",
    "ARM_CLIENT_CERTIFICATE",
    "ARM_CLIENT_CERTIFICATE_PATH",
    "ARM_CLIENT_CERTIFICATE_PASSWORD",
    "ARM_OIDC_TOKEN",
    "ARM_OIDC_TOKEN_FILE_PATH",
    "ARM_USE_OIDC",
    "ARM_USE_AKS_WORKLOAD_IDENTITY",
    "AZURE_TENANT_ID",
    "ARM_OIDC_REQUEST_URL",
    "ARM_OIDC_REQUEST_TOKEN",
    "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
    "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
    "ARM_USE_MSI",
    "ARM_MSI_ENDPOINT",
    "ARM_USE_CLI",
    "ENPASS_CONSENT_PUBLIC_CLIENT_ID",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "SYSTEM_ACCESSTOKEN",
    "SYSTEM_OIDCREQUESTURI",
    "HTTPS_PROXY",
    "https_proxy",
    "NO_PROXY",
    "no_proxy",
)
UNSET = None
# Placeholders in case values, replaced by files made for each case.
MISSING_FILE = "{missing}"
A_FOLDER = "{folder}"
GARBAGE_FILE = "{garbage}"
BINARY_FILE = "{binary}"
EMPTY_FILE = "{empty}"
LOCKED_PFX = "{pfx}"  # a real PKCS#12 file, encrypted with another password than the cases use
CLOSED_PORT = "https://127.0.0.1:1"  # nothing listens there: connection refused at once


@dataclass(frozen=True)
class Case:
    """Environment changes (``None`` unsets) and the text the error must contain (default: the variable)."""

    variable: str
    value: str | None
    also: dict[str, str | None] = field(default_factory=dict)
    names: str = ""
    tenant: Callable[[ClientApp], None] | None = None
    """Changes to the signing-in app in the emulator (e.g. which assertions it accepts)."""

    @property
    def expected(self) -> str:
        return self.names or self.variable

    def __str__(self) -> str:
        value = "unset" if self.value is None else (repr(self.value) if self.value else "empty")
        return f"{self.variable}={value}"


def _only_assertion(client: ClientApp) -> None:
    client.valid_assertions = {"header.payload.signature"}


NO_SECRET: dict[str, str | None] = {"ARM_CLIENT_SECRET": UNSET}
OIDC: dict[str, str | None] = {**NO_SECRET, "ARM_USE_OIDC": "true"}  # the provider reads OIDC variables only then
OTHER_TENANT = "15151515-0000-4000-8000-000000000002"

ENV_CASES = [
    # Endpoint overrides: malformed, empty, pointing nowhere.
    Case("ENPASS_CONSENT_AUTHORITY_HOST", "not a url"),
    Case("ENPASS_CONSENT_AUTHORITY_HOST", "http://127.0.0.1:8443"),
    Case("ENPASS_CONSENT_AUTHORITY_HOST", ""),
    Case("ENPASS_CONSENT_AUTHORITY_HOST", CLOSED_PORT),
    Case("ENPASS_CONSENT_GRAPH_URL", "not a url"),
    Case("ENPASS_CONSENT_GRAPH_URL", "https://"),
    Case("ENPASS_CONSENT_GRAPH_URL", ""),
    Case("ENPASS_CONSENT_GRAPH_URL", CLOSED_PORT),
    Case("ENPASS_CONSENT_CA_BUNDLE", MISSING_FILE),
    Case("ENPASS_CONSENT_CA_BUNDLE", A_FOLDER),
    Case("ENPASS_CONSENT_CA_BUNDLE", GARBAGE_FILE),
    Case("ENPASS_CONSENT_CA_BUNDLE", BINARY_FILE),
    Case("ENPASS_CONSENT_CA_BUNDLE", ""),
    Case("ENPASS_CONSENT_PUBLIC_CLIENT_ID", "not-a-guid"),
    Case("ENPASS_CONSENT_PUBLIC_CLIENT_ID", ""),
    # Credentials: malformed, empty, pointing nowhere. An empty ARM_* variable counts as unset (as in
    # the azuread provider), so the error is then the one about what is missing, naming the variable.
    Case("ARM_CLIENT_ID", "not-a-guid"),
    Case("ARM_CLIENT_ID", ""),
    Case("ARM_CLIENT_ID", "00000000-0000-4000-8000-00000000dead"),
    Case("ARM_CLIENT_ID_FILE_PATH", MISSING_FILE, {"ARM_CLIENT_ID": UNSET}),
    Case("ARM_CLIENT_ID_FILE_PATH", BINARY_FILE, {"ARM_CLIENT_ID": UNSET}),
    Case("ARM_CLIENT_ID_FILE_PATH", GARBAGE_FILE, {"ARM_CLIENT_ID": UNSET}),
    Case("ARM_CLIENT_ID_FILE_PATH", EMPTY_FILE, {"ARM_CLIENT_ID": UNSET}),
    Case("ARM_CLIENT_ID_FILE_PATH", GARBAGE_FILE),  # disagrees with ARM_CLIENT_ID
    Case("ARM_CLIENT_SECRET", ""),
    Case("ARM_CLIENT_SECRET", "a-wrong-secret"),
    Case("ARM_CLIENT_SECRET_FILE_PATH", MISSING_FILE, NO_SECRET),
    Case("ARM_CLIENT_SECRET_FILE_PATH", A_FOLDER, NO_SECRET),
    Case("ARM_CLIENT_SECRET_FILE_PATH", EMPTY_FILE, NO_SECRET),
    Case("ARM_CLIENT_SECRET_FILE_PATH", GARBAGE_FILE, NO_SECRET),  # a wrong secret
    Case("ARM_CLIENT_SECRET_FILE_PATH", GARBAGE_FILE),  # disagrees with ARM_CLIENT_SECRET
    Case("ARM_CLIENT_CERTIFICATE", "not base64!", NO_SECRET),
    Case("ARM_CLIENT_CERTIFICATE", "dGhpcyBpcyBub3QgYSBQRlg=", NO_SECRET),  # base64, but not PKCS#12
    Case("ARM_CLIENT_CERTIFICATE", "", NO_SECRET, names="ARM_CLIENT_CERTIFICATE"),
    Case("ARM_CLIENT_CERTIFICATE_PATH", MISSING_FILE, NO_SECRET),
    Case("ARM_CLIENT_CERTIFICATE_PATH", A_FOLDER, NO_SECRET),
    Case("ARM_CLIENT_CERTIFICATE_PATH", GARBAGE_FILE, NO_SECRET),
    Case("ARM_CLIENT_CERTIFICATE_PATH", BINARY_FILE, NO_SECRET),
    Case("ARM_CLIENT_CERTIFICATE_PATH", "", NO_SECRET, names="ARM_CLIENT_CERTIFICATE_PATH"),
    Case("ARM_CLIENT_CERTIFICATE_PASSWORD", "wrong", {**NO_SECRET, "ARM_CLIENT_CERTIFICATE_PATH": LOCKED_PFX}),
    Case("ARM_CLIENT_CERTIFICATE_PASSWORD", "", {**NO_SECRET, "ARM_CLIENT_CERTIFICATE_PATH": LOCKED_PFX}),
    Case("ARM_OIDC_TOKEN", "not-a-jwt", OIDC, tenant=_only_assertion),
    Case("ARM_OIDC_TOKEN", "not-a-jwt", NO_SECRET),  # without ARM_USE_OIDC: named as not used
    Case("ARM_OIDC_TOKEN", "", OIDC),
    Case("ARM_OIDC_TOKEN_FILE_PATH", MISSING_FILE, OIDC),
    Case("ARM_OIDC_TOKEN_FILE_PATH", A_FOLDER, OIDC),
    Case("ARM_OIDC_TOKEN_FILE_PATH", EMPTY_FILE, OIDC),
    Case("ARM_OIDC_TOKEN_FILE_PATH", BINARY_FILE, OIDC),
    Case("ARM_OIDC_TOKEN_FILE_PATH", GARBAGE_FILE, OIDC, tenant=_only_assertion),
    Case("ARM_OIDC_TOKEN_FILE_PATH", GARBAGE_FILE, NO_SECRET),
    Case("ARM_OIDC_TOKEN_FILE_PATH", "", OIDC),
    Case("ARM_USE_OIDC", "maybe", NO_SECRET),
    Case("ARM_USE_OIDC", "true", NO_SECRET),
    Case("ARM_USE_OIDC", "", NO_SECRET),
    Case("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "svc-1", OIDC),
    Case("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", "svc-1", OIDC),
    Case("ARM_OIDC_REQUEST_URL", CLOSED_PORT, {**OIDC, "ARM_OIDC_REQUEST_TOKEN": "fake-request-token"}),
    Case("ARM_OIDC_REQUEST_URL", "not a url", {**OIDC, "ARM_OIDC_REQUEST_TOKEN": "fake-request-token"}),
    Case("ARM_OIDC_REQUEST_TOKEN", "", {**OIDC, "ARM_OIDC_REQUEST_URL": CLOSED_PORT}),
    Case("ARM_USE_AKS_WORKLOAD_IDENTITY", "maybe", NO_SECRET),
    Case(
        "AZURE_TENANT_ID", OTHER_TENANT, {**NO_SECRET, "ARM_USE_AKS_WORKLOAD_IDENTITY": "true", "ARM_OIDC_TOKEN": "x"}
    ),
    Case("ARM_USE_MSI", "maybe", NO_SECRET),
    Case("ARM_MSI_ENDPOINT", CLOSED_PORT, {**NO_SECRET, "ARM_USE_MSI": "true"}),
    Case("ARM_USE_CLI", "maybe", NO_SECRET),
    Case("ARM_USE_CLI", "true", NO_SECRET),  # az is not on PATH here
    Case("HTTPS_PROXY", "socks5://127.0.0.1:1080"),
]

# Commands that sign in and read Graph, as a user runs them against the one stack.
GRAPH_COMMANDS = {
    "audit": ["audit", "--stack", STACK],
    "preflight": ["preflight", "--stack", STACK],
    "adopt": ["adopt", "--stack", STACK],
    "fleet drift": ["fleet", "drift", "--stack", STACK],
}
# Every command that signs in: the stack-file readers, and init, which reads the tenant to write a new stack.
SIGN_IN_COMMANDS = {
    **GRAPH_COMMANDS,
    "init --from-tenant": ["init", "--tenant", TENANT, "--stack", "newco", "--from-tenant"],
}


@dataclass
class Run:
    code: int
    out: str
    err: str

    def assert_clean_failure(self, expected: str) -> None:
        assert self.code == 1, f"exit {self.code}\nstdout:\n{self.out}\nstderr:\n{self.err}"
        for stream in (self.out, self.err):
            assert "Traceback" not in stream
            assert "unexpected" not in stream.lower(), stream  # the last-resort handler of a bug
        # The stderr note announcing an endpoint override does not count as naming the culprit.
        said = [line for line in (self.out + self.err).splitlines() if "overrides the cloud's endpoint" not in line]
        assert any(expected in line for line in said), f"nothing names {expected}:\n{self.out}\n{self.err}"


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one in-sync stack, signed in with a client secret, pointed at the emulator."""
    emulator.add_tenant(scenarios.in_sync_tenant(TENANT))
    for key, value in emulator.env().items():
        monkeypatch.setenv(key, value)
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARM_CLIENT_ID", TEST_CLIENT_ID)
    monkeypatch.setenv("ARM_CLIENT_SECRET", TEST_CLIENT_SECRET)
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))  # no az of the machine's (ARM_USE_CLI rows)
    # Connection failures are retried without backoff: the cases stay fast and prove the same.
    monkeypatch.setattr(graph_session, "build_retry", lambda: Retry(total=1, backoff_factor=0, raise_on_status=False))
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n", encoding="utf-8")
    (folder / f"Pulumi.{STACK}.yaml").write_text(f"config:\n  azuread:tenantId: {TENANT}\n", encoding="utf-8")
    fake = FakePulumiCommand(Behaviour(stacks={STACK: {"same": 3}}))
    monkeypatch.setattr(fleet_command, "make_pulumi_command", lambda: fake)
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The paths behind the placeholders (read only, so shared by every case)."""
    tmp_path = tmp_path_factory.mktemp("bad-files")
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("this is not what it should be\n", encoding="utf-8")
    binary = tmp_path / "binary.bin"
    binary.write_bytes(bytes(range(256)))
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    folder = tmp_path / "a-folder"
    folder.mkdir()
    tls = tls_material()
    key = serialization.load_pem_private_key(tls.key, password=None)
    (certificate,) = x509.load_pem_x509_certificates(tls.cert_chain)[:1]
    pfx = tmp_path / "locked.pfx"
    pfx.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"test",
            key,
            certificate,
            None,
            serialization.BestAvailableEncryption(b"the-right-one"),  # type: ignore[arg-type]
        )
    )
    return {
        LOCKED_PFX: str(pfx),
        MISSING_FILE: str(tmp_path / "missing" / "nothing.pem"),
        A_FOLDER: str(folder),
        GARBAGE_FILE: str(garbage),
        BINARY_FILE: str(binary),
        EMPTY_FILE: str(empty),
    }


@contextlib.contextmanager
def check(command: str) -> Iterator[None]:
    """Name the command in a failure of the assertions inside."""
    try:
        yield
    except AssertionError as exc:
        raise AssertionError(f"{command}: {exc}") from None


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> Run:
    try:
        code = cli.main(list(args))
    except BaseException as exc:  # SystemExit included: main returns its code when given argv
        out, err = capsys.readouterr()
        pytest.fail(f"{type(exc).__name__} escaped main({args}): {exc}\nstdout:\n{out}\nstderr:\n{err}")
    out, err = capsys.readouterr()
    return Run(code, out, err)


@pytest.mark.parametrize("command", SIGN_IN_COMMANDS)
def test_the_working_setup_works(project: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The baseline every case below breaks one thing of: it succeeds."""
    result = run(SIGN_IN_COMMANDS[command], capsys)
    assert result.code in (0, 2), result  # preflight warns: this tenant is in sync, not ready for everything


@pytest.mark.parametrize("case", ENV_CASES, ids=str)
def test_bad_environment(
    project: Path,
    files: dict[str, str],
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: Case,
) -> None:
    """Each command that signs in, with one variable bad (the commands share the setup: the matrix stays fast)."""
    changes = {**case.also, case.variable: case.value}
    for name, value in changes.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, files.get(value, value))
    if case.tenant is not None:
        client = ClientApp(TEST_CLIENT_ID)
        case.tenant(client)
        emulator.tenant(TENANT).add_client(client)
    for command, args in SIGN_IN_COMMANDS.items():
        with check(command):
            run(args, capsys).assert_clean_failure(case.expected)


# --- Bad flags: every command, named in the message -------------------------------------------------

FLAG_CASES = [
    (["explain", "--format", "xml"], "--format"),
    (["explain", "--no-such-flag"], "--no-such-flag"),
    (["consent-url"], "--tenant"),
    (["consent-url", "--tenant", "organizations"], "--tenant"),
    (["consent-url", "--tenant", "contoso.com"], "--tenant"),
    (["audit"], "--stack"),
    (["audit", "--stack", STACK, "--all-stacks"], "--all-stacks"),
    (["audit", "--all-stacks", "--concurrency", "0"], "--concurrency"),
    (["audit", "--all-stacks", "--concurrency", "many"], "--concurrency"),
    (["audit", "--all-stacks", "--format", "html"], "--format"),
    (["audit", "--all-stacks", "--attribution", "--attribution-days", "0"], "--attribution-days"),
    (["audit", "--all-stacks", "--attribution", "--attribution-days", "31"], "31 is not in the range 1<=x<=30"),
    (["audit", "--all-stacks", "--attribution", "--attribution-days", "many"], "--attribution-days"),
    (["audit", "--all-stacks", "--attribution-days", "7"], "--attribution-days 7 needs --attribution"),
    (["audit", "--all-stacks", "--project-dir", MISSING_FILE], "--project-dir"),
    (["audit", "--all-stacks", "--output", MISSING_FILE], "--output"),
    (["audit", "--all-stacks", "--output", A_FOLDER], "--output"),
    (["audit", "--stack", "../../etc/passwd"], "../../etc/passwd"),
    (["audit", "--stack", "ghost"], "Pulumi.ghost.yaml"),
    (["preflight", "--all-stacks", "--output", MISSING_FILE], "--output"),
    (["preflight", "--stack", ""], "''"),
    (["preflight", "--all-stacks", "--project-dir", GARBAGE_FILE], "--project-dir"),
    (["adopt"], "--stack"),
    (["adopt", "--stack", "../up"], "../up"),
    (["adopt", "--stack", "ghost"], "Pulumi.ghost.yaml"),
    (["adopt", "--stack", STACK, "--project-dir", MISSING_FILE], "--project-dir"),
    (["review"], "PREVIEW_JSON"),
    (["review", MISSING_FILE], MISSING_FILE),
    (["review", A_FOLDER], A_FOLDER),
    (["review", GARBAGE_FILE], GARBAGE_FILE),
    (["review", BINARY_FILE], BINARY_FILE),
    (["review", EMPTY_FILE], EMPTY_FILE),
    (["review", "-", "-"], "standard input"),
    (["review", EMPTY_FILE, "--format", "table"], "--format"),
    (["review", EMPTY_FILE, "--output", MISSING_FILE], "--output"),
    (["fleet"], "preview|up|drift"),
    (["fleet", "sideways", "--all-stacks"], "preview|up|drift"),
    (["fleet", "preview"], "--stack"),
    (["fleet", "preview", "--all-stacks", "--shard", "0/2"], "--shard"),
    (["fleet", "preview", "--all-stacks", "--shard", "half"], "--shard"),
    (["fleet", "preview", "--all-stacks", "--shard", "1/2", "--canary", STACK], "--canary"),
    (["fleet", "preview", "--all-stacks", "--concurrency", "0"], "--concurrency"),
    (["fleet", "preview", "--all-stacks", "--policy-pack", MISSING_FILE], "--policy-pack"),
    (["fleet", "preview", "--all-stacks", "--policy-pack-config", MISSING_FILE], "--policy-pack-config"),
    (["fleet", "preview", "--all-stacks", "--output", MISSING_FILE], "--output"),
    (["fleet", "preview", "--all-stacks", "--project-dir", A_FOLDER], "--project-dir"),
    (["fleet", "preview", "--all-stacks", "--yes"], "--yes"),
    (["fleet", "preview", "--all-stacks", "--attribution"], "--attribution applies to fleet drift only"),
    (["fleet", "drift", "--all-stacks", "--attribution", "--attribution-days", "0"], "--attribution-days"),
    (["fleet", "up", "--all-stacks"], "--yes"),
    (["fleet", "drift", "--all-stacks", "--skip-preview"], "--skip-preview"),
    (["init"], "--tenant"),
    (["init", "--tenant", TENANT], "--stack"),
    (["init", "--tenant", "organizations"], "organizations"),
    (["init", "--tenant", "not a domain!", "--stack", "x"], "not a domain!"),
    (["init", "--tenant", TENANT, "--stack", "../up"], "../up"),
    (["init", "--tenant", TENANT, "--stack", STACK, "--write"], f"Pulumi.{STACK}.yaml"),
    (["init", "--tenant", TENANT, "--stack", "newco", "--client-id", "nope"], "--client-id"),
    (["init", "--tenant", TENANT, "--stack", "newco", "--csv", GARBAGE_FILE], "--csv"),
    (["init", "--csv", MISSING_FILE], "--csv"),
    (["init", "--csv", A_FOLDER], "--csv"),
    (["init", "--csv", EMPTY_FILE], "--csv"),
    (["init", "--csv", BINARY_FILE], "--csv"),
    (["init", "--csv", GARBAGE_FILE], "--csv"),
    (["init", "--csv", GARBAGE_FILE, "--concurrency", "0"], "--concurrency"),
    (["init", "--tenant", TENANT, "--stack", "newco", "--output", MISSING_FILE], "--output"),
    # sandbox: each of these fails before anything starts (a case that started would wait for Ctrl-C).
    (["sandbox", "--port", "70000"], "--port"),
    (["sandbox", "--port", "any"], "--port"),
    (["sandbox", "--dir", GARBAGE_FILE], "--dir"),
    (["sandbox", "--dir", GARBAGE_FILE + "/under-a-file"], "--dir"),
    (["sandbox", "--from-project", MISSING_FILE], "--from-project"),
    (["sandbox", "--from-project", GARBAGE_FILE], "--from-project"),
]


def _placed(text: str, files: dict[str, str]) -> str:
    for placeholder, path in files.items():
        text = text.replace(placeholder, path)
    return text


@pytest.mark.parametrize(("args", "names"), FLAG_CASES, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_bad_flag(
    project: Path,
    files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    names: str,
) -> None:
    monkeypatch.setattr(fleet_command, "is_interactive", lambda: False)
    result = run([_placed(arg, files) for arg in args], capsys)
    result.assert_clean_failure(_placed(names, files))
    assert result.out == "" or result.code == 1


# --- Bad files: the stack file, the project file --------------------------------------------------

STACK_FILE_CASES = {
    "not YAML": "config: [unclosed\n",
    "not UTF-8": b"config:\n  azuread:tenantId: \xff\xfe\n",
    "a list": "- config\n",
    "config not a mapping": "config: 3\n",
    "a secure value": f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:scopes:\n    secure: AAAA\n",
    "an ESC import": f"environment:\n  - tenants/contoso\nconfig:\n  azuread:tenantId: {TENANT}\n",
    "a bad setting": f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:groups: Enpass Users\n",
    "no tenant": "config:\n  enpass-consent:protect: true\n",
    "the example's placeholder tenant": "config:\n  azuread:tenantId: 00000000-0000-0000-0000-000000000000\n",
    "a setting outside config": f"config:\nazuread:tenantId: {TENANT}\n",
    "a mistyped namespace": f"config:\n  azuread:tenantId: {TENANT}\n  enpass_consent:groups: [Enpass Users]\n",
    "a mistyped key": f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:grups: [Enpass Users]\n",
    "a folder": None,
}
PROJECT_FILE_CASES = {
    "project not YAML": "name: [enpass\n",
    "project not UTF-8": b"name: \xff\n",
    "project stackConfigDir not a folder name": "name: enpass-consent\nstackConfigDir: 3\n",
    "project a folder": None,
}


def _write(path: Path, content: str | bytes | None) -> None:
    if path.exists():
        path.unlink()
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", [*STACK_FILE_CASES, *PROJECT_FILE_CASES])
def test_bad_file(project: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    if case in STACK_FILE_CASES:
        path = project / f"Pulumi.{STACK}.yaml"
        _write(path, STACK_FILE_CASES[case])
    else:
        path = project / "Pulumi.yaml"
        _write(path, PROJECT_FILE_CASES[case])
    for command, args in GRAPH_COMMANDS.items():
        with check(command):
            run(args, capsys).assert_clean_failure(path.name)


# --- The last resort and the real entry point ------------------------------------------------------


def test_a_bug_is_one_line_and_exit_1(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """What no command handles is still no traceback: one line saying it is a bug, where, and exit 1."""
    from enpass_consent.commands import explain

    def broken() -> dict[str, str]:
        raise KeyError("scopes")

    monkeypatch.setattr(explain, "catalog_document", broken)
    assert cli.main(["explain", "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.startswith("enpass-consent: unexpected KeyError at explain.py:") and "a bug in enpass-consent" in err


ENTRY_POINTS = [
    [str(Path(sys.executable).parent / "enpass-consent")],
    [sys.executable, "-m", "enpass_consent"],
]


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=["console script", "python -m"])
def test_the_entry_point_prints_no_traceback(entry: list[str], tmp_path: Path) -> None:
    """The original report: an unreadable ENPASS_CONSENT_CA_BUNDLE gave a traceback in audit."""
    if not Path(entry[0]).exists():
        pytest.skip(f"{entry[0]} is not installed in this environment")
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n", encoding="utf-8")
    (project / f"Pulumi.{STACK}.yaml").write_text(f"config:\n  azuread:tenantId: {TENANT}\n", encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "CI": "true",
        "ARM_CLIENT_ID": TEST_CLIENT_ID,
        "ARM_CLIENT_SECRET": TEST_CLIENT_SECRET,
        "ENPASS_CONSENT_CA_BUNDLE": str(tmp_path / "missing.pem"),
    }
    done = subprocess.run(
        [*entry, "audit", "--stack", STACK, "--project-dir", str(project)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith(
        f"ENPASS_CONSENT_CA_BUNDLE: cannot read {tmp_path / 'missing.pem'} (No such file or directory)"
    )
