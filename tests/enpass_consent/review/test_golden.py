"""Golden files: each fixture preview, in both Pulumi formats, reviewed to JSON and Markdown.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from enpass_consent.review.evaluate import review
from enpass_consent.review.parse import parse
from enpass_consent.review.render import document, to_json, to_markdown
from tests.support.golden import assert_golden

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"
SCHEMA = json.loads((HERE.parents[2] / "enpass_consent" / "schemas" / "review.schema.json").read_text())
SCENARIOS = ["first-rollout", "scope-change", "assignment-change", "sp-replacement", "no-op"]
GENERATED_AT = "2026-11-27T08:00:00Z"


def reviewed(name: str, suffix: str):  # type: ignore[no-untyped-def]
    # A stable relative name, so the golden files do not depend on where the repo is checked out.
    relative = f"fixtures/{name}{suffix}"
    return review(parse((FIXTURES / f"{name}{suffix}").read_text(encoding="utf-8"), relative))


@pytest.mark.parametrize("name", SCENARIOS)
def test_preview_json_matches_golden(name: str) -> None:
    result = reviewed(name, ".preview.json")
    assert_golden(GOLDEN / f"{name}.review.json", to_json([result], GENERATED_AT))
    assert_golden(GOLDEN / f"{name}.review.md", to_markdown([result]))


@pytest.mark.parametrize("name", SCENARIOS)
def test_event_log_gives_the_same_review(name: str) -> None:
    from_digest = document([reviewed(name, ".preview.json")], GENERATED_AT)["previews"][0]
    from_events = document([reviewed(name, ".events.jsonl")], GENERATED_AT)["previews"][0]
    assert (from_digest.pop("format"), from_events.pop("format")) == ("preview-json", "event-log")
    from_digest.pop("file")
    from_events.pop("file")
    assert from_events == from_digest


@pytest.mark.parametrize("suffix", [".preview.json", ".events.jsonl"])
def test_documents_match_the_schema(suffix: str) -> None:
    doc = document([reviewed(name, suffix) for name in SCENARIOS], GENERATED_AT)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    assert doc["summary"] == {
        "previews": 5,
        "changes": 4,
        "noChanges": 1,
        "error": 0,
        "servicePrincipalReplacedOrDeleted": 1,
    }
