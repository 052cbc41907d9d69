"""scripts/mutation's own logic: module selection, mutmut's configuration, reading a mutant, the report."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from benchmarks import mutation

REPO = Path(__file__).resolve().parents[2]


def test_groups_select_their_modules_in_the_order_given_each_once() -> None:
    assert mutation.select_modules(["review", "fleet", "enpass_consent/review/evaluate.py"]) == [
        "enpass_consent/review/evaluate.py",
        "enpass_consent/fleet/plan.py",
        "enpass_consent/fleet/shard.py",
        "enpass_consent/fleet/runner.py",
        "enpass_consent/fleet/result.py",
    ]
    assert mutation.select_modules(["enpass_consent/graph/redact.py"]) == ["enpass_consent/graph/redact.py"]


def test_no_name_selects_the_whole_core() -> None:
    everything = mutation.select_modules([])
    assert everything[0] == "components/enpass_consent.py" and everything[-1] == "enpass_consent/adopt/stack_edit.py"
    assert "policy/rules/common.py" in everything and "enpass_consent/graph/credentials.py" in everything
    assert len(everything) == len(set(everything))


def test_every_core_module_exists() -> None:
    missing = [module for module in mutation.select_modules([]) if not (REPO / module).is_file()]
    assert missing == []


@pytest.mark.parametrize("name", ["fleets", "enpass_consent/fleet/report.py", ""])
def test_an_unknown_name_is_a_usage_error(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert mutation.main([name]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"scripts/mutation: not a group or core module: {name!r}") and err.count("\n") == 1


def test_mutmut_config_is_toml_mutating_only_the_selection() -> None:
    text = mutation.mutmut_config(
        ["enpass_consent/fleet/shard.py"], ["tests/enpass_consent/fleet"], ["tests", "enpass_consent", "docs"]
    )
    config = tomllib.loads(text)["tool"]["mutmut"]
    assert config["only_mutate"] == ["enpass_consent/fleet/shard.py"]
    assert config["source_paths"] == ["enpass_consent", "components", "policy"]
    assert config["also_copy"] == ["docs", "tests"]
    assert config["pytest_add_cli_args_test_selection"] == ["tests/enpass_consent/fleet"]
    assert config["pytest_add_cli_args"][:2] == ["-p", "benchmarks.mutation_plugin"]


DIFF = """--- enpass_consent/fleet/shard.py
+++ enpass_consent/fleet/shard.py
@@ -1,3 +1,3 @@
 def shard_of(stack: str, count: int) -> int:
