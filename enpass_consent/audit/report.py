"""Render an audit report: JSON (the contract), a terminal table, Markdown for CI job summaries."""

from __future__ import annotations

import json

from enpass_consent.attribution.result import AttributionStatus
from enpass_consent.audit.result import AuditReport, Status
from enpass_consent.render import markdown_table, markdown_text, one_line, printable, text_table

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
        for index, finding in enumerate(tenant.findings):
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
            change = tenant.last_change(index)
            if change is not None:
                # Under its finding: who changed it (tenant text, escaped by each format like the message).
                rows.append(
                    [tenant.stack, tenant.tenant_id or "-", _STATUS_MARK[tenant.status], "", "", change.describe()]
                )
    return rows


def info_lines(report: AuditReport) -> list[str]:
    """One ``info`` line per tenant whose attribution was asked for but could not be made (its reason)."""
    return [
        f"info: {tenant.stack}: attribution unavailable: {printable(tenant.attribution.reason or '')}"
        for tenant in report.tenants
        if tenant.attribution.status is AttributionStatus.UNAVAILABLE and tenant.status is not Status.ERROR
    ]


_HEADERS = ["stack", "tenant", "status", "finding", "severity", "detail"]


def _summary(report: AuditReport) -> str:
    return (
        f"{len(report.tenants)} tenants: {report.count(Status.IN_SYNC)} in sync, "
        f"{report.count(Status.DRIFT)} drift, {report.count(Status.ERROR)} error"
    )


def to_table(report: AuditReport, width: int | None = None) -> str:
    lines = [text_table(_HEADERS, _rows(report), width), _summary(report)]
    lines += [one_line(line) for line in info_lines(report)]
    return "\n".join(lines) + "\n"


def to_markdown(report: AuditReport) -> str:
    lines = ["## Enpass consent audit", "", f"**{_summary(report)}**", ""]
    lines.append(markdown_table(_HEADERS, _rows(report)))
    lines.append("")
    info = info_lines(report)
    if info:
        lines += [f"- {markdown_text(line)}" for line in info] + [""]
    lines.append("What each finding means and how to fix it: docs/findings.md")
    return "\n".join(lines) + "\n"


RENDERERS = {"json": to_json, "table": to_table, "markdown": to_markdown}
