"""A tenant's Enpass consent as stack settings, and what settings cannot hold. Pure: no I/O.

The settings describe the tenant as it is, within what settings can hold:

- the tenant-wide grant's scopes that are in the allow-list (omitted when they are Enpass's default eight);
- without a tenant-wide grant, per-user consent: the users holding a grant on Microsoft Graph and the
  union of their allow-listed scopes (a user whose grant holds fewer gets ``SCOPE_MISSING``: the next
  ``pulumi up`` adds scopes, it never takes one away from someone who consented);
- groups and users assigned with the default access role, by object id;
- ``assignmentRequired``, ``accountEnabled``, ``hideFromMyApps`` (the ``HideApp`` tag) and
  ``notificationEmails`` as on the service principal;
- the adopt block, planned exactly as ``adopt`` plans it.

Whatever else the tenant holds is not written; :func:`describe` lists it as the findings ``audit``
gives the written stack (``evaluate`` of the same settings and state), so "left out" and the first
audit can never disagree.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from enpass_consent import catalog, settings
from enpass_consent.adopt.plan import plan_adoption
from enpass_consent.audit.evaluate import evaluate
from enpass_consent.audit.state import PRINCIPAL, TenantState
from enpass_consent.findings import Finding

_GROUP = "group"
_USER = "user"


@dataclass(frozen=True)
class Principal:
    """A group or user as the stack file lists it: the object id, and its display name for a comment."""

    object_id: str
    display_name: str


@dataclass(frozen=True)
class Description:
    """What the stack file says about one tenant (``None``/empty: the key keeps its default)."""

    tenant_id: str
    client_id: str | None = None
    domain: str | None = None
    """The domain the tenant was named by, for a comment."""
    read_from_tenant: bool = False
    service_principal_object_id: str | None = None
    """The Enpass SP found in the tenant (None: not read, or none there)."""
    scopes: tuple[str, ...] | None = None
    tenant_wide_consent: bool = True
    consent_user_ids: tuple[str, ...] = ()
    groups: tuple[Principal, ...] = ()
    users: tuple[Principal, ...] = ()
    assignment_required: bool | None = None
    account_enabled: bool = True
    hide_from_my_apps: bool = False
    notification_emails: tuple[str, ...] = ()

    def config(self) -> dict[str, str]:
        """The settings in Pulumi's string form (what the program gets), without the adopt block."""
        config = {settings.TENANT_ID: self.tenant_id}
        if self.client_id:
            config[settings.CLIENT_ID] = self.client_id
        if self.scopes is not None:
            config[settings.SCOPES] = json.dumps(list(self.scopes))
        if not self.tenant_wide_consent:
            config[settings.TENANT_WIDE_CONSENT] = "false"
            config[settings.CONSENT_USERS] = json.dumps(list(self.consent_user_ids))
        if self.groups:
            config[settings.GROUPS] = json.dumps([g.object_id for g in self.groups])
        if self.users:
            config[settings.USERS] = json.dumps([u.object_id for u in self.users])
        if self.assignment_required is not None:
            config[settings.ASSIGNMENT_REQUIRED] = "true" if self.assignment_required else "false"
        if not self.account_enabled:
            config[settings.ACCOUNT_ENABLED] = "false"
        if self.hide_from_my_apps:
            config[settings.HIDE_FROM_MY_APPS] = "true"
        if self.notification_emails:
            config[settings.NOTIFICATION_EMAILS] = json.dumps(list(self.notification_emails))
        return config


@dataclass(frozen=True)
class Outcome:
    description: Description
    settings: settings.Settings
    """What the written stack file parses to, adopt block included."""
    left_out: tuple[Finding, ...] = ()
    """What the tenant holds that the settings cannot: the first audit's findings for the stack."""


def blank(tenant_id: str, client_id: str | None = None, domain: str | None = None) -> Outcome:
    """The stack of a tenant that was not read: its id, the client id if given, defaults for the rest."""
    description = Description(tenant_id, client_id, domain)
    return Outcome(description, settings.parse(description.config()))