-    if count < 1:
+    if count <= 1:
         raise ShardError("...")"""


def test_a_mutant_is_one_line_and_its_line_in_the_original_file() -> None:
    assert mutation.one_line_change(DIFF) == "if count < 1: → if count <= 1:"
    source = (REPO / "enpass_consent/fleet/shard.py").read_text(encoding="utf-8")
    line = mutation.changed_line(source, "shard_of", DIFF)
    assert source.splitlines()[line - 1].strip() == "if count < 1:"


def test_a_method_is_found_in_its_class() -> None:
    source = "class A:\n    def f(self):\n        return 1\n\n\ndef f():\n    return 1\n"
    diff = "-        return 1\n+        return 2"
    assert mutation.changed_line(source, "A.f", diff) == 3
    assert mutation.changed_line(source, "f", "-    return 1\n+    return 2") == 7


def test_a_line_that_appears_twice_is_told_apart_by_the_diffs_position() -> None:
    source = (
        "def f(xs):\n    for x in xs:\n        if x:\n            continue\n        if not x:\n            continue\n"
    )
    second = "@@ -3,4 +3,4 @@\n         if x:\n             continue\n         if not x:\n-            continue\n+            break"
    first = "@@ -1,4 +1,4 @@\n def f(xs):\n     for x in xs:\n         if x:\n-            continue\n+            break"
    assert (mutation.changed_line(source, "f", first), mutation.changed_line(source, "f", second)) == (4, 6)


def test_the_recorded_command_leaves_out_where_the_run_happened() -> None:
    assert mutation.recorded_arguments(["fleet", "--work-dir", "/tmp/x", "--tests", "t", "--work-dir=/tmp/y"]) == [
        "fleet",
        "--tests",
        "t",
    ]


def test_function_labels() -> None:
    assert mutation.function_label("enpass_consent.fleet.shard.x_shard_of__mutmut_12") == "shard_of"
    assert mutation.function_label("enpass_consent.fleet.shard.xǁShardǁselect__mutmut_1") == "Shard.select"


def test_reasons_are_keyed_by_module_function_and_change(tmp_path: Path) -> None:
    reasons = tmp_path / "reasons.toml"
    reasons.write_text(
        '[[survivor]]\nmodule = "m.py"\nfunction = "f"\nchange = "a → b"\nreason = "equivalent: same value"\n',
        encoding="utf-8",
    )
    assert mutation.load_reasons(reasons) == {("m.py", "f", "a → b"): "equivalent: same value"}
    reasons.write_text('[[survivor]]\nmodule = "m.py"\nfunction = "f"\nchange = "a → b"\n', encoding="utf-8")
    with pytest.raises(mutation.UsageError, match=r"survivor #1 lacks reason"):
        mutation.load_reasons(reasons)
    assert mutation.load_reasons(tmp_path / "absent.toml") == {}


def test_the_stub_is_a_reasons_file() -> None:
    mutant = mutation.Mutant("m.py", "Shard.select", 3, 'x = "a" → x = "XXaXX"', "survived")
    (entry,) = tomllib.loads(mutation.reasons_stub([mutant]))["survivor"]
    assert (entry["module"], entry["function"], entry["change"], entry["reason"]) == (
        "m.py",
        "Shard.select",
        'x = "a" → x = "XXaXX"',
        "",
    )


def _entry(killed: int, total: int, not_killed: list[dict[str, object]], date: str = "2026-01-02 03:04") -> dict:
    return {"date": date, "command": "scripts/mutation fleet", "runtime_s": 75, "killed": killed, "total": total,
            "not_killed": not_killed}  # fmt: skip


def test_a_run_replaces_its_modules_and_keeps_the_others_in_core_order() -> None:
    previous = {"tool": "mutmut 3.8.0", "modules": {"enpass_consent/review/evaluate.py": _entry(9, 10, [])}}
    run = {"tool": "mutmut 3.8.1", "modules": {"enpass_consent/fleet/shard.py": _entry(5, 5, [])}}
    merged = mutation.merge_results(previous, run)
    assert merged["tool"] == "mutmut 3.8.1"
    assert list(merged["modules"]) == ["enpass_consent/fleet/shard.py", "enpass_consent/review/evaluate.py"]


def test_report_scores_modules_and_core_and_explains_survivors() -> None:
    survivor = {"module": "enpass_consent/fleet/shard.py", "function": "shard_of", "line": 44,
                "change": "a | b → a", "status": "survived"}  # fmt: skip
    unexplained = dict(survivor, line=45, change="c → d")
    results = {
        "tool": "mutmut 3.8.1",
        "modules": {
            "enpass_consent/fleet/shard.py": _entry(18, 20, [survivor, unexplained]),
            "enpass_consent/review/evaluate.py": _entry(30, 30, [], date="2026-01-03 00:00"),
        },
    }
    text = mutation.render_report(results, {("enpass_consent/fleet/shard.py", "shard_of", "a | b → a"): "equivalent"})
    assert "| fleet | `enpass_consent/fleet/shard.py` | 18 / 20 | 90.0 % |" in text
    assert "| review | `enpass_consent/review/evaluate.py` | 30 / 30 | 100.0 % |" in text
    assert "| **core** | | **48 / 50** | **96.0 %** |" in text
    assert "| 2026-01-02 03:04 | `scripts/mutation fleet` | 1 min 15 s | 1 |" in text
    assert "| `enpass_consent/fleet/shard.py` | 44 | `a \\| b → a` | survived | equivalent |" in text
    assert "| `enpass_consent/fleet/shard.py` | 45 | `c → d` | survived | **unexplained** |" in text
    assert "Not run yet: `components/enpass_consent.py`" in text


def test_the_recorded_results_cover_the_core_and_read_back() -> None:
    recorded = json.loads((REPO / "benchmarks/mutation.json").read_text(encoding="utf-8"))
    assert list(recorded["modules"]) == [m for m in mutation.select_modules([]) if m in recorded["modules"]]
    assert mutation.render_report(recorded, mutation.load_reasons(mutation.REASONS_TOML)) == (
        REPO / "benchmarks/MUTATION.md"
    ).read_text(encoding="utf-8")


def test_the_plugin_makes_rules_the_policy_rules_modules() -> None:
    """A test importing ``rules.common`` gets ``policy.rules.common``, the module mutmut's mutant names name."""
    code = (
        "import sys; sys.path[:0] = ['.', 'policy']\n"
        "import benchmarks.mutation_plugin\n"
        "from rules import common\n"
        "import rules, policy.rules.common as real\n"
        "assert common is real and rules.common is real, (common, real)\n"
        "assert common.__name__ == 'policy.rules.common' and common.__spec__.name == 'policy.rules.common'\n"
        "assert sys.modules['rules'] is sys.modules['policy.rules']\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
