"""The Enpass service principal as ``pulumi up`` declares it, and what that changes on one that exists.

One source for the component (which registers these values) and for ``adopt``/``preflight`` (which show,
before the first ``pulumi up``, every property of an existing SP that it would change). Nothing here
imports Pulumi.

What the azuread provider does with an SP that exists (terraform-provider-azuread v3.9.0, the
provider pulumi-azuread 6.11.1 is built on; ``internal/services/serviceprincipals/service_principal_resource.go``):

- ``servicePrincipalResourceCreate`` lists SPs by ``appId``; with ``use_existing`` it takes the existing
  one's id and calls ``servicePrincipalResourceUpdate``: nothing is created, and no import id is needed.
- The update PATCHes every argument: ``accountEnabled`` (schema ``Default: true``),
  ``appRoleAssignmentRequired``, ``notes``, ``notificationEmailAddresses`` (an empty list clears them),
  ``tags``, and ``description``, ``loginUrl``, ``preferredSingleSignOnMode`` (sent as null when not
  declared: ``nullable.NoZero``) and ``alternativeNames`` (an empty list).
- ``tags``: when ``feature_tags`` changed (always on adoption), ``applications.ExpandFeatures`` replaces
  the whole list with the feature tags (``internal/helpers/applications/applications.go``), dropping any
  other tag an administrator set.
- ``owners`` is optional and not computed: the adopting update leaves owners alone (``d.HasChange("owners")``
  is false), the read records them, and the next update removes every owner the program does not declare
  (it declares none). A new SP gets the caller as owner at creation, removed right after
  (``removeCallerOwner``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from enpass_consent import catalog
from enpass_consent.audit.state import Owner, ServicePrincipal
from enpass_consent.settings import Settings

MANAGED_NOTE = (
    "Managed as code by enpass-consent (Pulumi). Changes made in the portal are reported as drift "
    "and reverted by the next `pulumi up`."
)

NONE = "(none)"


@dataclass(frozen=True)
class DeclaredServicePrincipal:
    """The SP properties the program declares for a stack (the rest it leaves undeclared)."""

    account_enabled: bool
    app_role_assignment_required: bool
    hide_from_my_apps: bool
    notes: str
    notification_email_addresses: tuple[str, ...]

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags ``feature_tags`` writes, in ``ExpandFeatures``' order (enterprise, then hide)."""
        return (catalog.ENTERPRISE_APP_TAG, *((catalog.HIDE_APP_TAG,) if self.hide_from_my_apps else ()))


def declared(settings: Settings) -> DeclaredServicePrincipal:
    return DeclaredServicePrincipal(
        account_enabled=settings.account_enabled,
        app_role_assignment_required=settings.assignment_required,
        hide_from_my_apps=settings.hide_from_my_apps,
        notes=MANAGED_NOTE,
        notification_email_addresses=settings.notification_emails,
    )


@dataclass(frozen=True)
class PropertyChange:
    """One property of the existing SP that ``pulumi up`` sets to another value."""

    name: str
    """The Graph property name (``accountEnabled``, ``tags``, ``owners``, ...)."""
    current: str
    future: str
    note: str = ""
    """When it differs from "the first `pulumi up`", when the change happens."""

    def describe(self) -> str:
        return f"{self.name}: {self.current} -> {self.future}" + (f" ({self.note})" if self.note else "")


def changes_on_existing(settings: Settings, sp: ServicePrincipal) -> tuple[PropertyChange, ...]:
    """Every property of ``sp`` that ``pulumi up`` with ``settings`` changes, in a fixed order."""
    want = declared(settings)
    changes: list[PropertyChange] = []
    if sp.account_enabled != want.account_enabled:
        changes.append(PropertyChange("accountEnabled", _bool(sp.account_enabled), _bool(want.account_enabled)))
    if sp.app_role_assignment_required != want.app_role_assignment_required:
        changes.append(
            PropertyChange(
                "appRoleAssignmentRequired",
                _bool(sp.app_role_assignment_required),
                _bool(want.app_role_assignment_required),
            )
        )
    if set(sp.tags) != set(want.tags):
        changes.append(PropertyChange("tags", _list(sp.tags), _list(want.tags)))
    if sp.notes != want.notes:
        changes.append(PropertyChange("notes", _text(sp.notes), _text(want.notes)))
    if set(sp.notification_email_addresses) != set(want.notification_email_addresses):
        changes.append(
            PropertyChange(
                "notificationEmailAddresses",
                _list(sp.notification_email_addresses),
                _list(want.notification_email_addresses),
            )
        )
    for name, current in (
        ("description", sp.description),
        ("loginUrl", sp.login_url),
        ("preferredSingleSignOnMode", sp.preferred_single_sign_on_mode),
    ):
        if current:
            changes.append(PropertyChange(name, _text(current), NONE))
    if sp.alternative_names:
        changes.append(PropertyChange("alternativeNames", _list(sp.alternative_names), NONE))
    if sp.owners:
        changes.append(
            PropertyChange(
                "owners",
                _owners(sp.owners),
                NONE,
                "kept by the first `pulumi up`, which adopts the SP; removed by the next one",
            )
        )
    return tuple(changes)


def _bool(value: bool) -> str:
    return str(value).lower()


def _text(value: str) -> str:
    return f'"{value}"' if value else NONE


def _list(values: Sequence[str]) -> str:
    return ", ".join(values) if values else NONE


def _owners(owners: Sequence[Owner]) -> str:
    return ", ".join(
        f"{owner.object_id} ({owner.display_name})" if owner.display_name else owner.object_id
        for owner in sorted(owners, key=lambda o: o.object_id)
    )
