"""Repo-wide invariants (like Maester's GraphEndpoint tests): one catalog, one cloud table."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Not Microsoft ids: Pulumi's sentinel for an unknown value in preview output.
NOT_APP_IDS = {"04da6b54-80e4-46f7-96ec-b56ff0331ba9"}
MICROSOFT_HOST = re.compile(
    r"(microsoftonline|graph\.microsoft|microsoft\.us|chinacloudapi|login\.microsoft|login\.windows\.net)", re.I
)


# The emulator plays Microsoft's services: it reproduces Microsoft's published examples verbatim,
# with their ids and hosts, and must be free to; everything else reads ids from the catalog.
EMULATOR = REPO / "enpass_consent" / "emulator"


def product_sources() -> list[Path]:
    files = sorted((REPO / "enpass_consent").rglob("*.py")) + sorted((REPO / "components").rglob("*.py"))
    return [*(f for f in files if EMULATOR not in f.parents), REPO / "__main__.py"]


def test_sources_exist() -> None:
    names = {p.relative_to(REPO).as_posix() for p in product_sources()}
    assert {"enpass_consent/catalog.py", "enpass_consent/clouds.py", "__main__.py"} <= names


def test_no_app_or_role_guid_outside_the_catalog() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in product_sources()
        if path.name != "catalog.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if set(GUID.findall(line)) - NOT_APP_IDS
    ]
    assert offenders == []


def test_no_microsoft_host_outside_clouds() -> None:
    offenders = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in product_sources()
        if path.name != "clouds.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if MICROSOFT_HOST.search(line) and "learn.microsoft.com" not in line
    ]
    assert offenders == []


def test_relative_links_in_the_docs_resolve() -> None:
    link = re.compile(r"\]\((?!https?://|#|mailto:)([^)#\s]+)")
    broken = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *sorted(REPO.glob("*/README.md"))]:
        for target in link.findall(doc.read_text()):
            if not (doc.parent / target).exists():
                broken.append(f"{doc.relative_to(REPO)} -> {target}")
    assert broken == []


def test_every_command_in_the_design_is_registered() -> None:
    from enpass_consent.commands import registry

    names = {command.name for command in registry.commands()}
    assert names == {"explain", "consent-url", "audit", "preflight", "adopt", "review", "fleet", "sandbox", "init"}
