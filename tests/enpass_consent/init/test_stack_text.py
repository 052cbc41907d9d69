"""The stack file init writes: annotated, read back exactly, tenant text never becoming YAML (golden files)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from enpass_consent import catalog, settings, stackfile
from enpass_consent.adopt import stack_edit
from enpass_consent.audit.state import AppRoleAssignment, Grant, ServicePrincipal, TenantState
from enpass_consent.init import stack_text
from enpass_consent.init.describe import blank, describe
from enpass_consent.init.stack_text import StackTextError
from tests.support.golden import assert_golden

GOLDEN = Path(__file__).parent / "golden"
PATH = Path("Pulumi.contoso.yaml")
TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT = "c1e17000-0000-4000-8000-00000000c11e"
SP = "e0000000-0000-4000-8000-00000000e001"
GRAPH = "a0000000-0000-4000-8000-00000000a001"
ALICE = "0a000000-0000-4000-8000-0000000000a1"
TEAM = "6a000000-0000-4000-8000-000000000001"
BOB = "0b000000-0000-4000-8000-0000000000b2"


def consented(
    *, group_name: str = "Enpass Users", emails: tuple[str, ...] = ("it-security@contoso.com",)
) -> TenantState:
    sp = ServicePrincipal(
        SP, catalog.ENPASS_APP_ID, False, True, tags=("HideApp",), notification_email_addresses=emails
    )
    return TenantState(
        sp,
        GRAPH,
        (Grant("g-all", "AllPrincipals", None, GRAPH, (*catalog.ENPASS_SCOPE_NAMES, "openid", "Mail.Read")),),
        assigned_to=(
            AppRoleAssignment("a-team", catalog.DEFAULT_ACCESS_APP_ROLE_ID, TEAM, "Group", group_name, SP),
            AppRoleAssignment("a-alice", catalog.DEFAULT_ACCESS_APP_ROLE_ID, ALICE, "User", "Alice", SP),
        ),
    )


def per_user() -> TenantState:
    sp = ServicePrincipal(SP, catalog.ENPASS_APP_ID, True, False)
    grants = (
        Grant("g-bob", "Principal", BOB, GRAPH, ("User.Read", "offline_access")),
        Grant("g-alice", "Principal", ALICE, GRAPH, ("User.Read",)),
    )
    return TenantState(sp, GRAPH, grants)


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("blank.yaml", blank(TENANT, CLIENT)),
        ("from-tenant.yaml", describe(TENANT, None, "contoso.com", consented())),
        ("per-user.yaml", describe(TENANT, CLIENT, "contoso.com", per_user())),
        ("no-service-principal.yaml", describe(TENANT, None, "contoso.com", TenantState(None))),
    ],
)
def test_golden(name: str, outcome: object) -> None:
    raw = stack_text.render("contoso", PATH, outcome)  # type: ignore[arg-type]
    assert_golden(GOLDEN / name, raw.decode("utf-8"))


@pytest.mark.parametrize(
    "outcome",
    [blank(TENANT), describe(TENANT, CLIENT, "contoso.com", consented()), describe(TENANT, None, None, per_user())],
    ids=["blank", "from-tenant", "per-user"],
)
def test_the_file_reads_back_as_the_settings_both_ways(outcome: object, tmp_path: Path) -> None:
    raw = stack_text.render("contoso", PATH, outcome)  # type: ignore[arg-type]
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    (tmp_path / "Pulumi.contoso.yaml").write_bytes(raw)
    # What the CLI reads (the YAML turned into Pulumi's strings) is what the program is given.
    parsed = settings.parse(stackfile.read(tmp_path, "contoso").config)
    assert parsed == outcome.settings  # type: ignore[attr-defined]


def test_adopt_would_write_the_same_file() -> None:
    raw = stack_text.render("contoso", PATH, describe(TENANT, None, "contoso.com", consented()))
    loaded = stack_edit.LoadedStack("contoso", PATH, raw, stack_edit.config_of(PATH, raw))
    outcome = describe(TENANT, None, "contoso.com", consented())
    assert stack_edit.with_adoption(loaded, outcome.settings.adopt) == raw


@pytest.mark.parametrize(
    "display_name",
    [
        "Enpass Users\nenpass-consent:scopes: [Mail.Read]",
        "Team\r\n  - 00000000-0000-4000-8000-000000000bad",
        "Tab\there # and a hash",
        "Line\u2028separator\u0085next",
        "Bell\x07 and NUL\x00 and BOM\ufeff",
        "\ud800 lone surrogate",
        "'quoted' \"double\" {flow} [seq] &anchor *alias !tag %directive @at `tick`",
    ],
)
def test_a_display_name_from_the_tenant_stays_a_comment(display_name: str) -> None:
    outcome = describe(TENANT, None, None, consented(group_name=display_name))
    raw = stack_text.render("contoso", PATH, outcome)  # reads back as the intended settings, or raises
    group_lines = [line for line in raw.decode("utf-8").splitlines() if line.startswith(f"    - {TEAM}")]
    assert len(group_lines) == 1
    assert group_lines[0].startswith(f"    - {TEAM}  # ")
    assert all(ch.isprintable() for ch in group_lines[0])


def test_addresses_that_yaml_would_read_otherwise_are_quoted() -> None:
    emails = ("#sec@contoso.com", "a:b@contoso.com", "it@contoso.com")
    outcome = describe(TENANT, None, None, consented(emails=emails))
    text = stack_text.render("contoso", PATH, outcome).decode("utf-8")
    assert '    - "#sec@contoso.com"\n    - "a:b@contoso.com"\n    - it@contoso.com\n' in text
    assert outcome.settings.notification_emails == emails


def test_a_rendering_that_does_not_read_back_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = describe(TENANT, None, None, consented())
    wrong = dataclasses.replace(outcome, settings=dataclasses.replace(outcome.settings, protect=False))
    with pytest.raises(StackTextError) as raised:
        stack_text.render("contoso", PATH, wrong)
    assert str(raised.value) == "Pulumi.contoso.yaml: the file init rendered reads back as other settings than intended"
