"""The named delegated scopes per command: least privilege per request, and docs/permissions.md says the same."""

from __future__ import annotations

import re
from pathlib import Path

from enpass_consent.graph import scopes

DOC = Path(__file__).parents[3] / "docs" / "permissions.md"


def test_each_command_asks_for_named_scopes_only() -> None:
    assert scopes.for_command("audit") == ("Application.Read.All", "Directory.Read.All", "GroupMember.Read.All")
    assert scopes.for_command("adopt") == scopes.for_command("audit") == scopes.for_command("fleet drift")
    assert scopes.for_command("init") == scopes.for_command("audit")
    assert scopes.for_command("preflight") == (
        "Application.Read.All",
        "Directory.Read.All",
        "GroupMember.Read.All",
        "LicenseAssignment.Read.All",
        "Policy.Read.All",
        "RoleEligibilitySchedule.Read.Directory",
        "RoleManagement.Read.Directory",
        "User.Read",
        "User.Read.All",
    )
    assert not any("/" in scope for scope in scopes.every_scope())  # never /.default, never a resource


def test_docs_table_is_the_module_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("<!-- delegated-scopes:begin -->") : text.index("<!-- delegated-scopes:end -->")]
    documented: dict[str, set[tuple[str, str, str]]] = {}
    for line in table.splitlines()[3:]:
        commands, what, scope, source = (cell.strip() for cell in line.strip("|").split("|"))
        for command in re.findall(r"`([^`]+)`", commands):
            if "everything `audit` reads" in what:
                documented.setdefault(command, set()).update(documented["audit"])
                continue
            link = re.fullmatch(r"\[[^\]]+\]\((https://[^)]+)\)", source)
            assert link is not None, line
            documented.setdefault(command, set()).add((what, scope.strip("`"), link.group(1)))
    expected = {
        command: {(read.what, read.scope, read.source) for read in reads}
        for command, reads in scopes.COMMAND_READS.items()
    }
    assert documented == expected
