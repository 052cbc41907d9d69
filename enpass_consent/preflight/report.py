"""Render a preflight report: JSON (the contract), a terminal table, Markdown for CI job summaries."""

from __future__ import annotations

import json

from enpass_consent.preflight.result import CheckStatus, PreflightReport, TenantStatus
from enpass_consent.render import markdown_table, text_table

_STATUS_MARK = {
    TenantStatus.PASS: "pass",
    TenantStatus.WARN: "WARN",
    TenantStatus.FAIL: "FAIL",
    TenantStatus.ERROR: "ERROR",
}
_CHECK_MARK = {
    CheckStatus.PASS: "pass",
    CheckStatus.WARN: "WARN",
    CheckStatus.FAIL: "FAIL",
    CheckStatus.UNKNOWN: "UNKNOWN",
}
_HEADERS = ["stack", "tenant", "status", "check", "result", "detail", "fix"]


def to_json(report: PreflightReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


def _rows(report: PreflightReport) -> list[list[str]]:
    rows = []
    for tenant in report.tenants:
        head = [tenant.stack, tenant.tenant_id or "-", _STATUS_MARK[tenant.status]]
        if tenant.status is TenantStatus.ERROR:
            rows.append([*head, "-", "-", tenant.error or "", ""])
        for check in tenant.checks:
            rows.append([*head, check.id, _CHECK_MARK[check.status], check.message, check.fix])
    return rows


def _summary(report: PreflightReport) -> str:
    counts = ", ".join(f"{report.count(status)} {status.value}" for status in TenantStatus)
    return f"{len(report.tenants)} tenants: {counts}"


def to_table(report: PreflightReport, width: int | None = None) -> str:
    return text_table(_HEADERS, _rows(report), width) + "\n" + _summary(report) + "\n"


def to_markdown(report: PreflightReport) -> str:
    lines = ["## Enpass consent preflight", "", f"**{_summary(report)}**", ""]
    lines.append(markdown_table(_HEADERS, _rows(report)))
    lines.append("")
    lines.append("What each check reads and how to fix it: docs/preflight.md")
    return "\n".join(lines) + "\n"


RENDERERS = {"json": to_json, "table": to_table, "markdown": to_markdown}
