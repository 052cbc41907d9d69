from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import enpass_consent
from enpass_consent.findings import Severity, finding
from enpass_consent.fleet.drift_audit import StackAudit
from enpass_consent.fleet.plan import make_plan
from enpass_consent.fleet.report import FORMATS, render, render_markdown, render_table, to_document
from enpass_consent.fleet.report_html import render_html
from enpass_consent.fleet.result import FleetResult, Operation, StackResult, Status
from enpass_consent.fleet.runner import run_fleet
from tests.support.golden import updating_golden_files

from .conftest import FakeAudit, scope_extra
from .fake_pulumi import Behaviour, FakePulumiCommand

GOLDEN = Path(__file__).parent / "golden"
SCHEMA_FILE = Path(enpass_consent.__file__).parent / "schemas" / "fleet.schema.json"
EVIL = '<script>alert("x")</script>|`*'


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _preview(tmp_path: Path) -> FleetResult:
    behaviour = Behaviour(
        stacks={"contoso": {"same": 4, "update": 1}, "fabrikam": {"same": 5}, "northwind": {"create": 3}},
        fail={"northwind": "Program failed: enpass-consent:scopes: unknown scope 'Mail.Readd'"},
    )
    plan = make_plan(["contoso", "fabrikam", "northwind", "ghost"])
    return run_fleet(Operation.PREVIEW, plan, tmp_path, FakePulumiCommand(behaviour), concurrency=2)


def _drift(tmp_path: Path) -> FleetResult:
    behaviour = Behaviour(
        stacks={"contoso": {"same": 4}, "fabrikam": {"same": 3, "update": 1}, "tailspin": {"same": 4}}
    )
    audit = FakeAudit(
        {
            "contoso": StackAudit(findings=(scope_extra("openid", Severity.INFO), scope_extra("Mail.Read"))),
            "tailspin": StackAudit(error="Graph returned 503 after 4 retries"),
        }
    )
    plan = make_plan(["fabrikam", "tailspin"], canaries=["contoso"])
    return run_fleet(Operation.DRIFT, plan, tmp_path, FakePulumiCommand(behaviour), audit=audit)


def _canary_up(tmp_path: Path) -> FleetResult:
    behaviour = Behaviour(stacks={"contoso": {"same": 4}, "fabrikam": {"same": 4}}, fail={"contoso": "409 Conflict"})
    plan = make_plan(["fabrikam"], canaries=["contoso"])
    return run_fleet(Operation.UP, plan, tmp_path, FakePulumiCommand(behaviour))


CASES = {
    "preview": _preview,
    "drift": _drift,
    "up-canary-failed": _canary_up,
    "empty": lambda _: FleetResult(Operation.PREVIEW, ()),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_matches_golden_file_and_schema(tmp_path: Path, name: str) -> None:
    document = to_document(CASES[name](tmp_path))
    jsonschema.validate(document, _schema(), cls=jsonschema.Draft202012Validator)
    golden = GOLDEN / f"{name}.json"
    if updating_golden_files():
        golden.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert document == json.loads(golden.read_text(encoding="utf-8"))
    assert json.loads(render(CASES[name](tmp_path), "json")) == document


def test_golden_files_are_valid_against_the_schema() -> None:
    schema = _schema()
    files = sorted(GOLDEN.glob("*.json"))
    assert len(files) == len(CASES)
    for path in files:
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), schema, cls=jsonschema.Draft202012Validator)


def test_schema_rejects_what_the_contract_forbids() -> None:
    schema = _schema()
    good = to_document(FleetResult(Operation.UP, (StackResult("a", Status.OK, {"update": 1}),)))
    jsonschema.validate(good, schema)
    for bad_stack in ({"status": "drift"}, {"changes": {"same": 2}}, {"error": 3}):
        bad = json.loads(json.dumps(good))
        bad["stacks"][0].update(bad_stack)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_summary_counts(tmp_path: Path) -> None:
    assert to_document(_preview(tmp_path))["summary"] == {"stacks": 4, "ok": 1, "changes": 1, "failed": 2, "skipped": 0}


