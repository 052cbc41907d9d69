"""The CI templates in examples/ci/ are valid and keep their security invariants.

GitHub workflows are validated against the GitHub workflow schema and Azure DevOps files against the
Azure Pipelines schema, both as vendored (from SchemaStore) in the installed check-jsonschema package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"
WORKFLOWS = sorted((CI / "github").glob("*.yml"))
ADO_FILES = sorted((CI / "azure-devops").glob("*.yml"))
ADO_PIPELINE = CI / "azure-devops" / "azure-pipelines.yml"
VERSION = re.compile(r'PULUMI_VERSION: "(3\.\d+\.\d+)"')
# Credentials these templates must never need: federation replaces secrets and passphrases.
FORBIDDEN = re.compile(
    r"ARM_CLIENT_SECRET|AZURE_CLIENT_SECRET|ARM_CLIENT_CERTIFICATE|PULUMI_CONFIG_PASSPHRASE|AZURE_STORAGE_KEY"
    r"|secrets\.\w*(SECRET|PASSPHRASE|PASSWORD|CERTIFICATE)",
    re.I,
)


def load(path: Path) -> Any:
    # YAML 1.2 (ruamel's default), as GitHub reads it: `on:` stays a string key, not True.
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def vendored_schema(name: str) -> Any:
    vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    return json.loads((vendor / name).read_text(encoding="utf-8"))


def code_lines(path: Path) -> str:
    """The file without comment-only lines (the templates show commented alternatives)."""
    return "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.strip().startswith("#"))


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key), value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def test_the_templates_exist() -> None:
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "main.yml", "nightly.yml"}
    assert ADO_PIPELINE in ADO_FILES


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflow_matches_the_published_schema(path: Path) -> None:
    schema = vendored_schema("github-workflows.json")
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(load(path))]
    assert errors == []


@pytest.mark.parametrize("path", ADO_FILES, ids=lambda p: p.name)
def test_azure_pipeline_matches_the_published_schema(path: Path) -> None:
    schema = vendored_schema("azure-pipelines.json")
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(load(path))]
    assert errors == []


def test_azure_pipeline_has_the_three_stages() -> None:
    stages = [stage["stage"] for stage in load(ADO_PIPELINE)["stages"]]
    assert stages == ["PullRequest", "Deploy", "Nightly"]


def talks_to_azure(job: dict[str, Any]) -> bool:
    text = json.dumps(job.get("steps", []))
    return any(word in text for word in ("pulumi ", "enpass-consent ", "azure/login", "pulumi/actions"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_azure_job_can_request_an_oidc_token(path: Path) -> None:
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}  # least privilege unless a job asks
    for name, job in workflow["jobs"].items():
        if talks_to_azure(job):
            assert job["permissions"].get("id-token") == "write", name


@pytest.mark.parametrize("path", [*WORKFLOWS, *ADO_FILES], ids=lambda p: p.name)
def test_no_client_secret_passphrase_or_tenant_override(path: Path) -> None:
    assert not FORBIDDEN.search(code_lines(path))
    # The customer tenant comes from each stack's azuread:tenantId, never from the environment.
    assert "ARM_TENANT_ID" not in [key for key, _ in walk(load(path))]


@pytest.mark.parametrize("path", [*WORKFLOWS, ADO_PIPELINE], ids=lambda p: p.name)
def test_oidc_and_self_managed_state(path: Path) -> None:
    doc = load(path)
    env = doc.get("env") or doc.get("variables")
    assert env["ARM_USE_OIDC"] == "true" and env["ARM_CLIENT_ID"]
    assert env["PULUMI_BACKEND_URL"].startswith("azblob://")
    assert "PULUMI_ACCESS_TOKEN" not in env  # Pulumi Cloud is only the commented alternative


def test_pulumi_version_is_pinned_once_per_file_and_equal_everywhere() -> None:
    versions = set()
    for path in [*WORKFLOWS, ADO_PIPELINE]:
        text = path.read_text(encoding="utf-8")
        (version,) = VERSION.findall(text)
        assert text.count(version) == 1, f"{path.name}: write the version only in PULUMI_VERSION"
        versions.add(version)
    assert len(versions) == 1
    for path in WORKFLOWS:
        steps = [s for job in load(path)["jobs"].values() for s in job["steps"]]
        for step in steps:
            if str(step.get("uses", "")).startswith("pulumi/actions@"):
                assert step["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}"
    assert '--version "$(PULUMI_VERSION)"' in (CI / "azure-devops" / "steps-setup.yml").read_text()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_by_major_tag(path: Path) -> None:
    uses = [str(value) for key, value in walk(load(path)) if key == "uses"]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", u) for u in uses), uses
    assert any(u.startswith("pulumi/actions@") for u in uses)


def test_pull_request_previews_with_the_policy_pack_and_reviews() -> None:
    text = code_lines(CI / "github" / "pull-request.yml")
    assert "--policy-pack policy" in text and "--event-log" in text
    assert "enpass-consent review previews/" in text and "GITHUB_STEP_SUMMARY" in text


def test_main_deploys_canary_first_serialized() -> None:
    workflow = load(CI / "github" / "main.yml")
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert "enpass-consent fleet up --canary" in code_lines(CI / "github" / "main.yml")
    assert "--all-stacks" in code_lines(CI / "github" / "main.yml")


def test_nightly_shards_drift_and_fails_on_it() -> None:
    workflow = load(CI / "github" / "nightly.yml")
    assert workflow["on"]["schedule"][0]["cron"]
    drift = workflow["jobs"]["drift"]
    shards = drift["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    text = code_lines(CI / "github" / "nightly.yml")
    assert "fleet drift --all-stacks --shard ${{ matrix.shard }}/${{ env.SHARDS }}" in text
    assert "enpass-consent audit --all-stacks --format json" in text
    assert "enpass-consent audit --all-stacks --format markdown" in text
    assert any(s.get("if") == "steps.drift.outputs.rc != '0'" for s in drift["steps"])


def test_azure_devops_uses_workload_identity_federation() -> None:
    pipeline = load(ADO_PIPELINE)
    assert pipeline["variables"]["ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"]
    steps = [step for key, value in walk(pipeline) if key == "steps" for step in value]
    for step in steps:
        body = str(step.get("inputs", {}).get("inlineScript", "")) + str(step.get("script", ""))
        if "enpass-consent " in body or "pulumi preview" in body:
            assert step["env"] == {
                "SYSTEM_ACCESSTOKEN": "$(System.AccessToken)",
                "SYSTEM_OIDCREQUESTURI": "$(System.OidcRequestUri)",
            }
