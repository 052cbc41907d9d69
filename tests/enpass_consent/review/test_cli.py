"""``enpass-consent review`` exit codes and outputs through the real CLI entry point."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from enpass_consent.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["review", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_no_op_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(FIXTURES / "no-op.preview.json"), str(FIXTURES / "no-op.events.jsonl"))
    assert code == 0 and "no consent change" in out


def test_consent_change_exits_2_and_markdown_calls_out_the_sp(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, str(FIXTURES / "no-op.preview.json"), str(FIXTURES / "sp-replacement.preview.json"))
    assert code == 2
    assert out.startswith("## Enpass consent review\n\n> [!CAUTION]\n> **`tailspin`: the Enpass service principal")


def test_json_document_on_stdout_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "json", str(FIXTURES / "scope-change.events.jsonl"))
    doc = json.loads(out)
    assert code == 2 and doc["schema"] == "enpass-consent.review/v1"
    assert doc["previews"][0]["grants"][0]["scopesAdded"] == ["openid"]


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "review.md"
    code, out, _ = run(capsys, "--output", str(target), str(FIXTURES / "first-rollout.preview.json"))
    assert code == 2 and out == "" and "scopes added" in target.read_text()


def test_bad_file_exits_1_with_one_message_and_no_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{ nope")
    code, out, err = run(capsys, "--format", "json", str(FIXTURES / "no-op.preview.json"), str(bad))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "broken.json" in err and "Traceback" not in err


def test_missing_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(tmp_path / "nope.json"))
    assert code == 1 and out == "" and "nope.json" in err


def test_failed_preview_exits_1_with_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "failed.jsonl"
    log.write_text(json.dumps({"sequence": 1, "diagnosticEvent": {"message": "boom", "severity": "error"}}) + "\n")
    code, out, _ = run(capsys, "--format", "json", str(log))
    assert code == 1 and json.loads(out)["previews"][0]["status"] == "error"


def test_usage_errors_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys)[0] == 1
    assert run(capsys, "--format", "html", str(FIXTURES / "no-op.preview.json"))[0] == 1


class _Stdin:
    """What ``sys.stdin`` is when a preview is piped in: bytes behind a text stream."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_dash_reads_the_preview_from_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    piped = (FIXTURES / "scope-change.events.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", _Stdin(piped))
    code, out, _ = run(capsys, "--format", "json", str(FIXTURES / "no-op.preview.json"), "-")
    doc = json.loads(out)
    assert code == 2
    assert [p["file"] for p in doc["previews"]] == [str(FIXTURES / "no-op.preview.json"), "-"]
    assert doc["previews"][1]["grants"][0]["scopesAdded"] == ["openid"]  # the piped one, reviewed in place


def test_bad_stdin_names_standard_input(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"\xff\xfe not a preview"))
    code, out, err = run(capsys, "-")
    assert (code, out) == (1, "")
    assert "standard input (-): cannot read it (UnicodeDecodeError" in err


def test_stdin_can_be_read_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-", "-")
    assert (code, out) == (1, "")
    assert "standard input (-) can be read once" in err