def _evil_result() -> FleetResult:
    return FleetResult(
        Operation.DRIFT,
        (
            StackResult(EVIL, Status.FAILED, {"update": 1}, f"error {EVIL} & more"),
            StackResult("ok-stack", Status.CHANGES, {}, None, (scope_extra(EVIL),)),
        ),
    )


def test_markdown_lists_every_stack_and_escapes_cells(tmp_path: Path) -> None:
    text = render_markdown(_drift(tmp_path))
    assert text.startswith("## enpass-consent fleet drift")
    for stack in ("contoso", "fabrikam", "tailspin"):
        assert re.search(rf"^\| {stack} \|", text, re.MULTILINE)
    assert "Mail\\.Read" in text or "Mail.Read" in text
    evil = render_markdown(_evil_result())
    assert "<script>" not in evil
    table_rows = [line for line in evil.splitlines() if line.startswith("| ")]
    header_cells = table_rows[0].count(" | ")
    assert all(re.sub(r"\\\|", "", row).count(" | ") == header_cells for row in table_rows[:3])


def test_markdown_of_an_empty_shard() -> None:
    assert "No stacks in this run" in render_markdown(FleetResult(Operation.UP, ()))


def test_html_is_self_contained_sortable_and_escaped(tmp_path: Path) -> None:
    page = render_html(_evil_result(), generated_at=datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # only the page's own sorting script
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", page)  # no external resources
    assert "Content-Security-Policy" in page and "aria-sort" in page
    assert "2026-11-27 08:00 UTC" in page
    drift_page = render(_drift(tmp_path), "html")
    for stack in ("contoso", "fabrikam", "tailspin"):
        assert f"<td>{stack}</td>" in drift_page
    assert "SCOPE_EXTRA" in drift_page and "Graph returned 503" in drift_page


def test_table_is_plain_text(tmp_path: Path) -> None:
    text = render_table(_drift(tmp_path))
    assert "\x1b[" not in text
    for stack in ("contoso", "fabrikam", "tailspin"):
        assert stack in text
    assert "contoso: [high] SCOPE_EXTRA" in text
    assert "[/" not in render_table(_evil_result())  # no rich markup interpretation artefacts
    assert EVIL.split("|")[0] in render_table(_evil_result()).replace("\n", "")


def test_booleans_read_true_and_false_in_every_format() -> None:
    mismatch = finding(
        "ASSIGNMENT_REQUIRED_MISMATCH",
        "appRoleAssignmentRequired is false, the stack says true.",
        object_id="sp-1",
        expected=True,
        actual=False,
    )
    result = FleetResult(Operation.DRIFT, (StackResult("contoso", Status.CHANGES, {}, None, (mismatch,)),))
    for format_ in FORMATS:
        text = render(result, format_)
        assert "True" not in text and "False" not in text, format_
    assert "expected <code>true</code>, actual <code>false</code>" in render(result, "html")
    assert "| medium | ASSIGNMENT_REQUIRED_MISMATCH | sp-1 | true | false |" in render(result, "markdown")
    finding_json = json.loads(render(result, "json"))["stacks"][0]["findings"][0]
    assert (finding_json["expected"], finding_json["actual"]) == (True, False)  # JSON's own booleans


def test_drift_findings_are_one_line_each_however_long() -> None:
    long = scope_extra("Mail.Read")
    long = type(long)(long.code, long.severity, "A finding message that goes on " * 12 + "to the end.", "grant-1")
    result = FleetResult(Operation.DRIFT, (StackResult("contoso", Status.CHANGES, {}, None, (long,)),))
    lines = render_table(result, width=60).splitlines()
    (line,) = [line for line in lines if line.startswith("contoso: ")]
    assert line.endswith("to the end.") and line == f"contoso: [high] SCOPE_EXTRA {long.message}"
