"""The catalog itself (like ScubaGear's catalog tests): complete, unique, consistent."""

from __future__ import annotations

import uuid

from enpass_consent import catalog


def test_enpass_asks_for_exactly_its_eight_scopes() -> None:
    assert catalog.ENPASS_SCOPE_NAMES == (
        "User.Read",
        "Files.ReadWrite.AppFolder",
        "offline_access",
        "Sites.ReadWrite.All",
        "Team.ReadBasic.All",
        "User.ReadBasic.All",
        "Channel.ReadBasic.All",
        "Group.Read.All",
    )
    assert catalog.SIGN_IN_SCOPE_NAMES == ("openid", "profile", "email")


def test_entries_are_complete_and_unique() -> None:
    names = [s.name.lower() for s in catalog.SCOPES]
    ids = [s.graph_scope_id for s in catalog.SCOPES]
    assert len(set(names)) == len(names) and len(set(ids)) == len(ids)
    for scope in catalog.SCOPES:
        assert str(uuid.UUID(scope.graph_scope_id)) == scope.graph_scope_id
        assert scope.allows and scope.purpose and scope.risk_reason
        assert scope.scanner_rating in (None, "low", "medium", "high", "critical")


def test_scanner_ratings_match_scubagear() -> None:
    rated = {s.name: s.scanner_rating for s in catalog.SCOPES if s.scanner_rating}
    assert rated == {"Sites.ReadWrite.All": "critical", "Group.Read.All": "medium", "Channel.ReadBasic.All": "low"}


def test_only_group_read_all_needs_admin_consent_by_graphs_flag() -> None:
    assert [s.name for s in catalog.SCOPES if s.admin_consent_required] == ["Group.Read.All"]


def test_well_known_ids_are_guids() -> None:
    for value in (
        catalog.ENPASS_APP_ID,
        catalog.MICROSOFT_GRAPH_APP_ID,
        catalog.DEFAULT_ACCESS_APP_ROLE_ID,
        catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID,
        *(r.template_id for r in catalog.CONSENT_CAPABLE_ROLES),
    ):
        assert str(uuid.UUID(value)) == value
    assert catalog.GRAPH_COMMAND_LINE_TOOLS_APP_ID != catalog.ENPASS_APP_ID


def test_canonical_scope() -> None:
    assert catalog.canonical_scope("SITES.readwrite.all") == "Sites.ReadWrite.All"
    assert catalog.canonical_scope("Mail.Read") is None


def test_every_finding_code_is_documented() -> None:
    from pathlib import Path

    from enpass_consent.findings import CODES

    text = (Path(__file__).resolve().parents[2] / "docs" / "findings.md").read_text()
    for code, entry in CODES.items():
        section = text.split(f"## {code}\n", 1)
        assert len(section) == 2, f"docs/findings.md has no section for {code}"
        assert f"**Severity:** {entry.severity.value}." in section[1].split("\n## ", 1)[0]
