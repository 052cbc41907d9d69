"""End to end without the engine: run the real ``__main__.py`` under mocks and feed every resource
it registers to the pack, as the engine would. A well-behaved program passes every policy; a
program made to misbehave (bypassing its own settings validation) is caught by the matching policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azuread as azuread
import pytest

from enpass_consent import catalog
from enpass_consent import settings as settings_module
from tests.policy.analyzer import configure
from tests.policy.program import analyze
from tests.support import pulumi_harness as harness

GROUP_ID = "5b1d3c5e-3333-4a4a-9c9c-000000000003"
ASSIGNED = {"groups": ["Team (EU)", GROUP_ID]}
ASSIGNMENTS = [f"enpass-assign-{GROUP_ID}", "enpass-assign-team-eu"]
OTHER_APP = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
GRAPH_ROLE = "7ab1d382-f21e-4acd-a863-ba3e13f7da61"


def run(preview: bool = False, **settings: Any) -> harness.Run:
    return harness.run_program(harness.default_config(**settings), preview=preview)


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({}, id="defaults"),
        pytest.param(ASSIGNED, id="groups-assigned"),
        pytest.param({"scopes": [*catalog.ENPASS_SCOPE_NAMES, "openid", "profile", "email"]}, id="sign-in-scopes"),
        pytest.param(
            {"tenantWideConsent": False, "consentUsers": ["5b1d3c5e-5555-4a4a-9c9c-000000000005"]}, id="per-user-grants"
        ),
    ],
)
def test_the_program_passes_every_policy(settings: dict[str, Any], preview: bool) -> None:
    result = run(preview=preview, **settings)
    assert {r.type for r in result.monitor.requests.values()} >= {harness.SP_TYPE, harness.GRANT_TYPE}
    assert analyze(result) == []


def test_protect_false_is_only_advisory() -> None:
    assert analyze(run(protect=False)) == [
        (
            "enpass-protected",
            "advisory",
            "enpass-grant",
            "Delegated permission grant is not protected (protect is false)",
        ),
        ("enpass-protected", "advisory", "enpass-sp", "Service principal is not protected (protect is false)"),
    ]


def _widen_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Consent creep through one edit: Mail.Read added to the catalog only (settings then accept it)."""
    mail_read = dataclasses.replace(catalog.SCOPES[0], name="Mail.Read", requested_by_enpass=False)
    monkeypatch.setitem(catalog.SCOPES_BY_LOWER_NAME, "mail.read", mail_read)


