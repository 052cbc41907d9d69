"""Repo-wide invariants (like Maester's GraphEndpoint tests): one catalog, one cloud table, no dangling citation."""

from __future__ import annotations

import re
import subprocess
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


def test_every_command_in_the_design_is_registered() -> None:
    from enpass_consent.commands import registry

    names = {command.name for command in registry.commands()}
    assert names == {"explain", "consent-url", "audit", "preflight", "adopt", "review", "fleet", "sandbox", "init"}


# --- The repository is self-contained: every file, section and anchor it cites exists in it. ---

_SKIPPED_DIRS = {".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "node_modules"}
_TEXT_SUFFIXES = {".py", ".md", ".json", ".jsonl", ".yaml", ".yml", ".toml", ".txt", ".cfg", ".html"}
# Top-level folders of this repository: a mention starting with one of them is a path in it.
_REPO_FOLDERS = ("docs", "enpass_consent", "components", "policy", "tests", "benchmarks", "examples", "scripts")
_CITED_SUFFIXES = ("md", "py", "json", "jsonl", "yaml", "yml", "toml", "txt", "png", "html")
_MENTION = re.compile(
    r"(?<![\w./-])((?:" + "|".join(_REPO_FOLDERS) + r")/[\w./-]*?\.(?:" + "|".join(_CITED_SUFFIXES) + r"))"
    r"(?![\w/-])(?:#([\w-]+))?"
)
# `owner/repo path/in/it.md`: a path in another repository, not in this one.
_OTHER_REPOSITORY = re.compile(r"[\w.-]+/[\w.-]+[`'\"]?\s+[`'\"]?$")
_MARKDOWN_LINK = re.compile(r"\]\((?!https?://|mailto:)([^)\s]*)\)")
_HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")
# Spelled in pieces so this file does not trip its own test.
_FORBIDDEN = ("DES" + "IGN", "../" + "shared", "reference " + "§")


def text_files() -> list[Path]:
    """Every text file of the repository (sources, docs, schemas, tests, CI), what git ignores left out.

    git decides what belongs to the repository, so a virtualenv of any name (CI builds ``.venv-ci``
    inside the clone) or a build folder is never read as ours.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        candidates = [REPO / name for name in listed.stdout.decode("utf-8").split("\0") if name]
    else:  # not a git checkout (an unpacked archive): walk it, generated folders left out
        candidates = [
            path
            for path in REPO.rglob("*")
            if not any(
                part in _SKIPPED_DIRS or part.startswith(".venv") or part.endswith(".egg-info")
                for part in path.relative_to(REPO).parts
            )
        ]
    return sorted(
        path
        for path in candidates
        if path.is_file()
        and (path.suffix in _TEXT_SUFFIXES or path.relative_to(REPO).as_posix() in ("scripts/check", ".ci/run"))
    )


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, spaces to ``-``."""
    text = re.sub(r"`|\*\*|<[^>]+>", "", heading.strip()).lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading keeps its text
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown_file: Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    in_code = False
    for line in markdown_file.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        found.update(_HTML_ANCHOR.findall(line))
        heading = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading and not in_code:
            slug = github_anchor(heading.group(1))
            seen = counts.get(slug, 0)
            counts[slug] = seen + 1
            found.add(slug if seen == 0 else f"{slug}-{seen}")
    return found


def _target_problem(target: Path, anchor: str | None) -> str | None:
    if not target.exists():
        return "no such file"
    if anchor and (target.suffix != ".md" or anchor not in anchors(target)):
        return f"no section #{anchor}"
    return None


def test_github_anchors_follow_githubs_rules() -> None:
    assert github_anchor("Stack settings") == "stack-settings"
    assert github_anchor("`enpass-consent fleet`: preview, up and drift") == "enpass-consent-fleet-preview-up-and-drift"
    assert (
        github_anchor("Fleet JSON (`enpass-consent.fleet/v1`, a contract)")
        == "fleet-json-enpass-consentfleetv1-a-contract"
    )
    assert github_anchor("SP_MISSING") == "sp_missing"


def test_markdown_links_resolve_to_files_and_sections() -> None:
    broken = []
    for doc in (f for f in text_files() if f.suffix == ".md"):
        in_code = False
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                in_code = not in_code
            if in_code:
                continue
            for link in _MARKDOWN_LINK.findall(line):
                path, _, anchor = link.partition("#")
                target = (doc.parent / path).resolve() if path else doc
                problem = _target_problem(target, anchor or None)
                if problem:
                    broken.append(f"{doc.relative_to(REPO)}:{n}: {link}: {problem}")
    assert broken == []


def test_mentioned_repository_paths_exist() -> None:
    """A path under one of this repository's folders, cited in any file (with its ``#anchor``), exists here."""
    broken = []
    for path in text_files():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in _MENTION.finditer(line):
                if _OTHER_REPOSITORY.search(line[: match.start()]):
                    continue
                problem = _target_problem(REPO / match.group(1), match.group(2))
                if problem:
                    broken.append(f"{path.relative_to(REPO)}:{n}: {match.group(0)}: {problem}")
    assert broken == []


def test_nothing_cites_files_outside_the_repository() -> None:
    """The team's own notes are not in a clone: nothing may point at them."""
    offenders = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in text_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(word in line for word in _FORBIDDEN)
    ]
    assert offenders == []
