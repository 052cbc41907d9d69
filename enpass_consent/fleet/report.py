"""Fleet reports: the JSON contract ``enpass-consent.fleet/v1``, a text table and Markdown.

The HTML page for the morning review is in ``report_html``. Every renderer takes a finished
``FleetResult``; none of them reads anything else, so a report is a pure function of the run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from enpass_consent.fleet.result import FleetResult, Operation, StackResult, Status
from enpass_consent.render import markdown_text, one_line, plain_value, text_table

SCHEMA = "enpass-consent.fleet/v1"
FORMATS = ("table", "json", "markdown", "html")

STATUS_MARK = {Status.OK: "✅", Status.CHANGES: "🟡", Status.FAILED: "❌", Status.SKIPPED: "⏭️"}


def to_document(result: FleetResult) -> dict[str, Any]:
    """The Fleet JSON contract (docs/reference.md#fleet): every stack once, in run order, and the summary counts."""
    return {
        "schema": SCHEMA,
        "operation": result.operation.value,
        "stacks": [_stack_document(stack, result.operation) for stack in result.stacks],
        "summary": result.summary(),
    }


def _stack_document(stack: StackResult, operation: Operation) -> dict[str, Any]:
    return {
        "stack": stack.stack,
        "status": stack.status.value,
        "changes": dict(stack.changes),
        "error": stack.error,
        "findings": [finding.to_json() for finding in stack.findings] if operation is Operation.DRIFT else [],
    }


def render_json(result: FleetResult) -> str:
    return json.dumps(to_document(result), indent=2, ensure_ascii=False) + "\n"


def format_changes(changes: Mapping[str, int]) -> str:
    """``{"create": 1, "update": 2}`` -> ``create 1, update 2``; nothing -> ``-``."""
    return ", ".join(f"{op} {count}" for op, count in changes.items()) or "-"


def drift_findings(stack: StackResult) -> int:
    return sum(1 for finding in stack.findings if finding.is_drift)


def summary_line(result: FleetResult) -> str:
    summary = result.summary()
    return (
        f"{summary['stacks']} stacks: {summary['ok']} ok, {summary['changes']} changes, "
        f"{summary['failed']} failed, {summary['skipped']} skipped"
    )


def render_table(result: FleetResult, width: int | None = None) -> str:
    """The text table (``enpass_consent.render``'s one style), then one line per drift finding."""
    drift = result.operation is Operation.DRIFT
    headers = ["stack", "status", "changes"] + (["findings"] if drift else []) + ["error"]
    rows = []
    for stack in result.stacks:
        row = [stack.stack, stack.status.value, format_changes(stack.changes)]
        if drift:
            row.append(f"{drift_findings(stack)}/{len(stack.findings)}" if stack.findings else "-")
        rows.append([*row, stack.error or ""])
    lines = [f"enpass-consent fleet {result.operation.value}", ""]
    lines.append(text_table(headers, rows, width) if rows else "No stacks in this run (an empty shard).")
    lines += ["", summary_line(result)]
    findings = [(stack.stack, finding) for stack in result.stacks for finding in stack.findings] if drift else []
    if findings:
        lines.append("")
        # One line per finding, never wrapped: each can be searched for and read on its own.
        lines += [f"{name}: [{f.severity.value}] {f.code} {one_line(f.message)}" for name, f in findings]
    return "\n".join(lines) + "\n"


# Inside a table cell only inline syntax matters (block syntax such as `#` or `-` needs a line start).
def render_markdown(result: FleetResult) -> str:
    """Markdown for a CI job summary (``$GITHUB_STEP_SUMMARY``, Azure DevOps ``##vso[task.uploadsummary]``)."""
    drift = result.operation is Operation.DRIFT
    lines = [f"## enpass-consent fleet {result.operation.value}", "", f"**{markdown_text(summary_line(result))}**", ""]
    if not result.stacks:
        lines += ["No stacks in this run (an empty shard).", ""]
        return "\n".join(lines)
    header = ["Stack", "Status", "Changes"] + (["Findings"] if drift else []) + ["Error"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for stack in result.stacks:
        cells = [
            markdown_text(stack.stack),
            f"{STATUS_MARK[stack.status]} {stack.status.value}",
            markdown_text(format_changes(stack.changes)),
        ]
        if drift:
            cells.append(f"{drift_findings(stack)} drift / {len(stack.findings)}" if stack.findings else "-")
        cells.append(markdown_text(stack.error or ""))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    with_findings = [stack for stack in result.stacks if stack.findings]
    if drift and with_findings:
        lines += ["### Findings", ""]
        for stack in with_findings:
            lines += [
                f"#### {markdown_text(stack.stack)}",
                "",
                "| Severity | Code | Object | Expected | Actual | Message |",
            ]
            lines.append("|---|---|---|---|---|---|")
            for finding in stack.findings:
                cells = [
                    finding.severity.value,
                    finding.code,
                    markdown_text(finding.object_id or ""),
                    markdown_text(plain_value(finding.expected)),
                    markdown_text(plain_value(finding.actual)),
                    markdown_text(finding.message),
                ]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
    return "\n".join(lines)


def render(result: FleetResult, format_: str, width: int | None = None) -> str:
    """The document in ``format_`` (one of ``FORMATS``); ``width``: a terminal's, for the text table."""
    if format_ == "json":
        return render_json(result)
    if format_ == "markdown":
        return render_markdown(result)
    if format_ == "html":
        from enpass_consent.fleet.report_html import render_html

        return render_html(result)
    if format_ == "table":
        return render_table(result, width)
    raise ValueError(f"unknown format {format_!r}; use one of {', '.join(FORMATS)}")
