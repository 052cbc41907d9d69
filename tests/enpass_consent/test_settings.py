"""Every rule of the settings contract (docs/reference.md#stack-settings): one bad value per case, the exact message."""

from __future__ import annotations

import json
from typing import Any

import pytest

from enpass_consent import catalog, settings
from enpass_consent.settings import AssigneeKind, SettingsError

TENANT = "11111111-2222-3333-4444-555555555555"
USER_A = "aaaaaaaa-0000-4000-8000-000000000001"
USER_B = "aaaaaaaa-0000-4000-8000-000000000002"
GROUP_ID = "bbbbbbbb-0000-4000-8000-000000000001"
SP_ID = "cccccccc-0000-4000-8000-000000000001"


def cfg(**project: Any) -> dict[str, str]:
    out = {settings.TENANT_ID: TENANT}
    for key, value in project.items():
        full = key if ":" in key else f"enpass-consent:{key}"
        out[full] = value if isinstance(value, str) else json.dumps(value)
    return out


def test_defaults() -> None:
    parsed = settings.parse(cfg())
    assert parsed.tenant_id == TENANT
    assert parsed.cloud.name == "global"
    assert parsed.scopes == tuple(sorted(catalog.ENPASS_SCOPE_NAMES))
    assert len(parsed.scopes) == 8
    assert parsed.tenant_wide_consent is True
    assert parsed.consent_user_ids == ()
    assert parsed.assignees == ()
    assert parsed.assignment_required is False
    assert parsed.protect is True
    assert parsed.adopt == settings.Adoption()
    assert parsed.client_id is None
    assert parsed.account_enabled is True
    assert parsed.hide_from_my_apps is False


def test_sign_in_switch_and_my_apps_visibility_are_settings() -> None:
    parsed = settings.parse(cfg(accountEnabled="false", hideFromMyApps="true"))
    assert (parsed.account_enabled, parsed.hide_from_my_apps) == (False, True)


def test_scopes_are_matched_case_insensitively_and_written_in_catalog_spelling() -> None:
    parsed = settings.parse(cfg(scopes=["user.read", "OFFLINE_ACCESS", "openid"]))
    assert parsed.scopes == ("User.Read", "offline_access", "openid")


def test_assignment_required_follows_assignments() -> None:
    parsed = settings.parse(cfg(groups=["Team (EU)", GROUP_ID.upper()], users=[USER_A]))
    assert parsed.assignment_required is True
    assert [(a.kind, a.object_id, a.display_name, a.name_key) for a in parsed.assignees] == [
        (AssigneeKind.GROUP, None, "Team (EU)", "team-eu"),
        (AssigneeKind.GROUP, GROUP_ID, None, GROUP_ID),
        (AssigneeKind.USER, USER_A, None, USER_A),
    ]


def test_assignment_required_true_with_assignments_is_valid() -> None:
    parsed = settings.parse(cfg(groups=[GROUP_ID], assignmentRequired=True))
    assert parsed.assignment_required is True
    parsed = settings.parse(cfg(users=[USER_A], assignmentRequired="true"))
    assert parsed.assignment_required is True


def test_a_client_id_is_kept_in_canonical_form() -> None:
    assert settings.parse(cfg(**{"azuread:clientId": " " + SP_ID.upper()})).client_id == SP_ID


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("contoso.onmicrosoft.com", None),
        ("{" + TENANT + "}", None),
        (TENANT.upper(), TENANT),
        (TENANT, TENANT),
    ],
    ids=["none", "empty", "a domain", "braces", "upper case", "canonical"],
)
def test_guid_or_none(value: str | None, expected: str | None) -> None:
    assert settings.guid_or_none(value) == expected


def test_per_user_consent() -> None:
    parsed = settings.parse(cfg(tenantWideConsent="false", consentUsers=[USER_A.upper()]))
    assert parsed.tenant_wide_consent is False
    assert parsed.consent_user_ids == (USER_A,)


def test_structured_and_json_string_values_parse_alike() -> None:
    as_json_text = cfg(scopes='["User.Read"]', protect="false")
    as_structured = cfg(scopes=["User.Read"], protect=False)
    assert settings.parse(as_json_text) == settings.parse(as_structured)


def test_adopt() -> None:
    parsed = settings.parse(
        cfg(
            groups=["Enpass Users"],
            adopt={
                "servicePrincipalObjectId": SP_ID,
                "grantId": "AVs6JuUDjkCF-_",
                "assignmentIds": {"Enpass Users": "x_1"},
            },
        )
    )
    assert parsed.adopt == settings.Adoption(SP_ID, "AVs6JuUDjkCF-_", {}, {"Enpass Users": "x_1"})


