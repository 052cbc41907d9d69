"""The init document: JSON contract and schema, table and Markdown renderings (golden files), exit codes."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path

import jsonschema
import pytest

from enpass_consent.findings import finding
from enpass_consent.init import report
from enpass_consent.init.result import InitReport, StackResult, Status
from tests.support.golden import assert_golden, schema, validate

GOLDEN = Path(__file__).parent / "golden"
AT = datetime.datetime(2026, 11, 27, 8, 0, tzinfo=datetime.UTC)
T1 = "11111111-2222-3333-4444-555555555555"
T2 = "22222222-2222-3333-4444-555555555555"
CONTENT = "# Enpass consent in the tenant contoso.com\nconfig:\n  azuread:tenantId: " + T1 + "  # contoso.com\n"
SCOPE_EXTRA = finding(
    "SCOPE_EXTRA",
    "Grant g1 holds Mail.Read, which the stack does not ask for.",
    object_id="g1",
    actual="Mail.Read",
)
TICKS = "# a display name with ``` in it\nconfig: {}\n"


def sample(*, write: bool) -> InitReport:
    return InitReport(
        (
            StackResult(
                "contoso.com",
                Status.DESCRIBED,
                "contoso",
                T1,
                2,
                file="Pulumi.contoso.yaml",
                content=CONTENT,
                written=write,
                stack_created=write,
                stack_init=None if write else "pulumi stack init contoso",
            ),
            StackResult(
                T2,
                Status.LEFT_OUT,
                "fabrikam",
                T2,
                3,
                file="Pulumi.fabrikam.yaml",
                content=TICKS,
                written=write,
                stack_init="pulumi stack init fabrikam --secrets-provider 'azurekeyvault://v.vault.azure.net/keys/k'",
                left_out=(SCOPE_EXTRA,),
            ),
            StackResult(
                "woodgrove.com",
                Status.ERROR,
                "woodgrove",
                None,
                4,
                error="tenants.csv line 4: 'woodgrove.com' is no verified domain of any Microsoft Entra tenant",
            ),
        ),
        from_tenant=True,
        write=write,
        generated_at=AT,
    )


@pytest.mark.parametrize("write", [False, True], ids=["dry-run", "write"])
@pytest.mark.parametrize(("fmt", "suffix"), [("json", "json"), ("table", "txt"), ("markdown", "md")])
def test_golden(fmt: str, suffix: str, write: bool) -> None:
    name = f"report-{'write' if write else 'dry-run'}.{suffix}"
    assert_golden(GOLDEN / name, report.RENDERERS[fmt](sample(write=write)))


def test_json_contract_and_schema() -> None:
    document = json.loads(report.to_json(sample(write=True)))
    validate(document, "init")
    assert document["schema"] == "enpass-consent.init/v1"
    assert document["generatedAt"] == "2026-11-27T08:00:00Z"
    assert document["summary"] == {
        "stacks": 3,
        "described": 1,
        "leftOut": 1,
        "error": 1,
        "written": 2,
        "stacksCreated": 1,
    }
    assert document["stacks"][1]["leftOut"] == [SCOPE_EXTRA.to_json()]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"status": "left_out", "leftOut": []}, "leftOut"),
        ({"status": "described", "leftOut": [SCOPE_EXTRA.to_json()]}, "leftOut"),
        ({"status": "error", "error": None}, "error"),
        ({"status": "error", "error": "x", "written": True}, "written"),
        ({"status": "described", "error": "x"}, "error"),
        ({"tenantId": "not-a-guid"}, "tenantId"),
        ({"status": "unknown"}, "status"),
    ],
)
def test_the_schema_refuses_contradictions(change: dict[str, object], path: str) -> None:
    document = json.loads(report.to_json(sample(write=True)))
    document["stacks"][0].update(change)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema("init")).validate(document)


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        ((), 0),
        ((Status.DESCRIBED, Status.DESCRIBED), 0),
        ((Status.DESCRIBED, Status.LEFT_OUT), 2),
        ((Status.LEFT_OUT, Status.ERROR, Status.DESCRIBED), 1),
    ],
)
def test_exit_codes(statuses: tuple[Status, ...], code: int) -> None:
    base = StackResult("contoso.com", Status.DESCRIBED)
    results = tuple(dataclasses.replace(base, status=status) for status in statuses)
    assert InitReport(results, from_tenant=False, write=False).exit_code == code


def test_markdown_fences_the_file_longer_than_any_backtick_run_in_it() -> None:
    rendered = report.to_markdown(sample(write=False))
    assert "\n````yaml\n# a display name with ``` in it\nconfig: {}\n````\n" in rendered
