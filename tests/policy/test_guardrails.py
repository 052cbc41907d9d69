"""The pack's shape: policy names (docs/reference.md#policy-names), levels, metadata, schemas, entry point."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from guardrails import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, Policy, ResourceValidationPolicy, StackValidationPolicy

from tests.policy.conftest import POLICY_DIR

MANDATORY = {
    "enpass-scopes-allowlisted",
    "enpass-client-id-pinned",
    "enpass-no-application-permissions",
    "enpass-no-drift-suppression",
    "enpass-assignment-required-when-assigned",
}
ADVISORY = {"enpass-protected"}


def test_policies_hold_exactly_the_design_names() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names))
    assert set(names) == MANDATORY | ADVISORY


def test_enforcement_levels_match_the_design() -> None:
    levels = {p.name: p.enforcement_level for p in POLICIES}
    assert {n for n, level in levels.items() if level == EnforcementLevel.MANDATORY} == MANDATORY
    assert {n for n, level in levels.items() if level == EnforcementLevel.ADVISORY} == ADVISORY


def test_only_the_assignment_rule_looks_at_the_whole_stack() -> None:
    kinds = {p.name: type(p) for p in POLICIES}
    assert kinds.pop("enpass-assignment-required-when-assigned") is StackValidationPolicy
    assert set(kinds.values()) == {ResourceValidationPolicy}


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name)
def test_every_policy_has_metadata(policy: Policy) -> None:
    assert policy.description.endswith(".")
    assert policy.severity is not None
    assert policy.remediation_steps and len(policy.remediation_steps) > 40


def test_config_schemas_declare_the_pack_defaults() -> None:
    schemas = {p.name: p.config_schema for p in POLICIES if p.config_schema is not None}
    assert set(schemas) == {"enpass-scopes-allowlisted", "enpass-client-id-pinned"}
    scopes = schemas["enpass-scopes-allowlisted"].properties["allowedScopes"]
    assert scopes["type"] == "array" and len(scopes["default"]) == 11
    client = schemas["enpass-client-id-pinned"].properties["enpassClientId"]
    assert client["default"] == "b642a132-0d12-4ff0-98d6-f5a4aee7089f"


def test_pack_name_is_valid() -> None:
    assert PACK_NAME == "enpass-consent-guardrails"


def test_guardrails_import_without_the_engine_or_the_program() -> None:
    """A fresh interpreter whose sys.path root is policy/ (as under the CLI) imports the rules quickly and
    never loads enpass_consent: the guardrail must not trust the code it guards."""
    code = (
        "import sys, guardrails; "
        "assert 'enpass_consent' not in sys.modules, 'policy imports enpass_consent'; "
        "print(len(guardrails.POLICIES))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=POLICY_DIR, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "6"


def test_policy_sources_never_mention_the_guarded_package() -> None:
    for path in sorted(POLICY_DIR.rglob("*.py")):
        if "venv" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names} | {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        assert not any(m.split(".")[0] in {"enpass_consent", "components"} for m in imported), path


def test_entry_point_only_serves_the_pack() -> None:
    tree = ast.parse((POLICY_DIR / "__main__.py").read_text(encoding="utf-8"))
    statements = [node for node in tree.body if not isinstance(node, ast.Import | ast.ImportFrom)]
    docstring, call = statements
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert isinstance(call.value.func, ast.Name) and call.value.func.id == "PolicyPack"
    keywords = {k.arg: k.value for k in call.value.keywords}
    assert isinstance(keywords["policies"], ast.Name) and keywords["policies"].id == "POLICIES"