def test_adopting_grants_needs_no_service_principal_id() -> None:
    # A grant's import id is /oauth2PermissionGrants/{id}: nothing in it names the SP.
    tenant_wide = settings.parse(cfg(adopt={"grantId": "g1"}))
    assert tenant_wide.adopt == settings.Adoption(None, "g1", {}, {})
    per_user = settings.parse(
        cfg(tenantWideConsent=False, consentUsers=[USER_A], adopt={"userGrantIds": {USER_A.upper(): "g2"}})
    )
    assert per_user.adopt == settings.Adoption(None, None, {USER_A: "g2"}, {})


BAD: list[tuple[str, dict[str, str], str]] = [
    (
        "tenant missing",
        {},
        "azuread:tenantId: required in the stack file itself, so an inherited ARM_TENANT_ID can never pick the tenant",
    ),
    (
        "tenant not a guid",
        {settings.TENANT_ID: "contoso.onmicrosoft.com"},
        "azuread:tenantId: not a GUID (got 'contoso.onmicrosoft.com')",
    ),
    (
        "tenant braces",
        {settings.TENANT_ID: "{" + TENANT + "}"},
        "azuread:tenantId: not a GUID in the 8-4-4-4-12 form (got '{" + TENANT + "}')",
    ),
    ("client id", cfg(**{"azuread:clientId": "abc"}), "azuread:clientId: not a GUID (got 'abc')"),
    (
        "cloud unknown",
        cfg(**{"azuread:environment": "mars"}),
        "azuread:environment: unknown cloud; known clouds are global, usgovernmentl4, usgovernmentl5, china, public, usgovernment, dod (got 'mars')",
    ),
    (
        "cloud not published",
        cfg(**{"azuread:environment": "usgovernmentl4"}),
        "azuread:environment: Enpass is published only in the global (public) cloud; it cannot be consented in the usgovernmentl4 cloud (got 'usgovernmentl4')",
    ),
    (
        "placeholder tenant",
        {settings.TENANT_ID: "00000000-0000-0000-0000-000000000000"},
        "azuread:tenantId: replace the placeholder tenant id with the id of the tenant this stack manages (got '00000000-0000-0000-0000-000000000000')",
    ),
    (
        "unknown key, nothing close",
        cfg(colour="blue"),
        "enpass-consent:colour: unknown setting; the settings are enpass-consent:scopes, enpass-consent:tenantWideConsent, enpass-consent:consentUsers, enpass-consent:groups, enpass-consent:users, enpass-consent:assignmentRequired, enpass-consent:protect, enpass-consent:adopt, enpass-consent:notificationEmails, enpass-consent:accountEnabled, enpass-consent:hideFromMyApps",
    ),
    (
        "unknown key",
        cfg(scope=["User.Read"]),
        "enpass-consent:scope: unknown setting; did you mean enpass-consent:scopes? the settings are enpass-consent:scopes, enpass-consent:tenantWideConsent, enpass-consent:consentUsers, enpass-consent:groups, enpass-consent:users, enpass-consent:assignmentRequired, enpass-consent:protect, enpass-consent:adopt, enpass-consent:notificationEmails, enpass-consent:accountEnabled, enpass-consent:hideFromMyApps",
    ),
    (
        "scope unknown",
        cfg(scopes=["User.Read", "Mail.Read"]),
        'enpass-consent:scopes: unknown scope \'Mail.Read\'; Enpass may hold only User.Read, Files.ReadWrite.AppFolder, offline_access, Sites.ReadWrite.All, Team.ReadBasic.All, User.ReadBasic.All, Channel.ReadBasic.All, Group.Read.All, openid, profile, email (got ["User.Read", "Mail.Read"])',
    ),
    (
        "scopes empty",
        cfg(scopes=[]),
        "enpass-consent:scopes: is empty; Enpass needs at least one scope (to grant nothing, retire the stack) (got [])",
    ),
    (
        "scopes duplicate",
        cfg(scopes=["User.Read", "user.read"]),
        "enpass-consent:scopes: duplicate scope 'user.read' (same as 'User.Read') (got [\"User.Read\", \"user.read\"])",
    ),
    (
        "scopes not a list",
        cfg(scopes="User.Read"),
        "enpass-consent:scopes: must be a list of strings (got 'User.Read')",
    ),
    ("scopes not strings", cfg(scopes=[1]), "enpass-consent:scopes: must be a list of strings (got [1])"),
    ("scopes blank entry", cfg(scopes=[" "]), 'enpass-consent:scopes: has an empty entry (got [" "])'),
    ("bool wrong", cfg(tenantWideConsent="yes"), "enpass-consent:tenantWideConsent: must be true or false (got 'yes')"),
    ("bool capitalised", cfg(protect="True"), "enpass-consent:protect: must be true or false (got 'True')"),
    (
        "consent users with tenant-wide",
        cfg(consentUsers=[USER_A]),
        f'enpass-consent:consentUsers: per-user consent needs enpass-consent:tenantWideConsent: false; both together are contradictory (got ["{USER_A}"])',
    ),
    (
        "consent users missing",
        cfg(tenantWideConsent=False),
        "enpass-consent:consentUsers: required when enpass-consent:tenantWideConsent is false (nobody would be granted anything) (got [])",
    ),
    (
        "consent user not guid",
        cfg(tenantWideConsent=False, consentUsers=["alice@contoso.com"]),
        "enpass-consent:consentUsers: not a GUID (got 'alice@contoso.com')",
    ),
    (
        "consent user duplicate",
        cfg(tenantWideConsent=False, consentUsers=[USER_A, USER_A.upper()]),
        f"enpass-consent:consentUsers: duplicate object id '{USER_A.upper()}' (got '{USER_A.upper()}')",
    ),
    ("user not guid", cfg(users=["bob"]), "enpass-consent:users: not a GUID (got 'bob')"),
    (
        "group name no letters",
        cfg(groups=["()"]),
        "enpass-consent:groups: a group name needs at least one letter or digit (got '()')",
    ),
    (
        "group names same key",
        cfg(groups=["Team EU", "team-eu"]),
        "enpass-consent:groups: duplicate entry: 'team-eu' and 'Team EU' both name enpass-assign-team-eu (got 'team-eu')",
    ),
    (
        "group id duplicate",
        cfg(groups=[GROUP_ID, GROUP_ID.upper()]),
        f"enpass-consent:groups: duplicate entry: '{GROUP_ID.upper()}' and '{GROUP_ID}' both name enpass-assign-{GROUP_ID} (got '{GROUP_ID.upper()}')",
    ),
    (
        "user twice across lists",
        cfg(groups=[USER_A], users=[USER_A]),
        f"enpass-consent:users: duplicate entry: '{USER_A}' and '{USER_A}' both name enpass-assign-{USER_A} (got '{USER_A}')",
    ),
    (
        "assignment required without assignees",
        cfg(assignmentRequired=True),
        "enpass-consent:assignmentRequired: true with nobody in enpass-consent:groups or enpass-consent:users would lock every user out of Enpass (got true)",
    ),
    (
        "assignment not required with assignees",
        cfg(assignmentRequired=False, users=[USER_A]),
        "enpass-consent:assignmentRequired: false while enpass-consent:groups/enpass-consent:users are set: the assignments would restrict nothing (got false)",
    ),
    (
        "email",
        cfg(notificationEmails=["it-security"]),
        "enpass-consent:notificationEmails: not an email address (got 'it-security')",
    ),
    (
        "email duplicate",
        cfg(notificationEmails=["a@b.io", "A@b.io"]),
        "enpass-consent:notificationEmails: duplicate address (got 'A@b.io')",
    ),
    (
        "account enabled not a boolean",
        cfg(accountEnabled="no"),
        "enpass-consent:accountEnabled: must be true or false (got 'no')",
    ),
    (
        "hide from my apps capitalised",
        cfg(hideFromMyApps="True"),
        "enpass-consent:hideFromMyApps: must be true or false (got 'True')",
    ),
    ("adopt not object", cfg(adopt=["x"]), 'enpass-consent:adopt: must be an object (got ["x"])'),
    (
        "adopt unknown field",
        cfg(adopt={"grant": "x"}),
        "enpass-consent:adopt.grant: unknown field; the fields are servicePrincipalObjectId, grantId, userGrantIds, assignmentIds (got 'x')",
    ),
    (
        "adopt sp not guid",
        cfg(adopt={"servicePrincipalObjectId": "nope"}),
        "enpass-consent:adopt.servicePrincipalObjectId: not a GUID (got 'nope')",
    ),
    (
        "adopt grant bad id",
        cfg(adopt={"servicePrincipalObjectId": SP_ID, "grantId": "a/b"}),
        "enpass-consent:adopt.grantId: must be a Graph object id (letters, digits, '-' and '_') (got 'a/b')",
    ),
    (
        "adopt grant while per-user",
        cfg(tenantWideConsent=False, consentUsers=[USER_A], adopt={"servicePrincipalObjectId": SP_ID, "grantId": "g1"}),
        "enpass-consent:adopt.grantId: adopts a tenant-wide grant while enpass-consent:tenantWideConsent is false (got 'g1')",
    ),
    (
        "adopt user grant for unknown user",
        cfg(
            tenantWideConsent=False,
            consentUsers=[USER_A],
            adopt={"servicePrincipalObjectId": SP_ID, "userGrantIds": {USER_B: "g2"}},
        ),
        f"enpass-consent:adopt.userGrantIds: user is not in enpass-consent:consentUsers, so nothing would import it (got '{USER_B}')",
    ),
    (
        "adopt assignment for unknown entry",
        cfg(
            groups=["Enpass Users"], adopt={"servicePrincipalObjectId": SP_ID, "assignmentIds": {"enpass users": "a1"}}
        ),
        "enpass-consent:adopt.assignmentIds: not an entry of enpass-consent:groups or enpass-consent:users exactly as written, so nothing would import it (got 'enpass users')",
    ),
    (
        "adopt assignments without sp",
        cfg(users=[USER_A], adopt={"grantId": "g1", "assignmentIds": {USER_A: "a1"}}),
        "enpass-consent:adopt.assignmentIds: needs enpass-consent:adopt.servicePrincipalObjectId: an assignment's "
        "import id names the service principal (/servicePrincipals/{servicePrincipalObjectId}/appRoleAssignedTo/{id}) "
        f'(got {{"{USER_A}": "a1"}})',
    ),
    (
        "adopt user grants not an object",
        cfg(tenantWideConsent=False, consentUsers=[USER_A], adopt={"userGrantIds": ["g2"]}),
        'enpass-consent:adopt.userGrantIds: must be an object (got ["g2"])',
    ),
    (
        "adopt service principal id not a string",
        cfg(groups=["Team"], adopt={"servicePrincipalObjectId": 5}),
        "enpass-consent:adopt.servicePrincipalObjectId: must be a GUID string (got 5)",
    ),
    (
        "adopt user grant keyed by something other than a user id",
        cfg(tenantWideConsent=False, consentUsers=[USER_A], adopt={"userGrantIds": {"ann@contoso.com": "g1"}}),
        "enpass-consent:adopt.userGrantIds: not a GUID (got 'ann@contoso.com')",
    ),
    (
        "adopt assignment id not a graph id",
        cfg(groups=["Team"], adopt={"servicePrincipalObjectId": SP_ID, "assignmentIds": {"Team": "a/1"}}),
        "enpass-consent:adopt.assignmentIds.Team: must be a Graph object id (letters, digits, '-' and '_') (got 'a/1')",
    ),
]


