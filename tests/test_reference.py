"""docs/reference.md lists every contract the code has: commands and their options, finding codes,
JSON documents, preflight's check ids and statuses. A flag, code or document added without its line
on that page fails here (contracts change only by adding, and the page says what was added)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from enpass_consent.commands import registry
from enpass_consent.findings import CODES
from enpass_consent.preflight.result import CheckStatus

REPO = Path(__file__).resolve().parents[1]
REFERENCE = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
SCHEMAS = sorted((REPO / "enpass_consent" / "schemas").glob("*.schema.json"))


def section(heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = REFERENCE.index(f"\n{heading}\n")
    ends = [m.start() for m in re.finditer(rf"\n#{{1,{len(level)}}} ", REFERENCE[start + 1 :])]
    return REFERENCE[start : start + 1 + ends[0]] if ends else REFERENCE[start:]


def command_entries() -> dict[str, str]:
    """Each command's entry in the synopsis block of "Commands" (its line and the continuation lines)."""
    block = re.search(r"```\n(.*?)```", section("### Commands"), re.S)
    assert block is not None
    entries: dict[str, str] = {}
    name = None
    for line in block.group(1).splitlines():
        if line.startswith("enpass-consent "):
            name = line.split()[1]
            entries[name] = entries.get(name, "") + line + "\n"
        elif name is not None:
            entries[name] += line + "\n"
    return entries


COMMANDS = {command.name: command for command in registry.commands()}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_and_each_option_is_in_the_synopsis(name: str) -> None:
    entry = command_entries().get(name)
    assert entry is not None, f"docs/reference.md: no `enpass-consent {name}` in the Commands block"
    for param in COMMANDS[name].params:
        if not isinstance(param, click.Option):
            continue
        for flag in (opt for opt in param.opts if opt.startswith("--")):
            assert re.search(rf"{re.escape(flag)}(?![\w-])", entry), f"{name}: {flag} is not in its synopsis"
        if isinstance(param.type, click.Choice):
            choices = "|".join(str(choice) for choice in param.type.choices)
            assert choices in entry, f"{name}: {param.opts[0]} offers {choices}, the synopsis does not say so"


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_finding_code_has_its_row(code: str) -> None:
    assert re.search(rf"^\| `{code}`", section("## Finding codes"), re.M), f"no row for {code}"


@pytest.mark.parametrize("schema_file", SCHEMAS, ids=[path.name for path in SCHEMAS])
def test_every_json_document_is_described_with_its_schema(schema_file: Path) -> None:
    documents = section("## JSON documents")
    name = json.loads(schema_file.read_text(encoding="utf-8"))["properties"]["schema"]["const"]
    assert f"`{name}`" in documents, f"{name} is not described under JSON documents"
    assert f"enpass_consent/schemas/{schema_file.name}" in documents


# Written out by hand: the check ids are a contract (a CI step may gate on one).
PREFLIGHT_CHECK_IDS = (
    "identity",
    "graph-scopes",
    "groups",
    "nested-groups",
    "entra-id-p1",
    "licences",
    "user-consent",
    "service-principal",
)


def test_preflight_check_ids_and_statuses_are_listed() -> None:
    preflight = section("### Preflight")
    for check_id in PREFLIGHT_CHECK_IDS:
        assert f"`{check_id}`" in preflight, f"preflight check {check_id} is not listed"
    for status in CheckStatus:
        assert f"`{status.value}`" in preflight, f"check status {status.value} is not listed"
    # docs/preflight.md's table of checks has exactly these rows.
    guide = (REPO / "docs" / "preflight.md").read_text(encoding="utf-8")
    assert re.findall(r"^\| `([a-z0-9-]+)` \|", guide, re.M) == list(PREFLIGHT_CHECK_IDS)
