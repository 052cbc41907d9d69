"""Format detection and clear errors for files that are no preview."""

from __future__ import annotations

from pathlib import Path

import pytest

from enpass_consent.review.parse import EVENT_LOG, PREVIEW_JSON, PreviewError, load, parse

FIXTURES = Path(__file__).parent / "fixtures"


def test_detects_both_formats_from_content() -> None:
    assert load(FIXTURES / "scope-change.preview.json").format == PREVIEW_JSON
    assert load(FIXTURES / "scope-change.events.jsonl").format == EVENT_LOG


def test_event_log_keeps_each_step_once_and_the_summary() -> None:
    preview = load(FIXTURES / "scope-change.events.jsonl")
    assert len(preview.steps) == 6  # pre and outputs events repeat the same metadata
    assert preview.change_summary == {"same": 5, "update": 1}


def test_detailed_diff_field_names_of_both_formats() -> None:
    (digest_update,) = [s for s in load(FIXTURES / "scope-change.preview.json").steps if s.op == "update"]
    (event_update,) = [s for s in load(FIXTURES / "scope-change.events.jsonl").steps if s.op == "update"]
    assert digest_update.detailed_diff == event_update.detailed_diff == {"claimValues[7]": "update"}
    assert digest_update.diff_reasons == event_update.diff_reasons == ("claimValues",)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("not json at all", "line 1 is not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"hello": 1}', "neither"),
        ('{"sequence": 1, "cancelEvent": {}}\n{"foo": 1}\n', "line 2 is not a Pulumi engine event"),
    ],
)
def test_invalid_text_names_the_file(text: str, says: str) -> None:
    with pytest.raises(PreviewError, match=says) as caught:
        parse(text, "previews/contoso.json")
    assert str(caught.value).startswith("previews/contoso.json: ")


def test_wrong_field_types_are_a_preview_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"steps": [{"op": 3, "urn": "x"}]}')
    with pytest.raises(PreviewError, match=r"bad\.json: not a valid Pulumi preview"):
        load(bad)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(PreviewError, match=r"missing\.json: cannot read"):
        load(tmp_path / "missing.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(PreviewError, match=r"binary\.json: cannot read"):
        load(binary)


@pytest.mark.parametrize("shape", ['{"steps": ', '{"sequence": 1, "x": '])
def test_absurdly_nested_json_is_one_error_not_a_traceback(tmp_path: Path, shape: str) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(shape + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(PreviewError, match=r"deep\.json: not a valid Pulumi preview \(JSON nested too deeply\)"):
        load(deep)
