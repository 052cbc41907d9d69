"""Fleet reports: the JSON contract ``enpass-consent.fleet/v1``, a text table and Markdown.

The HTML page for the morning review is in ``report_html``. Every renderer takes a finished
``FleetResult``; none of them reads anything else, so a report is a pure function of the run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from enpass_consent.attribution.result import AttributionStatus
from enpass_consent.fleet.result import FleetResult, Operation, StackResult, Status
from enpass_consent.render import markdown_text, one_line, plain_value, printable, text_table

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
    document: dict[str, Any] = {
        "stack": stack.stack,
        "status": stack.status.value,
        "changes": dict(stack.changes),
        "error": stack.error,
        "findings": _findings_document(stack) if operation is Operation.DRIFT else [],
    }
    # Only when drift ran with --attribution: a plain drift's document stays as it was.
    if (
        operation is Operation.DRIFT
        and stack.attribution is not None
        and stack.attribution.status is not AttributionStatus.OFF
    ):
        document["attribution"] = stack.attribution.to_json()
    return document


def _findings_document(stack: StackResult) -> list[dict[str, Any]]:
    """Each finding; with ``lastChange`` (an object or null) when the audit log was read for it."""
    if stack.last_changes is None:
        return [finding.to_json() for finding in stack.findings]
    return [
        {**finding.to_json(), "lastChange": change.to_json() if change else None}
        for finding, change in zip(stack.findings, stack.last_changes, strict=True)
    ]


def attribution_info(stack: StackResult) -> str | None:
    """The ``info`` line of a stack whose attribution was asked for and could not be made, else None."""
    attribution = stack.attribution
    if attribution is None or attribution.status is not AttributionStatus.UNAVAILABLE or stack.error:
        return None
    return f"info: {stack.stack}: attribution unavailable: {printable(attribution.reason or '')}"


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
    findings = (
        [(stack, index, finding) for stack in result.stacks for index, finding in enumerate(stack.findings)]
        if drift
        else []
    )
    if findings:
        lines.append("")
        # One line per finding, never wrapped: each can be searched for and read on its own.
        for stack, index, f in findings:
            lines.append(f"{stack.stack}: [{f.severity.value}] {f.code} {one_line(f.message)}")
            change = stack.last_change(index)
            if change is not None:
                lines.append(f"{stack.stack}:   {one_line(change.describe())}")
    info = [line for line in (attribution_info(stack) for stack in result.stacks) if line] if drift else []
    if info:
        lines += ["", *(one_line(line) for line in info)]
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
            for index, finding in enumerate(stack.findings):
                cells = [
                    finding.severity.value,
                    finding.code,
                    markdown_text(finding.object_id or ""),
                    markdown_text(plain_value(finding.expected)),
                    markdown_text(plain_value(finding.actual)),
                    markdown_text(finding.message),
                ]
                lines.append("| " + " | ".join(cells) + " |")
                change = stack.last_change(index)
                if change is not None:
                    # A row under its finding; the actor is tenant text, escaped like every other cell.
                    lines.append("| | | | | | " + markdown_text(change.describe()) + " |")
            lines.append("")
    info = [line for line in (attribution_info(stack) for stack in result.stacks) if line] if drift else []
    if info:
        lines += [f"- {markdown_text(line)}" for line in info] + [""]
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
