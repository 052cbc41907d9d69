"""Render what ``init`` did: JSON (``enpass-consent.init/v1``), a terminal report, Markdown for CI summaries.

A dry run prints each stack file it would write after the report, so ``init`` without ``--write``
shows the file itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from enpass_consent.init.result import InitReport, StackResult, Status
from enpass_consent.render import markdown_table, markdown_text, text_table

_STATUS_MARK = {Status.DESCRIBED: "described", Status.LEFT_OUT: "LEFT OUT", Status.ERROR: "ERROR"}
_HEADERS = ["stack", "tenant", "tenant id", "status", "file"]
_LEFT_OUT = (
    "Left out: settings cannot hold these; `enpass-consent audit` reports them, and the first "
    "`pulumi up` or a clean-up in the tenant changes them."
)


def to_json(report: InitReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


def _file(result: StackResult) -> str:
    if result.file is None or result.status is Status.ERROR:
        return "-"
    if result.stack_created:
        return f"{result.file} (written, stack created)"
    return f"{result.file} ({'written' if result.written else 'not written: dry run'})"


def _rows(report: InitReport) -> list[list[str]]:
    return [[s.stack or "-", s.tenant, s.tenant_id or "-", _STATUS_MARK[s.status], _file(s)] for s in report.stacks]


def _summary(report: InitReport) -> str:
    return (
        f"{len(report.stacks)} tenant(s): {report.count(Status.DESCRIBED)} described, "
        f"{report.count(Status.LEFT_OUT)} with items left out, {report.count(Status.ERROR)} error"
    )


@dataclass(frozen=True)
class _NextSteps:
    intro: str
    commands: tuple[str, ...] = ()
    then: str | None = None


def _next_steps(report: InitReport) -> _NextSteps | None:
    ready = [s for s in report.stacks if s.status is not Status.ERROR]
    if not ready:
        return None
    if not report.write:
        return _NextSteps("Dry run: nothing was written. Run again with --write to write the stack files.")
    then = (
        "Then, per stack: `enpass-consent preflight --stack NAME` and `pulumi preview --stack NAME`, which "
        "imports what exists (docs/onboarding.md)."
    )
    commands = tuple(s.stack_init for s in ready if s.stack_init)
    if not commands:
        return _NextSteps(then)
    return _NextSteps("Create the stacks in your Pulumi backend (or run init with --create-stack):", commands, then)


def _dry_run_files(report: InitReport) -> list[tuple[str, str]]:
    if report.write:
        return []
    return [(s.file or "", s.content) for s in report.stacks if s.content is not None]


def to_table(report: InitReport, width: int | None = None) -> str:
    """``width``: the terminal's, to wrap long cells within their columns (None: every row on one line)."""
    lines = [text_table(_HEADERS, _rows(report), width), _summary(report)]
    left_out = [(s, f) for s in report.stacks for f in s.left_out]
    if left_out:
        lines += ["", _LEFT_OUT]
        lines += [f"  {s.stack}  {f.code} ({f.severity.value}): {f.message}" for s, f in left_out]
    errors = [s for s in report.stacks if s.error]
    if errors:
        lines += ["", "Errors:"]
        lines += [f"  {s.stack or s.tenant}: {s.error}" for s in errors]
    steps = _next_steps(report)
    if steps is not None:
        lines += ["", steps.intro, *(f"  {command}" for command in steps.commands)]
        lines += [steps.then] if steps.then else []
    for path, content in _dry_run_files(report):
        lines += ["", f"--- {path} (not written) ---", content.rstrip("\n")]
    return "\n".join(lines) + "\n"


def to_markdown(report: InitReport) -> str:
    lines = ["## Enpass consent: init", "", f"**{_summary(report)}**", "", markdown_table(_HEADERS, _rows(report))]
    left_out = [[s.stack or "-", f.code, f.severity.value, f.message] for s in report.stacks for f in s.left_out]
    if left_out:
        lines += [
            "",
            "### Left out",
            "",
            _LEFT_OUT,
            "",
            markdown_table(["stack", "finding", "severity", "detail"], left_out),
        ]
    errors = [[s.stack or "-", s.tenant, s.error or ""] for s in report.stacks if s.error]
    if errors:
        lines += ["", "### Errors", "", markdown_table(["stack", "tenant", "error"], errors)]
    steps = _next_steps(report)
    if steps is not None:
        # Our own sentences; the commands (a stack name, a secrets provider URL) go in a code block.
        lines += ["", "### Next", "", steps.intro]
        if steps.commands:
            lines += ["", *(f"    {command}" for command in steps.commands)]
        lines += ["", steps.then] if steps.then else []
    for path, content in _dry_run_files(report):
        fence = "`" * max(3, _longest_backtick_run(content) + 1)
        lines += ["", f"### {markdown_text(path)} (not written)", "", f"{fence}yaml", content.rstrip("\n"), fence]
    return "\n".join(lines) + "\n"


def _longest_backtick_run(text: str) -> int:
    """A fence longer than any run of backticks in the block, so tenant text cannot end it early."""
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


RENDERERS = {"json": to_json, "table": to_table, "markdown": to_markdown}
