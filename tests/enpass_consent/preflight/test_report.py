"""The preflight document: JSON contract and schema, table and Markdown renderings (golden files)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest

from enpass_consent.preflight import report
from enpass_consent.preflight.result import Check, CheckStatus, PreflightReport, TenantPreflight
from tests.support.golden import assert_golden, validate

GOLDEN = Path(__file__).parent / "golden"
AT = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)
T1 = "11111111-2222-3333-4444-555555555555"
T2 = "22222222-2222-3333-4444-555555555555"


def sample() -> PreflightReport:
    return PreflightReport(
        (
            TenantPreflight.checked(
                "contoso",
                T1,
                [
                    Check("identity", CheckStatus.PASS, "App-only identity c1 holds what `pulumi up` needs."),
                    Check("user-consent", CheckStatus.PASS, "No 'Need admin approval' prompt."),
                ],
            ),
            TenantPreflight.checked(
                "fabrikam",
                T2,
                [
                    Check(
                        "licences",
                        CheckStatus.WARN,
                        "2 of 5 assigned users lack an enabled SharePoint/OneDrive service plan | see fix.",
                        "Assign those users a licence that includes SharePoint.",
                    ),
                    Check(
                        "entra-id-p1",
                        CheckStatus.FAIL,
                        "Groups are assigned, but no enabled licence includes Microsoft Entra ID P1.",
                        "License Microsoft Entra ID P1.",
                    ),
                ],
            ),
            TenantPreflight.failed("woodgrove", None, "Pulumi.woodgrove.yaml: azuread:tenantId: not a GUID (got 'x')"),
        ),
        generated_at=AT,
    )


@pytest.mark.parametrize(("fmt", "name"), [("json", "report.json"), ("table", "report.txt"), ("markdown", "report.md")])
def test_golden(fmt: str, name: str) -> None:
    assert_golden(GOLDEN / name, report.RENDERERS[fmt](sample()))


def test_json_contract_and_schema() -> None:
    document = json.loads(report.to_json(sample()))
    validate(document, "preflight")
    assert document["schema"] == "enpass-consent.preflight/v1"
    assert [t["status"] for t in document["tenants"]] == ["pass", "fail", "error"]
    assert document["summary"] == {"tenants": 3, "pass": 1, "warn": 0, "fail": 1, "error": 1}


@pytest.mark.parametrize(
    ("statuses", "code"),
    [(["pass"], 0), (["pass", "warn"], 2), (["fail"], 2), (["pass", "error"], 1), (["fail", "error"], 1)],
)
def test_exit_codes(statuses: list[str], code: int) -> None:
    tenants = []
    for n, status in enumerate(statuses):
        if status == "error":
            tenants.append(TenantPreflight.failed(f"s{n}", None, "boom"))
        else:
            fix = "" if status == "pass" else "do it"
            tenants.append(TenantPreflight.checked(f"s{n}", T1, [Check("identity", CheckStatus(status), "m", fix)]))
    assert PreflightReport(tuple(tenants)).exit_code == code


def test_schema_rejects_a_failed_check_without_fix_and_an_error_with_checks() -> None:
    document = json.loads(report.to_json(sample()))
    document["tenants"][1]["checks"][1]["fix"] = ""
    with pytest.raises(jsonschema.ValidationError):
        validate(document, "preflight")
    document = json.loads(report.to_json(sample()))
    document["tenants"][2]["checks"] = document["tenants"][0]["checks"]
    with pytest.raises(jsonschema.ValidationError):
        validate(document, "preflight")


def test_an_unknown_check_makes_the_tenant_warn_and_renders() -> None:
    unknown = Check("identity", CheckStatus.UNKNOWN, "Whether the user may consent is unknown: GDAP.", "Check it.")
    passing = Check("licences", CheckStatus.PASS, "Everyone has storage.")
    tenant = TenantPreflight.checked("contoso", T1, [passing, unknown])
    assert tenant.status.value == "warn"
    failing = TenantPreflight.checked("fabrikam", T2, [unknown, Check("groups", CheckStatus.FAIL, "No group.", "Add.")])
    assert failing.status.value == "fail"
    preflight = PreflightReport((tenant, failing), generated_at=AT)
    assert preflight.exit_code == 2
    document = json.loads(report.to_json(preflight))
    validate(document, "preflight")
    assert document["tenants"][0]["checks"][1]["status"] == "unknown"
    assert "| UNKNOWN |" in report.to_markdown(preflight)
    document["tenants"][0]["checks"][1]["fix"] = ""  # an unknown check must say what to do
    with pytest.raises(jsonschema.ValidationError):
        validate(document, "preflight")
