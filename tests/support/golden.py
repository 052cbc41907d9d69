"""Golden-file comparison: ``UPDATE_GOLDEN=1 pytest ...`` rewrites the files after a reviewed change (never in CI)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMAS = Path(__file__).resolve().parents[2] / "enpass_consent" / "schemas"


def updating_golden_files() -> bool:
    """True under ``UPDATE_GOLDEN=1``; refused in CI, where a golden file must only ever be compared."""
    if not os.environ.get("UPDATE_GOLDEN"):
        return False
    if os.environ.get("CI"):
        raise AssertionError(
            "UPDATE_GOLDEN is refused when CI is set: golden files are reviewed changes, never rewritten by CI"
        )
    return True


def assert_golden(path: Path, actual: str) -> None:
    if updating_golden_files():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"{path} missing: run with UPDATE_GOLDEN=1 once and review it"
    assert actual == path.read_text(encoding="utf-8")


@cache
def schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return loaded


def validate(document: Any, name: str) -> None:
    jsonschema.Draft202012Validator(schema(name), format_checker=jsonschema.FormatChecker()).validate(document)
