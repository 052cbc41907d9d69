"""Who changed it, in every format: under its finding, and the actor's text escaped like other tenant text."""

from __future__ import annotations

import json
import re

from enpass_consent.attribution.result import Attribution, AttributionStatus, LastChange
from enpass_consent.audit import report as audit_report
from enpass_consent.audit.result import AuditReport, TenantResult
from enpass_consent.findings import finding
from enpass_consent.fleet.report import render
from enpass_consent.fleet.result import FleetResult, Operation, StackResult, Status

TENANT = "14000000-0000-4000-8000-0000000000aa"
EVIL = "<script>alert(1)</script> | **bold** [x](http://evil.test) \x1b[31mred"
CHANGE = LastChange("Consent to application", "2026-11-30T21:14:03Z", EVIL, "actor-id", "success", "corr-1")
SCOPE = finding(
    "SCOPE_EXTRA", "Grant g holds Mail.Read, which the stack does not ask for.", object_id="g", actual="Mail.Read"
)
OK = Attribution(AttributionStatus.OK, "2026-11-01T00:00:00Z")
UNAVAILABLE = Attribution.unavailable("2026-11-01T00:00:00Z", "the audit log needs AuditLog.Read.All <b>")


def cells(row: str) -> list[str]:
    """A Markdown table row's cells, split on unescaped pipes."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


def audit() -> AuditReport:
    drift = TenantResult.evaluated("contoso", TENANT, [SCOPE]).with_attribution(OK, (CHANGE,))
    other = TenantResult.evaluated("fabrikam", TENANT, [SCOPE]).with_attribution(UNAVAILABLE)
    return AuditReport((drift, other))


def fleet() -> FleetResult:
    stacks = (
        StackResult("contoso", Status.CHANGES, {}, None, (SCOPE,), OK, (CHANGE,)),
        StackResult("fabrikam", Status.CHANGES, {}, None, (SCOPE,), UNAVAILABLE),
    )
    return FleetResult(Operation.DRIFT, stacks)


def test_audit_json_carries_last_change_and_attribution() -> None:
    document = json.loads(audit_report.to_json(audit()))
    contoso, fabrikam = document["tenants"]
    assert contoso["findings"][0]["lastChange"] == {
        "activity": "Consent to application",
        "at": "2026-11-30T21:14:03Z",
        "actor": EVIL,
        "actorId": "actor-id",
        "result": "success",
        "correlationId": "corr-1",
    }
    assert contoso["attribution"] == {"status": "ok", "since": "2026-11-01T00:00:00Z", "reason": None}
    assert "lastChange" not in fabrikam["findings"][0]
    assert fabrikam["attribution"]["status"] == "unavailable"


def test_audit_table_puts_it_under_the_finding_without_control_characters() -> None:
    lines = audit_report.to_table(audit()).splitlines()
    index = next(i for i, line in enumerate(lines) if "SCOPE_EXTRA" in line)
    assert "changed by <script>alert(1)</script>" in lines[index + 1]
    assert "(Consent to application)" in lines[index + 1]
    assert "\x1b" not in "\n".join(lines)
    assert "info: fabrikam: attribution unavailable: the audit log needs AuditLog.Read.All <b>" in lines


def test_audit_markdown_escapes_the_actor() -> None:
    text = audit_report.to_markdown(audit())
    (row,) = [line for line in text.splitlines() if "changed by" in line and "contoso" in line]
    assert "&lt;script&gt;" in row and "<script>" not in row
    assert r"\*\*bold\*\*" in row and r"\[x\]" in row
    assert len(cells(row)) == 6  # the actor's "|" is escaped: still six cells
    assert "- info: fabrikam: attribution unavailable: the audit log needs AuditLog.Read.All &lt;b&gt;" in text


def test_fleet_json_table_markdown_and_html() -> None:
    document = json.loads(render(fleet(), "json"))
    assert document["stacks"][0]["findings"][0]["lastChange"]["actor"] == EVIL
    assert document["stacks"][0]["attribution"]["status"] == "ok"

    table = render(fleet(), "table").splitlines()
    index = next(i for i, line in enumerate(table) if line.startswith("contoso: [high] SCOPE_EXTRA"))
    assert table[index + 1].startswith("contoso:   changed by <script>")
    assert "\x1b" not in "\n".join(table)
    assert "info: fabrikam: attribution unavailable: the audit log needs AuditLog.Read.All <b>" in table

    markdown = render(fleet(), "markdown")
    (row,) = [line for line in markdown.splitlines() if "changed by" in line]
    assert "&lt;script&gt;" in row and "<script>" not in row and r"\*\*bold\*\*" in row
    assert cells(row) == ["", "", "", "", "", cells(row)[-1]]  # under the Message column, "|" escaped

    html = render(fleet(), "html")
    assert "<script>alert(1)" not in html
    assert '<div class="change">changed by &lt;script&gt;alert(1)&lt;/script&gt;' in html
    assert (
        '<p class="info">info: fabrikam: attribution unavailable: the audit log needs AuditLog.Read.All &lt;b&gt;'
        in html
    )


def test_plain_drift_documents_are_unchanged() -> None:
    plain = FleetResult(Operation.DRIFT, (StackResult("contoso", Status.CHANGES, {}, None, (SCOPE,)),))
    stack = json.loads(render(plain, "json"))["stacks"][0]
    assert "attribution" not in stack and "lastChange" not in stack["findings"][0]
