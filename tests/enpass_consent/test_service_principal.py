"""What `pulumi up` declares for the Enpass SP, and every property of an existing SP it would change."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from enpass_consent import catalog, settings
from enpass_consent.audit.state import Owner, ServicePrincipal
from enpass_consent.service_principal import MANAGED_NOTE, PropertyChange, changes_on_existing, declared

TENANT = "11111111-2222-3333-4444-555555555555"
SP = "5e000000-0000-4000-8000-0000000000e1"
GROUP = "9a000000-0000-4000-8000-000000000001"
NOTE = f'"{MANAGED_NOTE}"'

# An SP as `pulumi up` leaves it for the default settings: nothing to change.
MANAGED = ServicePrincipal(
    SP,
    catalog.ENPASS_APP_ID,
    account_enabled=True,
    app_role_assignment_required=False,
    tags=("WindowsAzureActiveDirectoryIntegratedApp",),
    notes=MANAGED_NOTE,
)


def stack(**project: Any) -> settings.Settings:
    config = {settings.TENANT_ID: TENANT}
    config.update({f"enpass-consent:{k}": json.dumps(v) for k, v in project.items()})
    return settings.parse(config)


def test_declared_tags_follow_hide_from_my_apps() -> None:
    assert declared(stack()).tags == ("WindowsAzureActiveDirectoryIntegratedApp",)
    assert declared(stack(hideFromMyApps=True)).tags == ("WindowsAzureActiveDirectoryIntegratedApp", "HideApp")
    assert declared(stack(accountEnabled=False)).account_enabled is False


def test_an_sp_that_matches_changes_nothing() -> None:
    assert changes_on_existing(stack(), MANAGED) == ()
    # Tags are a set to Graph: another order is no change.
    hidden = replace(MANAGED, tags=("HideApp", "WindowsAzureActiveDirectoryIntegratedApp"))
    assert changes_on_existing(stack(hideFromMyApps=True), hidden) == ()


def test_a_clicked_through_sp_that_an_admin_customised() -> None:
    clicked = ServicePrincipal(
        SP,
        catalog.ENPASS_APP_ID,
        account_enabled=False,
        app_role_assignment_required=False,
        tags=("WindowsAzureActiveDirectoryIntegratedApp", "HideApp", "Finance"),
        notes="",
        notification_email_addresses=("old@contoso.com",),
        description="Password manager",
        login_url="https://portal.enpass.io/",
        preferred_single_sign_on_mode="notSupported",
        alternative_names=("legacy",),
        owners=(
            Owner("ab000000-0000-4000-8000-000000000002", "#microsoft.graph.servicePrincipal", ""),
            Owner("ab000000-0000-4000-8000-000000000001", "#microsoft.graph.user", "Ann Admin"),
        ),
    )
    changes = changes_on_existing(
        stack(groups=[GROUP], notificationEmails=["it@contoso.com", "sec@contoso.com"]), clicked
    )
    assert changes == (
        PropertyChange("accountEnabled", "false", "true"),
        PropertyChange("appRoleAssignmentRequired", "false", "true"),
        PropertyChange(
            "tags",
            "WindowsAzureActiveDirectoryIntegratedApp, HideApp, Finance",
            "WindowsAzureActiveDirectoryIntegratedApp",
        ),
        PropertyChange("notes", "(none)", NOTE),
        PropertyChange("notificationEmailAddresses", "old@contoso.com", "it@contoso.com, sec@contoso.com"),
        PropertyChange("description", '"Password manager"', "(none)"),
        PropertyChange("loginUrl", '"https://portal.enpass.io/"', "(none)"),
        PropertyChange("preferredSingleSignOnMode", '"notSupported"', "(none)"),
        PropertyChange("alternativeNames", "legacy", "(none)"),
        PropertyChange(
            "owners",
            "ab000000-0000-4000-8000-000000000001 (Ann Admin), ab000000-0000-4000-8000-000000000002",
            "(none)",
            "kept by the first `pulumi up`, which adopts the SP; removed by the next one",
        ),
    )
    assert changes[-1].describe() == (
        "owners: ab000000-0000-4000-8000-000000000001 (Ann Admin), ab000000-0000-4000-8000-000000000002 -> (none) "
        "(kept by the first `pulumi up`, which adopts the SP; removed by the next one)"
    )


def test_disabled_on_purpose_and_hidden_on_purpose_are_kept() -> None:
    disabled_hidden = replace(
        MANAGED, account_enabled=False, tags=("WindowsAzureActiveDirectoryIntegratedApp", "HideApp")
    )
    assert changes_on_existing(stack(accountEnabled=False, hideFromMyApps=True), disabled_hidden) == ()
    # The default settings would re-enable it and drop the HideApp tag: both are listed.
    assert changes_on_existing(stack(), disabled_hidden) == (
        PropertyChange("accountEnabled", "false", "true"),
        PropertyChange(
            "tags", "WindowsAzureActiveDirectoryIntegratedApp, HideApp", "WindowsAzureActiveDirectoryIntegratedApp"
        ),
    )