@pytest.mark.parametrize(("config", "message"), [(c, m) for _, c, m in BAD], ids=[i for i, _, _ in BAD])
def test_invalid_settings_name_the_key_and_value(config: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        settings.parse(config)
    assert str(caught.value) == message


def test_name_key() -> None:
    assert settings.name_key("Team (EU)") == "team-eu"
    assert settings.name_key("  Bob's  Team--Ops ") == "bob-s-team-ops"


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("enpass-consent:scope", "enpass-consent:scopes"),
        ("enpass-consent:tenantWideConsnet", "enpass-consent:tenantWideConsent"),
        ("enpass-consent:Groups", "enpass-consent:groups"),
        ("enpass-consent:accountEnable", "enpass-consent:accountEnabled"),
        ("enpass_consent:scopes", "enpass-consent:scopes"),
        ("enpas-consent:hideFromMyApps", "enpass-consent:hideFromMyApps"),
        ("azuread:tenantid", "azuread:tenantId"),
        ("azuread:enviroment", "azuread:environment"),
        ("tenantId", "azuread:tenantId"),
        ("scopes", "enpass-consent:scopes"),
        # Other keys of other namespaces, and the azuread provider's own other settings, are nobody's typo.
        ("azuread:clientSecret", None),
        ("azuread:useOidc", None),
        ("azuread:clientCertificatePath", None),
        ("pulumi:tags", None),
        ("aws:region", None),
        ("azuredevops:tenantId", None),  # another provider whose name is close to azuread's
        ("azureAD:scopes", None),  # azuread's namespace has no such setting, enpass-consent's is not meant
        ("enpass-consent:scopes", None),
        ("azuread:tenantId", None),
    ],
)
def test_suggest_key(typed: str, meant: str | None) -> None:
    assert settings.suggest_key(typed) == meant


def test_a_settings_error_carries_its_key_reason_and_value() -> None:
    with pytest.raises(SettingsError) as caught:
        settings.parse({settings.TENANT_ID: "contoso"})
    assert (caught.value.key, caught.value.reason, caught.value.value) == (settings.TENANT_ID, "not a GUID", "contoso")
