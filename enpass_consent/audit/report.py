"""Render an audit report: JSON (the contract), a terminal table, Markdown for CI job summaries."""

from __future__ import annotations

import json

from enpass_consent.audit.result import AuditReport, Status
from enpass_consent.render import markdown_table, text_table

_STATUS_MARK = {Status.IN_SYNC: "in sync", Status.DRIFT: "DRIFT", Status.ERROR: "ERROR"}


def to_json(report: AuditReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


def _rows(report: AuditReport) -> list[list[str]]:
    rows = []
    for tenant in report.tenants:
        if tenant.status is Status.ERROR:
            rows.append(
                [tenant.stack, tenant.tenant_id or "-", _STATUS_MARK[tenant.status], "-", "-", tenant.error or ""]
            )
            continue
        if not tenant.findings:
            rows.append([tenant.stack, tenant.tenant_id or "-", _STATUS_MARK[tenant.status], "-", "-", ""])
        for finding in tenant.findings:
            rows.append(
                [
                    tenant.stack,
                    tenant.tenant_id or "-",
                    _STATUS_MARK[tenant.status],
                    finding.code,
                    finding.severity.value,
                    finding.message,
                ]
            )
    return rows


_HEADERS = ["stack", "tenant", "status", "finding", "severity", "detail"]


def _summary(report: AuditReport) -> str:
    return (
        f"{len(report.tenants)} tenants: {report.count(Status.IN_SYNC)} in sync, "
        f"{report.count(Status.DRIFT)} drift, {report.count(Status.ERROR)} error"
    )


def to_table(report: AuditReport, width: int | None = None) -> str:
    return text_table(_HEADERS, _rows(report), width) + "\n" + _summary(report) + "\n"


def to_markdown(report: AuditReport) -> str:
    lines = ["## Enpass consent audit", "", f"**{_summary(report)}**", ""]
    lines.append(markdown_table(_HEADERS, _rows(report)))
    lines.append("")
    lines.append("What each finding means and how to fix it: docs/findings.md")
    return "\n".join(lines) + "\n"


RENDERERS = {"json": to_json, "table": to_table, "markdown": to_markdown}
