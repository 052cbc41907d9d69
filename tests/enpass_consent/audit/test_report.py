"""The audit document: JSON contract and schema, table and Markdown renderings (golden files)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest

from enpass_consent.audit import report
from enpass_consent.audit.result import AuditReport, TenantResult
from enpass_consent.findings import finding
from tests.support.golden import assert_golden, schema, validate

GOLDEN = Path(__file__).parent / "golden"
AT = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)
T1 = "11111111-2222-3333-4444-555555555555"
T2 = "22222222-2222-3333-4444-555555555555"


def sample() -> AuditReport:
    return AuditReport(
        (
            TenantResult.evaluated("contoso", T1, []),
            TenantResult.evaluated(
                "fabrikam",
                T2,
                [
                    finding(
                        "SCOPE_EXTRA",
                        "Grant g1 holds Mail.Read, which the stack does not ask for.",
                        object_id="g1",
                        actual="Mail.Read",
                    ),
                    finding(
                        "ASSIGNMENT_REQUIRED_MISMATCH",
                        "appRoleAssignmentRequired is false | the stack says true.",
                        object_id="sp1",
                        expected=True,
                        actual=False,
                    ),
                ],
            ),
            TenantResult.failed("woodgrove", None, "Pulumi.woodgrove.yaml: azuread:tenantId: not a GUID (got 'x')"),
        ),
        generated_at=AT,
    )


@pytest.mark.parametrize(("fmt", "name"), [("json", "report.json"), ("table", "report.txt"), ("markdown", "report.md")])
def test_golden(fmt: str, name: str) -> None:
    assert_golden(GOLDEN / name, report.RENDERERS[fmt](sample()))


def test_json_contract_and_schema() -> None:
    document = json.loads(report.to_json(sample()))
    validate(document, "audit")
    assert document["generatedAt"] == "2026-11-27T08:00:00Z"
    assert document["summary"] == {"tenants": 3, "inSync": 1, "drift": 1, "error": 1}
    assert [t["status"] for t in document["tenants"]] == ["in_sync", "drift", "error"]


def test_schema_rejects_an_error_tenant_with_findings() -> None:
    document = json.loads(report.to_json(sample()))
    document["tenants"][2]["findings"] = document["tenants"][1]["findings"]
    with pytest.raises(jsonschema.ValidationError):
        validate(document, "audit")


def test_info_findings_alone_are_in_sync() -> None:
    info = finding("SCOPE_EXTRA", "sign-in scope", object_id="g", actual="openid", severity=None)
    assert TenantResult.evaluated("a", T1, [info]).status.value == "drift"  # SCOPE_EXTRA defaults to high
    from enpass_consent.findings import Severity

    quiet = finding("SCOPE_EXTRA", "sign-in scope", object_id="g", actual="openid", severity=Severity.INFO)
    assert TenantResult.evaluated("a", T1, [quiet]).status.value == "in_sync"


@pytest.mark.parametrize(
    ("statuses", "code"),
    [((), 0), (("in_sync",), 0), (("in_sync", "drift"), 2), (("drift", "error"), 1), (("error",), 1)],
)
def test_exit_codes(statuses: tuple[str, ...], code: int) -> None:
    results = []
    for i, status in enumerate(statuses):
        if status == "error":
            results.append(TenantResult.failed(f"s{i}", None, "boom"))
        elif status == "drift":
            results.append(TenantResult.evaluated(f"s{i}", T1, [finding("GRANT_MISSING", "x")]))
        else:
            results.append(TenantResult.evaluated(f"s{i}", T1, []))
    assert AuditReport(tuple(results)).exit_code == code


def test_schema_is_open_for_additions_but_fits_every_code() -> None:
    import re

    from enpass_consent.findings import CODES

    pattern = re.compile(schema("audit")["$defs"]["finding"]["properties"]["code"]["pattern"])
    assert all(pattern.match(code) for code in CODES)
    document = json.loads(report.to_json(sample()))
    document["newTopLevelKey"] = 1
    document["tenants"][1]["findings"][0]["code"] = "A_CODE_ADDED_LATER"
    validate(document, "audit")  # a v1 consumer must accept additions


def test_text_that_is_not_utf8_is_escaped_not_fatal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from enpass_consent.commands.common import emit

    odd = AuditReport(
        (TenantResult.evaluated("contoso", T1, [finding("ASSIGNMENT_EXTRA", "User \ud800 is assigned", actual="x")]),),
        generated_at=AT,
    )
    for fmt in ("json", "table", "markdown"):
        emit(report.RENDERERS[fmt](odd), None)
        emit(report.RENDERERS[fmt](odd), tmp_path / f"out.{fmt}")
        assert "\\ud800" in (tmp_path / f"out.{fmt}").read_text()
    assert "contoso" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "out.markdown", "out.table"]  # no temp files
