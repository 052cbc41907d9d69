"""Azure CLI sign-in: ``az login`` once, then audit/preflight/adopt work (a fake ``az`` against the emulator)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from enpass_consent.cli import main
from enpass_consent.emulator import Emulator, scenarios
from enpass_consent.emulator.tokens import decode_claims
from enpass_consent.graph.azure_cli import AzureCliTokenSource
from enpass_consent.graph.credentials import AzureCli
from enpass_consent.graph.errors import AuthError
from tests.support.fake_az import AZURE_CLI_CLIENT_ID, FakeAz

HOME = "a2000000-0000-4000-8000-000000000001"
CUSTOMER = "a2000000-0000-4000-8000-000000000002"
GRAPH = "https://graph.microsoft.com"
AUDIT_SCOPES = ("Application.Read.All", "Directory.Read.All", "GroupMember.Read.All")


@pytest.fixture
def project(tmp_path: Path, emulator_env: dict[str, str], fake_az: FakeAz, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_CLIENT_CERTIFICATE_PATH", "ARM_USE_OIDC", "ARM_USE_MSI",
                 "ARM_USE_CLI", "ARM_OIDC_TOKEN", "ARM_OIDC_TOKEN_FILE_PATH"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for key, value in fake_az.env.items():
        monkeypatch.setenv(key, value)
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    for stack, tenant in (("home", HOME), ("customer", CUSTOMER)):
        (folder / f"Pulumi.{stack}.yaml").write_text(f"config:\n  azuread:tenantId: {tenant}\n")
    return folder


def tenants(emulator: Emulator) -> None:
    home = emulator.add_tenant(scenarios.in_sync_tenant(HOME))
    customer = emulator.add_tenant(scenarios.in_sync_tenant(CUSTOMER))
    admin = home.users[(home.signed_in_user_id or "").lower()]
    scenarios.add_guest(customer, admin, home_tenant_id=HOME)
    for tenant in (home, customer):
        scenarios.consent_client(tenant, AZURE_CLI_CLIENT_ID, *AUDIT_SCOPES)


def audit(project: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["audit", "--all-stacks", "--project-dir", str(project), "--format", "json"])
    out, err = capsys.readouterr()
    assert "eyJ" not in out + err
    return code, json.loads(out), err


def test_audit_works_right_after_az_login(
    emulator: Emulator, project: Path, fake_az: FakeAz, capsys: pytest.CaptureFixture[str]
) -> None:
    tenants(emulator)
    fake_az.login(HOME)
    code, document, err = audit(project, capsys)
    assert code == 0, document
    assert [(t["stack"], t["status"]) for t in document["tenants"]] == [("customer", "in_sync"), ("home", "in_sync")]
    assert "enpass-consent: signing in with Azure CLI" in err
    token_calls = sorted(call for call in fake_az.calls() if call[:2] == ["account", "get-access-token"])
    assert token_calls == sorted(
        ["account", "get-access-token", "--tenant", tenant, "--resource", GRAPH, "--output", "json"]
        for tenant in (HOME, CUSTOMER)
    )


def test_not_signed_in_says_how_to_sign_in(
    emulator: Emulator, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tenants(emulator)
    code, document, _ = audit(project, capsys)
    assert code == 1
    errors = {t["stack"]: t["error"] for t in document["tenants"]}
    assert "Please run 'az login' to setup account" in errors["home"]
    assert f"run az login --tenant {HOME} --allow-no-subscriptions" in errors["home"]


def test_a_tenant_that_demands_mfa_names_the_fix(
    emulator: Emulator, project: Path, fake_az: FakeAz, capsys: pytest.CaptureFixture[str]
) -> None:
    tenants(emulator)
    emulator.tenant(CUSTOMER).interaction_required = True
    fake_az.login(HOME)
    code, document, _ = audit(project, capsys)
    assert code == 1
    errors = {t["stack"]: t["error"] for t in document["tenants"]}
    assert errors["home"] is None
    assert (
        "the Azure CLI has no usable sign-in for tenant" in errors["customer"] and "AADSTS50076" in errors["customer"]
    )
    assert f"run az login --tenant {CUSTOMER} --allow-no-subscriptions" in errors["customer"]


def test_the_fake_gives_what_az_gives(emulator: Emulator, fake_az: FakeAz) -> None:
    tenants(emulator)
    assert fake_az.run("account", "get-access-token").stderr.startswith("ERROR: Please run 'az login'")
    fake_az.login(HOME)
    completed = fake_az.run(
        "account", "get-access-token", "--tenant", CUSTOMER, "--resource", GRAPH, "--output", "json"
    )
    body = json.loads(completed.stdout)
    assert set(body) == {"accessToken", "expiresOn", "expires_on", "tenant", "tokenType"}
    claims = decode_claims(body["accessToken"])
    guest = emulator.tenant(CUSTOMER).user_for_sign_in(
        emulator.tenant(HOME).users[(emulator.tenant(HOME).signed_in_user_id or "")].sign_in_name
    )
    assert guest is not None
    assert (claims["tid"], claims["oid"], claims["appid"]) == (CUSTOMER, guest.id, AZURE_CLI_CLIENT_ID)
    assert claims["scp"].split() == sorted(AUDIT_SCOPES)


class Runner:
    """Scripted ``subprocess.run`` for the token source (records every argv)."""

    def __init__(self, *results: subprocess.CompletedProcess[str] | BaseException) -> None:
        self.results = list(results)
        self.calls: list[list[str]] = []

    def __call__(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        assert kwargs["timeout"] == 7.0 and kwargs["check"] is False and "shell" not in kwargs
        assert kwargs["env"]["AZURE_CORE_NO_COLOR"] == "true"
        self.calls.append(argv)
        result = self.results.pop(0)
        if isinstance(result, BaseException):
            raise result
        return result


def answer(stdout: str = "", stderr: str = "", code: int = 0) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess([], code, stdout, stderr)


def source(runner: Runner, now: list[float], environ: dict[str, str] | None = None) -> AzureCliTokenSource:
    return AzureCliTokenSource(
        AzureCli("Azure CLI", None, executable="/opt/az/bin/az"), HOME, GRAPH, environ or {"PATH": "/opt/az/bin"},
        run=runner, timeout=7.0, clock=lambda: now[0],
    )  # fmt: skip


def token_json(token: str, expires_on: int, tenant: str = HOME) -> str:
    return json.dumps({"accessToken": token, "expiresOn": "2099-01-01 00:00:00.000000", "expires_on": expires_on,
                       "tenant": tenant, "tokenType": "Bearer"})  # fmt: skip


def test_token_is_reused_until_shortly_before_it_expires() -> None:
    now = [1000.0]
    runner = Runner(answer(token_json("fake-az-token-one", 5000)), answer(token_json("fake-az-token-two", 9000)))
    tokens = source(runner, now)
    assert tokens.get_token() == "fake-az-token-one"
    now[0] = 4000.0
    assert tokens.get_token() == "fake-az-token-one"
    now[0] = 4701.0  # within 5 minutes of expiry
    assert tokens.get_token() == "fake-az-token-two"
    assert runner.calls == [["/opt/az/bin/az", "account", "get-access-token", "--tenant", HOME, "--resource", GRAPH,
                             "--output", "json"]] * 2  # fmt: skip


def test_local_expires_on_when_az_is_older() -> None:
    runner = Runner(answer(json.dumps({"accessToken": "fake-az-token-old", "expiresOn": "2099-01-01 00:00:00.000000"})))
    assert source(runner, [0.0]).get_token() == "fake-az-token-old"


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (subprocess.TimeoutExpired(["az"], 7.0), "did not answer within 7 s"),
        (FileNotFoundError(2, "No such file"), "cannot run the Azure CLI (/opt/az/bin/az): FileNotFoundError"),
        (answer("not json"), "something other than JSON"),
        (answer(json.dumps({"tokenType": "Bearer"})), "has no accessToken"),
        (answer(token_json("fake-az-token-x", 9000, tenant=CUSTOMER)), f"a token for tenant {CUSTOMER}, not {HOME}"),
        (
            answer(
                stderr="ERROR: AADSTS700082: The refresh token has expired due to inactivity. Bearer eyJabc.def.ghi",
                code=1,
            ),
            "no usable sign-in",
        ),
        (answer(stderr="ERROR: something else", code=2), "failed for tenant"),
    ],
)
def test_failures_are_auth_errors_with_the_fix(result: Any, message: str) -> None:
    with pytest.raises(AuthError, match=re.escape(message)) as raised:
        source(Runner(result), [0.0]).get_token()
    text = str(raised.value)
    assert "eyJabc" not in text
    if "AADSTS" in message or "failed" in message or "usable" in message:
        assert f"az login --tenant {HOME} --allow-no-subscriptions" in text


CLOUD_SHELL = {"PATH": "/opt/az/bin", "AZUREPS_HOST_ENVIRONMENT": "cloud-shell/1.0"}


def test_in_cloud_shell_az_is_asked_without_tenant_and_its_token_must_be_the_stacks() -> None:
    # az refuses --tenant for a Cloud Shell account; the provider leaves it out there too.
    runner = Runner(answer(token_json("fake-az-token-shell", 9000)))
    assert source(runner, [0.0], CLOUD_SHELL).get_token() == "fake-az-token-shell"
    assert runner.calls == [["/opt/az/bin/az", "account", "get-access-token", "--resource", GRAPH, "--output", "json"]]


def test_a_cloud_shell_signed_in_to_another_tenant_is_refused_with_the_fix() -> None:
    runner = Runner(answer(token_json("fake-az-token-shell", 9000, tenant=CUSTOMER)))
    with pytest.raises(AuthError) as raised:
        source(runner, [0.0], CLOUD_SHELL).get_token()
    assert str(raised.value) == (
        f"the Azure CLI returned a token for tenant {CUSTOMER}, not {HOME} (in Azure Cloud Shell az gives tokens "
        f"only for the tenant it is signed in to); run az login --tenant {HOME} --allow-no-subscriptions"
    )


def test_outside_cloud_shell_the_variable_with_another_value_keeps_tenant() -> None:
    runner = Runner(answer(token_json("fake-az-token-vm", 9000)))
    source(runner, [0.0], {"PATH": "/opt/az/bin", "AZUREPS_HOST_ENVIRONMENT": "AzurePowerShell/1.0"}).get_token()
    assert runner.calls[0][3:5] == ["--tenant", HOME]


def test_az_signed_in_as_a_managed_identity_is_explained() -> None:
    refusal = "ERROR: Tenant shouldn't be specified for managed identity account"
    with pytest.raises(AuthError) as raised:
        source(Runner(answer(stderr=refusal, code=1)), [0.0]).get_token()
    text = str(raised.value)
    assert text.startswith("the Azure CLI is signed in as a managed identity (az login --identity)")
    assert f"not for tenant {HOME}: {refusal}; use ARM_USE_MSI=true in the identity's own tenant" in text


def test_preflight_works_right_after_az_login(
    emulator: Emulator, project: Path, fake_az: FakeAz, capsys: pytest.CaptureFixture[str]
) -> None:
    tenants(emulator)
    home = emulator.tenant(HOME)
    scenarios.consent_client(home, AZURE_CLI_CLIENT_ID, "User.Read", "RoleManagement.Read.Directory",
                             "RoleEligibilitySchedule.Read.Directory", "Policy.Read.All", "User.Read.All")  # fmt: skip
    scenarios.give_role_through_group(home, home.signed_in_user_id or "")
    fake_az.login(HOME)
    code = main(["preflight", "--stack", "home", "--project-dir", str(project), "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    checks = {check["id"]: check for check in document["tenants"][0]["checks"]}
    assert checks["identity"]["status"] == "pass", checks["identity"]
    assert "as an active tenant-wide role" in checks["identity"]["message"]
    assert {check["id"]: check["status"] for check in checks.values() if check["status"] != "pass"} == {
        "service-principal": "warn"  # what `pulumi up` changes on the SP it adopts (a scenario SP lacks its notes)
    }, checks
    assert code == 2