def _force_setting(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> None:
    """Bypass settings validation: the parsed settings are changed after parsing."""
    parse = settings_module.parse
    monkeypatch.setattr(settings_module, "parse", lambda config: dataclasses.replace(parse(config), **changes))


def _ignore_changes(resource_class: str, *names: str) -> Callable[[pytest.MonkeyPatch], None]:
    """What a transform or a hand edit would do: add ignore_changes to every resource of one class."""

    def patch(monkeypatch: pytest.MonkeyPatch) -> None:
        original = getattr(azuread, resource_class)

        class WithIgnoreChanges(original):  # type: ignore[misc, valid-type]
            def __init__(self, name: str, *args: Any, opts: pulumi.ResourceOptions | None = None, **kwargs: Any):
                extra = pulumi.ResourceOptions(ignore_changes=list(names))
                super().__init__(name, *args, opts=pulumi.ResourceOptions.merge(opts, extra), **kwargs)

        monkeypatch.setattr(azuread, resource_class, WithIgnoreChanges)

    return patch


MISBEHAVIOURS = [
    pytest.param(
        _widen_catalog,
        {"scopes": [*catalog.ENPASS_SCOPE_NAMES, "Mail.Read"]},
        [
            (
                "enpass-scopes-allowlisted",
                "mandatory",
                "enpass-grant",
                "Scopes outside the allow-list (policy config allowedScopes): Mail.Read",
            )
        ],
        id="extra-scope-via-catalog-only",
    ),
    pytest.param(
        lambda mp: _force_setting(mp, scopes=(*catalog.ENPASS_SCOPE_NAMES, "Directory.ReadWrite.All")),
        {},
        [
            (
                "enpass-scopes-allowlisted",
                "mandatory",
                "enpass-grant",
                "Scopes outside the allow-list (policy config allowedScopes): Directory.ReadWrite.All",
            )
        ],
        id="extra-scope-bypassing-settings",
    ),
    pytest.param(
        _ignore_changes("ServicePrincipalDelegatedPermissionGrant", "claim_values"),
        {},
        [
            (
                "enpass-no-drift-suppression",
                "mandatory",
                "enpass-grant",
                "ignore_changes hides drift of consent: claimValues",
            )
        ],
        id="ignore-changes-on-grant",
    ),
    pytest.param(
        _ignore_changes("ServicePrincipal", "app_role_assignment_required"),
        ASSIGNED,
        [
            (
                "enpass-no-drift-suppression",
                "mandatory",
                "enpass-sp",
                "ignore_changes hides drift of appRoleAssignmentRequired: appRoleAssignmentRequired",
            )
        ],
        id="ignore-changes-on-assignment-required",
    ),
    pytest.param(
        _ignore_changes("AppRoleAssignment", "principal_object_id"),
        {"groups": [GROUP_ID]},
        [
            (
                "enpass-no-drift-suppression",
                "mandatory",
                f"enpass-assign-{GROUP_ID}",
                "ignore_changes hides drift of consent: principalObjectId",
            )
        ],
        id="ignore-changes-on-assignment",
    ),
    pytest.param(
        lambda mp: mp.setattr(catalog, "DEFAULT_ACCESS_APP_ROLE_ID", GRAPH_ROLE),
        ASSIGNED,
        [
            (
                "enpass-no-application-permissions",
                "mandatory",
                name,
                f"App role assignment uses app role '{GRAPH_ROLE}'; only the default access role "
                "'00000000-0000-0000-0000-000000000000' is allowed",
            )
            for name in ASSIGNMENTS
        ],
        id="non-default-app-role",
    ),
    pytest.param(
        lambda mp: mp.setattr(catalog, "ENPASS_APP_ID", OTHER_APP),
        {},
        [
            (
                "enpass-client-id-pinned",
                "mandatory",
                "enpass-sp",
                f"Service principal is for client id '{OTHER_APP}', not Enpass 'b642a132-0d12-4ff0-98d6-f5a4aee7089f'",
            )
        ],
        id="another-client-id",
    ),
    pytest.param(
        lambda mp: _force_setting(mp, assignment_required=False),
        ASSIGNED,
        [
            (
                "enpass-assignment-required-when-assigned",
                "mandatory",
                "enpass-sp",
                "Service principal 'enpass-sp' does not require assignment (appRoleAssignmentRequired is false), "
                f"so these assignments restrict nothing: {', '.join(ASSIGNMENTS)}",
            )
        ],
        id="assigned-but-not-required",
    ),
]


@pytest.mark.parametrize("preview", [False, True], ids=["up", "preview"])
@pytest.mark.parametrize(("misbehave", "settings", "expected"), MISBEHAVIOURS)
def test_a_misbehaving_program_is_caught(
    monkeypatch: pytest.MonkeyPatch,
    misbehave: Callable[[pytest.MonkeyPatch], None],
    settings: dict[str, Any],
    expected: list[tuple[str, str, str, str]],
    preview: bool,
) -> None:
    misbehave(monkeypatch)
    assert analyze(run(preview=preview, **settings)) == expected


def test_an_organisation_allow_list_accepts_what_it_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    _widen_catalog(monkeypatch)
    result = run(scopes=[*catalog.ENPASS_SCOPE_NAMES, "Mail.Read"])
    allowed = {"enpass-scopes-allowlisted": {"allowedScopes": [*catalog.ENPASS_SCOPE_NAMES, "Mail.Read"]}}
    assert analyze(result, lambda analyzer: configure(analyzer, allowed)) == []