def describe(tenant_id: str, client_id: str | None, domain: str | None, state: TenantState) -> Outcome:
    """The settings that describe ``state``, the adoption of what exists, and what is left out."""
    sp = state.service_principal
    if sp is None:
        # Nothing to describe: the default stack is what `pulumi up` would create.
        return dataclasses.replace(blank(tenant_id, client_id, domain), description=_read(tenant_id, client_id, domain))
    description = _consent(_read(tenant_id, client_id, domain), state)
    description = _assignments(description, state, sp.app_role_assignment_required)
    emails = _valid_emails(tenant_id, sp.notification_email_addresses)
    description = dataclasses.replace(
        description,
        service_principal_object_id=sp.object_id,
        account_enabled=sp.account_enabled,
        hide_from_my_apps=any(tag.lower() == catalog.HIDE_APP_TAG.lower() for tag in sp.tags),
        notification_emails=emails,
    )
    desired = settings.parse(description.config())
    plan = plan_adoption(desired, state)
    with_adoption = dataclasses.replace(desired, adopt=plan.adoption or settings.Adoption())
    return Outcome(description, with_adoption, tuple(evaluate(desired, state)))


def _read(tenant_id: str, client_id: str | None, domain: str | None) -> Description:
    return Description(tenant_id, client_id, domain, read_from_tenant=True)


def _consent(description: Description, state: TenantState) -> Description:
    tenant_wide = state.tenant_wide_grant()
    if tenant_wide is not None:
        return dataclasses.replace(description, scopes=_scope_setting(_allow_listed(tenant_wide.scopes)))
    user_grants = [g for g in state.grants_on_graph() if g.consent_type == PRINCIPAL and g.principal_id]
    if not user_grants:
        # An SP without consent: settings cannot say "no grant"; the default grant is GRANT_MISSING.
        return description
    users = tuple(sorted({g.principal_id for g in user_grants if g.principal_id}))
    held = [scope for grant in user_grants for scope in grant.scopes]
    return dataclasses.replace(
        description,
        scopes=_scope_setting(_allow_listed(held)),
        tenant_wide_consent=False,
        consent_user_ids=users,
    )


def _allow_listed(scopes: tuple[str, ...] | list[str]) -> list[str]:
    """The scopes the settings accept, in the catalog's spelling and order, each once."""
    held = {catalog.canonical_scope(scope) for scope in scopes}
    return [name for name in catalog.ALL_SCOPE_NAMES if name in held]


def _scope_setting(names: list[str]) -> tuple[str, ...] | None:
    """None (the default) for Enpass's eight scopes, or when no scope could be kept (settings refuse none)."""
    if not names or set(names) == set(catalog.ENPASS_SCOPE_NAMES):
        return None
    return tuple(names)


def _assignments(description: Description, state: TenantState, required: bool) -> Description:
    principals: dict[str, dict[str, Principal]] = {_GROUP: {}, _USER: {}}
    for assignment in state.assigned_to:
        kind = assignment.principal_type.lower()
        # Settings hold groups and users with the default access role; anything else is ASSIGNMENT_EXTRA.
        if kind not in principals or assignment.app_role_id != catalog.DEFAULT_ACCESS_APP_ROLE_ID:
            continue
        principals[kind].setdefault(
            assignment.principal_id, Principal(assignment.principal_id, assignment.principal_display_name)
        )
    groups, users = (tuple(sorted(principals[kind].values(), key=_by_name)) for kind in (_GROUP, _USER))
    if required and not (groups or users):
        # Required with nobody assigned locks everyone out; settings refuse it: ASSIGNMENT_REQUIRED_MISMATCH.
        return description
    if not required and (groups or users):
        # Assignments that restrict nothing; settings refuse them, and leaving them out changes nothing
        # in the tenant (`pulumi up` never touches what it does not manage): ASSIGNMENT_EXTRA each.
        return dataclasses.replace(description, assignment_required=False)
    return dataclasses.replace(description, groups=groups, users=users, assignment_required=required)


def _by_name(principal: Principal) -> tuple[str, str]:
    return principal.display_name.casefold(), principal.object_id


def _valid_emails(tenant_id: str, addresses: tuple[str, ...]) -> tuple[str, ...]:
    """The addresses the settings accept, each once (Graph validates them; this only guards the parser)."""
    kept: list[str] = []
    for address in addresses:
        candidate = {settings.TENANT_ID: tenant_id, settings.NOTIFICATION_EMAILS: json.dumps([*kept, address])}
        try:
            settings.parse(candidate)
        except settings.SettingsError:
            continue
        kept.append(address)
    return tuple(kept)
