from __future__ import annotations

import json
from pathlib import Path

import pytest

from enpass_consent.cli import main
from enpass_consent.emulator import Emulator, scenarios
from tests.support.golden import assert_golden, validate

GOLDEN = Path(__file__).parent / "golden"
TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("fmt", "name"), [("json", "explain.json"), ("markdown", "explain.md"), ("table", "explain.txt")]
)
def test_explain(fmt: str, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert_golden(GOLDEN / name, out)
    if fmt == "json":
        validate(json.loads(out), "catalog")


def test_consent_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["consent-url", "--tenant", TENANT.upper()]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith(f"https://login.microsoftonline.com/{TENANT}/v2.0/adminconsent?client_id=")


@pytest.mark.parametrize(
    ("tenant", "message"),
    [
        (
            "organizations",
            "--tenant: 'organizations' names no tenant (it signs in to the signed-in person's home tenant",
        ),
        ("Common", "--tenant: 'Common' names no tenant"),
        ("contoso", "--tenant: 'contoso' is neither a tenant id (a GUID) nor a domain name"),
        ("fabrikam.com", "--tenant: 'fabrikam.com' is no verified domain of any Microsoft Entra tenant"),
    ],
)
def test_consent_url_refuses_anything_but_a_tenant_and_explains_only_what_was_typed(
    tenant: str, message: str, emulator: Emulator, emulator_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT)).domains = ["contoso.com"]
    assert main(["consent-url", "--tenant", tenant]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    if tenant.lower() not in ("organizations", "common"):
        assert "home tenant" not in captured.err and "organizations" not in captured.err


def test_consent_url_accepts_a_verified_domain(
    emulator: Emulator, emulator_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    emulator.add_tenant(scenarios.empty_tenant(TENANT)).domains = ["contoso.onmicrosoft.com", "contoso.com"]
    assert main(["consent-url", "--tenant", "Contoso.com"]) == 0
    url = capsys.readouterr().out.strip()
    # The link names the tenant id the domain belongs to, on the real login host (never the override).
    assert url.startswith(f"https://login.microsoftonline.com/{TENANT}/v2.0/adminconsent?client_id=")
    assert [r.tenant for r in emulator.recorder.requests()] == ["contoso.com"]


def test_usage_errors_exit_1_not_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--no-such-flag"]) == 1
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert "name the stacks: --stack NAME (repeatable) or --all-stacks" in err


def test_an_unwritable_output_is_one_message_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no-such-folder" / "review.md"
    preview = Path(__file__).parents[1] / "review" / "fixtures" / "no-op.preview.json"
    assert main(["review", str(preview), "--output", str(target)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert f"--output: cannot write {target} (no such folder)" in captured.err
