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
    assert env["ARM_USE_OIDC"] == "true"
    if path == ADO_PIPELINE:  # the identity is stage-scoped there: every stage names its own
        assert "ARM_CLIENT_ID" not in env
        assert all(stage["variables"]["ARM_CLIENT_ID"] for stage in doc["stages"])
    else:
        assert env["ARM_CLIENT_ID"]
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
    assert "enpass-consent fleet up --yes --policy-pack policy --canary" in code_lines(CI / "github" / "main.yml")
    assert "--all-stacks" in code_lines(CI / "github" / "main.yml")


def test_nightly_shards_drift_and_fails_on_it() -> None:
    workflow = load(CI / "github" / "nightly.yml")
    assert workflow["on"]["schedule"][0]["cron"]
    drift = workflow["jobs"]["drift"]
    shards = drift["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    text = code_lines(CI / "github" / "nightly.yml")
    assert "fleet drift --policy-pack policy --all-stacks --shard ${{ matrix.shard }}/${{ env.SHARDS }}" in text
    # The nightly report says who changed each finding (docs/findings.md#who-changed-it).
    assert '--attribution --format html --output "reports/drift-${{ matrix.shard }}.html"' in text
    assert text.count("enpass-consent audit --all-stacks --attribution --format") == 2
    assert "enpass-consent audit --all-stacks --attribution --format json" in text
    assert "enpass-consent audit --all-stacks --attribution --format markdown" in text
    assert any(s.get("if") == "steps.drift.outputs.rc != '0'" for s in drift["steps"])


def ado_stage(name: str) -> dict[str, Any]:
    (stage,) = [stage for stage in load(ADO_PIPELINE)["stages"] if stage["stage"] == name]
    return stage


def ado_jobs(stage: dict[str, Any]) -> list[dict[str, Any]]:
    return list(stage["jobs"])


def ado_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    if "steps" in job:
        return list(job["steps"])
    return list(job["strategy"]["runOnce"]["deploy"]["steps"])  # a deployment job


def step_body(step: dict[str, Any]) -> str:
    inputs = step.get("inputs", {})
    return str(inputs.get("inlineScript", "")) + str(step.get("script", "")) + str(step.get("run", ""))


def test_azure_devops_uses_workload_identity_federation() -> None:
    # Deploy and Nightly run main's code and refresh their OIDC assertions through Azure DevOps.
    for name in ("Deploy", "Nightly"):
        stage = ado_stage(name)
        assert stage["variables"]["ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"], name
        for job in ado_jobs(stage):
            for step in ado_steps(job):
                body = step_body(step)
                if "enpass-consent " in body or "pulumi " in body:
                    assert step["env"] == {
                        "SYSTEM_ACCESSTOKEN": "$(System.AccessToken)",
                        "SYSTEM_OIDCREQUESTURI": "$(System.OidcRequestUri)",
                    }


# --- Pull-request code never runs with the writer identity or a write token -------------------------

RUNS_CODE = re.compile(r"pip install|\bpulumi (preview|up|install|refresh)\b|\benpass-consent |python -m venv")
WRITER_VARIABLES = re.compile(
    r"\b(ENPASS_CONSENT_CLIENT_ID|ENPASS_CONSENT_SERVICE_CONNECTION_ID|STATE_WRITER_SERVICE_CONNECTION"
    r"|PULUMI_STATE_WRITER_CLIENT_ID)\b"
)
ACCESS_TOKEN = re.compile(r"System\.AccessToken|SYSTEM_ACCESSTOKEN|System\.OidcRequestUri|SYSTEM_OIDCREQUESTURI")
PR_WORKFLOWS = [p for p in WORKFLOWS if {"pull_request", "pull_request_target"} & set(load(p)["on"])]


def checks_out(job: dict[str, Any]) -> bool:
    return any(str(step.get("uses", "")).startswith("actions/checkout@") for step in job["steps"])


def runs_code(job: dict[str, Any]) -> bool:
    return any(RUNS_CODE.search(step_body(step)) for step in job["steps"])


def test_pull_request_workflows_are_found() -> None:
    assert [p.name for p in PR_WORKFLOWS] == ["pull-request.yml"]
    assert "pull_request_target" not in load(CI / "github" / "pull-request.yml")["on"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_level_permissions_are_empty(path: Path) -> None:
    # Each job asks for what it needs; nothing is inherited by a job that forgets to.
    workflow = load(path)
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, name


@pytest.mark.parametrize("path", PR_WORKFLOWS, ids=lambda p: p.name)
def test_no_job_running_pr_code_holds_a_write_token(path: Path) -> None:
    jobs = load(path)["jobs"]
    pr_code_jobs = [name for name, job in jobs.items() if checks_out(job) and runs_code(job)]
    assert pr_code_jobs == ["preview"]
    for name in pr_code_jobs:
        permissions = jobs[name]["permissions"]
        assert permissions.get("pull-requests") != "write" and permissions.get("contents") != "write", name
        # Only the OIDC token may be "write", and it is for read-only identities (below).
        assert {key for key, value in permissions.items() if value == "write"} <= {"id-token"}, name


def test_pull_request_preview_uses_read_only_identities() -> None:
    path = CI / "github" / "pull-request.yml"
    workflow = load(path)
    preview = workflow["jobs"]["preview"]
    assert preview["environment"] == "pr-preview"
    assert workflow["env"]["ARM_CLIENT_ID"] == "${{ vars.ENPASS_CONSENT_AUDIT_CLIENT_ID }}"
    (login,) = [s for s in preview["steps"] if str(s.get("uses", "")).startswith("azure/login@")]
    assert login["with"]["client-id"] == "${{ vars.PULUMI_STATE_READER_CLIENT_ID }}"
    checkout = next(s for s in preview["steps"] if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    assert not WRITER_VARIABLES.search(code_lines(path))
    uploads = [s for s in preview["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert uploads and "review.md" in uploads[0]["with"]["path"] and "review.json" in uploads[0]["with"]["path"]


def test_pull_request_comment_job_runs_no_pr_code_and_has_no_oidc_token() -> None:
    jobs = load(CI / "github" / "pull-request.yml")["jobs"]
    comment = jobs["comment"]
    assert comment["needs"] == "preview"
    assert comment["permissions"] == {"pull-requests": "write"}
    assert "id-token" not in comment["permissions"]
    assert not checks_out(comment) and not runs_code(comment)
    uses = [str(s.get("uses", "")) for s in comment["steps"] if "uses" in s]
    assert all(u.startswith("actions/download-artifact@") for u in uses) and uses
    assert any("gh pr comment" in step_body(s) and "--body-file review.md" in step_body(s) for s in comment["steps"])
    # No other job may post: the preview job has no way to write to the pull request.
    assert not any("gh pr comment" in step_body(s) for s in jobs["preview"]["steps"])


def test_the_writer_is_named_only_by_the_deploy_workflow() -> None:
    for path in WORKFLOWS:
        named = bool(WRITER_VARIABLES.search(code_lines(path)))
        assert named == (path.name == "main.yml"), path.name
    deploy = load(CI / "github" / "main.yml")["jobs"]["deploy"]
    assert deploy["environment"] == "production"


# --- The policy pack runs with every preview, up and drift ------------------------------------------

PACK_COMMAND = re.compile(r"enpass-consent fleet (up|drift|preview)\b|\bpulumi (preview|up)\b")


def logical_commands(path: Path) -> Iterator[str]:
    """The non-comment lines, with backslash continuations joined into one command."""
    pending = ""
    for line in code_lines(path).splitlines():
        if re.match(r"\s*(- )?(displayName|name):", line):  # labels, not commands
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield pending + line
        pending = ""


@pytest.mark.parametrize("path", [*WORKFLOWS, *ADO_FILES], ids=lambda p: p.name)
def test_every_preview_up_and_drift_runs_the_policy_pack(path: Path) -> None:
    commands = [c for c in logical_commands(path) if PACK_COMMAND.search(c)]
    for command in commands:
        assert "--policy-pack policy" in command, command
    if path.name in {"main.yml", "nightly.yml", "pull-request.yml", "azure-pipelines.yml"}:
        assert commands, "the template runs no preview, up or drift?"


@pytest.mark.parametrize("path", [*WORKFLOWS, *ADO_FILES], ids=lambda p: p.name)
def test_every_fleet_up_passes_yes_and_never_skips_the_preview(path: Path) -> None:
    """A job has no terminal: without --yes `fleet up` refuses (exit 1) rather than deploy unasked."""
    ups = [c for c in logical_commands(path) if re.search(r"enpass-consent fleet up\b", c)]
    for command in ups:
        assert re.search(r"fleet up\b.* --yes\b", command), command
        assert "--skip-preview" not in command, command
    if path.name in {"main.yml", "azure-pipelines.yml"}:
        assert ups, "the deploy runs no fleet up?"


def test_deploys_and_drift_run_the_policy_pack() -> None:
    main = code_lines(CI / "github" / "main.yml")
    assert re.search(r"enpass-consent fleet up --yes --policy-pack policy .*--canary .*--all-stacks", main)
    deploy = " ".join(logical_commands(ADO_PIPELINE))
    assert re.search(r"enpass-consent fleet up --yes --policy-pack policy .*--canary .*--all-stacks", deploy)
    assert "enpass-consent fleet drift --policy-pack policy --all-stacks" in deploy
    assert '--attribution --format html --output "reports/drift-$(SHARD).html"' in deploy
    assert deploy.count("enpass-consent audit --all-stacks --attribution --format") == 2


POLICY_VENV = "python -m venv policy/venv && policy/venv/bin/pip install -r policy/requirements.txt"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_the_policy_venv_is_created_before_the_pack_runs(path: Path) -> None:
    for name, job in load(path)["jobs"].items():
        bodies = [step_body(step) for step in job["steps"]]
        uses_pack = [i for i, body in enumerate(bodies) if "--policy-pack" in body]
        if uses_pack:
            venv = [i for i, body in enumerate(bodies) if POLICY_VENV in body]
            assert venv and venv[0] < uses_pack[0], name


def test_azure_devops_setup_creates_the_policy_venv_for_every_pack_job() -> None:
    assert POLICY_VENV in (CI / "azure-devops" / "steps-setup.yml").read_text(encoding="utf-8")
    for stage in load(ADO_PIPELINE)["stages"]:
        for job in ado_jobs(stage):
            steps = ado_steps(job)
            uses_pack = [i for i, step in enumerate(steps) if "--policy-pack" in step_body(step)]
            if uses_pack:
                setup = [i for i, step in enumerate(steps) if step.get("template") == "steps-setup.yml"]
                assert setup and setup[0] < uses_pack[0], stage["stage"]


# --- Azure DevOps: the writer lives in the Deploy stage only ----------------------------------------


def test_azure_devops_writer_variables_only_in_the_deploy_stage() -> None:
    pipeline = load(ADO_PIPELINE)
    top = pipeline["variables"]
    assert "ARM_CLIENT_ID" not in top and "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID" not in top
    assert not WRITER_VARIABLES.search(json.dumps(top))
    for stage in pipeline["stages"]:
        named = bool(WRITER_VARIABLES.search(json.dumps(stage)))
        assert named == (stage["stage"] == "Deploy"), stage["stage"]
    deploy = ado_stage("Deploy")
    assert deploy["variables"]["ARM_CLIENT_ID"] == "$(ENPASS_CONSENT_CLIENT_ID)"
    assert deploy["variables"]["ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"] == "$(ENPASS_CONSENT_SERVICE_CONNECTION_ID)"


def test_azure_devops_pull_request_stage_uses_the_auditor() -> None:
    stage = ado_stage("PullRequest")
    assert stage["variables"] == {"ARM_CLIENT_ID": "$(ENPASS_CONSENT_AUDIT_CLIENT_ID)"}
    connections = [
        step["inputs"]["azureSubscription"]
        for job in ado_jobs(stage)
        for step in ado_steps(job)
        if str(step.get("task", "")).startswith("AzureCLI@")
    ]
    assert connections == ["$(ENPASS_CONSENT_AUDIT_SERVICE_CONNECTION)"]
    nightly = ado_stage("Nightly")
    assert nightly["variables"]["ARM_CLIENT_ID"] == "$(ENPASS_CONSENT_AUDIT_CLIENT_ID)"


def ado_job_runs_pr_code(job: dict[str, Any]) -> bool:
    steps = ado_steps(job)
    explicit_checkout = [step["checkout"] for step in steps if "checkout" in step]
    checks_out_pr = explicit_checkout != ["none"]  # no checkout step means an implicit `checkout: self`
    runs = any(RUNS_CODE.search(step_body(step)) or "template" in step for step in steps)
    return checks_out_pr or runs


def test_azure_devops_access_token_never_reaches_pr_code() -> None:
    jobs = ado_jobs(ado_stage("PullRequest"))
    pr_code = [job for job in jobs if ado_job_runs_pr_code(job)]
    assert [job["job"] for job in pr_code] == ["preview"]
    for job in pr_code:
        for step in ado_steps(job):
            assert not ACCESS_TOKEN.search(json.dumps(step)), step
    # The thread is posted by a job that checks out nothing, installs nothing and gets only the review.
    (comment,) = [job for job in jobs if job not in pr_code]
    assert comment["dependsOn"] == "preview"
    steps = ado_steps(comment)
    assert {"checkout": "none"} in steps
    assert {"download": "current", "artifact": "enpass-consent-review"} in steps
    assert any(ACCESS_TOKEN.search(json.dumps(step)) for step in steps)
