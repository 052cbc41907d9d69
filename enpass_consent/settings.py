"""The desired state of one tenant, parsed and validated from stack settings (docs/reference.md#stack-settings).

One parser for the Pulumi program and the CLI. Its input is what Pulumi hands a program: a map of
``namespace:key`` to strings, where lists, objects and booleans are JSON text. The CLI turns a stack
file's YAML into exactly that form (``stackfile.config_strings``) and calls the same ``parse``.

Every failure is a ``SettingsError`` naming the key and the offending value. Nothing here imports
Pulumi.
"""

from __future__ import annotations

import difflib
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from enpass_consent import catalog, clouds

PROJECT = "enpass-consent"

TENANT_ID = "azuread:tenantId"
CLIENT_ID = "azuread:clientId"
ENVIRONMENT = "azuread:environment"
SCOPES = f"{PROJECT}:scopes"
TENANT_WIDE_CONSENT = f"{PROJECT}:tenantWideConsent"
CONSENT_USERS = f"{PROJECT}:consentUsers"
GROUPS = f"{PROJECT}:groups"
USERS = f"{PROJECT}:users"
ASSIGNMENT_REQUIRED = f"{PROJECT}:assignmentRequired"
PROTECT = f"{PROJECT}:protect"
ADOPT = f"{PROJECT}:adopt"
NOTIFICATION_EMAILS = f"{PROJECT}:notificationEmails"
ACCOUNT_ENABLED = f"{PROJECT}:accountEnabled"
HIDE_FROM_MY_APPS = f"{PROJECT}:hideFromMyApps"

PROJECT_KEYS = (
    SCOPES,
    TENANT_WIDE_CONSENT,
    CONSENT_USERS,
    GROUPS,
    USERS,
    ASSIGNMENT_REQUIRED,
    PROTECT,
    ADOPT,
    NOTIFICATION_EMAILS,
    ACCOUNT_ENABLED,
    HIDE_FROM_MY_APPS,
)
"""Every project key of the contract; any other ``enpass-consent:`` key is a typo and an error."""

# Defaults of the keys whose default does not depend on other keys. Pulumi.yaml's config schema
# repeats them (a test pins the two equal).
DEFAULTS: dict[str, Any] = {
    SCOPES: list(catalog.ENPASS_SCOPE_NAMES),
    TENANT_WIDE_CONSENT: True,
    CONSENT_USERS: [],
    GROUPS: [],
    USERS: [],
    PROTECT: True,
    NOTIFICATION_EMAILS: [],
    ACCOUNT_ENABLED: True,
    HIDE_FROM_MY_APPS: False,
}

PLACEHOLDER_TENANT_ID = str(uuid.UUID(int=0))
"""The all-zero GUID of Pulumi.example.yaml: never a real tenant, so a copied example fails loudly."""

ADOPT_SERVICE_PRINCIPAL = "servicePrincipalObjectId"
ADOPT_GRANT = "grantId"
ADOPT_USER_GRANTS = "userGrantIds"
ADOPT_ASSIGNMENTS = "assignmentIds"
ADOPT_FIELDS = (ADOPT_SERVICE_PRINCIPAL, ADOPT_GRANT, ADOPT_USER_GRANTS, ADOPT_ASSIGNMENTS)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NOT_NAME_CHARS = re.compile(r"[^a-z0-9]+")
# Graph object ids of grants and assignments are base64url text.
_GRAPH_ID = re.compile(r"^[A-Za-z0-9_-]+$")


class SettingsError(ValueError):
    """A stack setting is missing, malformed or contradicts another one."""

    def __init__(self, key: str, reason: str, value: object = None, *, show_value: bool = True) -> None:
        self.key = key
        self.reason = reason
        self.value = value
        detail = f" (got {_show(value)})" if show_value else ""
        super().__init__(f"{key}: {reason}{detail}")


def _show(value: object) -> str:
    return json.dumps(value) if not isinstance(value, str) else repr(value)


class AssigneeKind(StrEnum):
    GROUP = "group"
    USER = "user"


@dataclass(frozen=True)
class Assignee:
    """A group or user assigned to Enpass, as one entry of ``groups`` or ``users``."""

    entry: str
    """The entry exactly as written in the stack settings."""
    kind: AssigneeKind
    object_id: str | None
    """Lower-case object id, or None for a group given by display name."""
    display_name: str | None
    """The security group's display name when the entry is not an object id."""

    @property
    def name_key(self) -> str:
        """The suffix of the assignment's resource name ``enpass-assign-<key>``.

        See docs/reference.md#resources-and-names.
        """
        return self.object_id or name_key(self.display_name or "")


def name_key(display_name: str) -> str:
    """``"Team (EU)"`` -> ``"team-eu"``: lower case, runs of other characters than a-z0-9 -> ``-``."""
    return _NOT_NAME_CHARS.sub("-", display_name.lower()).strip("-")


@dataclass(frozen=True)
class Adoption:
    """Ids of objects that already exist in the tenant, imported on the next ``pulumi up``."""

    service_principal_object_id: str | None = None
    """The Enpass SP's object id when the adopt block was written. The SP itself is never imported
    (``use_existing`` adopts it); this builds the assignments' import ids, and ``audit``/``adopt`` compare
    it with the tenant's SP."""
    grant_id: str | None = None
    user_grant_ids: Mapping[str, str] = field(default_factory=dict)
    """User object id (lower case) -> grant id."""
    assignment_ids: Mapping[str, str] = field(default_factory=dict)
    """Entry exactly as written in ``groups``/``users`` -> app role assignment id."""


@dataclass(frozen=True)
class Settings:
    """The validated desired state of one tenant."""

    tenant_id: str
    cloud: clouds.Cloud
    scopes: tuple[str, ...]
    """Catalog spelling, sorted."""
    tenant_wide_consent: bool = True
    consent_user_ids: tuple[str, ...] = ()
    groups: tuple[Assignee, ...] = ()
    users: tuple[Assignee, ...] = ()
    assignment_required: bool = False
    protect: bool = True
    adopt: Adoption = field(default_factory=Adoption)
    notification_emails: tuple[str, ...] = ()
    account_enabled: bool = True
    """The SP's ``accountEnabled``: false turns Enpass sign-in off in the tenant, as code."""
    hide_from_my_apps: bool = False
    """The SP's ``HideApp`` tag (the provider's ``feature_tags.hide``), so an admin's choice survives ``up``."""
    client_id: str | None = None
    """The deploying identity's client id when the stack pins one."""

    @property
    def assignees(self) -> tuple[Assignee, ...]:
        return self.groups + self.users


ALL_KEYS = (TENANT_ID, CLIENT_ID, ENVIRONMENT, *PROJECT_KEYS)
SETTING_NAMES = frozenset(key.partition(":")[2] for key in ALL_KEYS)
"""The names without their namespace (``tenantId``, ``scopes``, ...)."""


def suggest_key(key: str) -> str | None:
    """The setting ``key`` most likely meant: a wrong namespace (``enpass_consent:``), a wrong case, a typo.

    None when ``key`` is not close to any setting (another provider's key, say). Keys are case-sensitive
    for Pulumi, so ``azuread:tenantid`` is not ``azuread:tenantId``.
    """
    if key in ALL_KEYS:
        return None
    namespace, _, name = key.rpartition(":")
    by_lower = {known.lower(): known for known in ALL_KEYS}
    if key.lower() in by_lower:
        return by_lower[key.lower()]
    namespaces = {known.partition(":")[0] for known in ALL_KEYS}
    if namespace and namespace not in namespaces:
        close = difflib.get_close_matches(namespace.lower(), sorted(namespaces), n=1, cutoff=0.8)
        if not close:
            return None
        namespace = close[0]
    candidates = [known for known in ALL_KEYS if not namespace or known.startswith(f"{namespace}:")]
    names = {known.partition(":")[2].lower(): known for known in candidates}
    close = difflib.get_close_matches(name.lower(), sorted(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


def parse(config: Mapping[str, str]) -> Settings:
    """Validate ``config`` (``namespace:key`` -> Pulumi's string form) into ``Settings``."""
    unknown = sorted(k for k in config if k.startswith(f"{PROJECT}:") and k not in PROJECT_KEYS)
    if unknown:
        suggestion = suggest_key(unknown[0])
        hint = f"did you mean {suggestion}? " if suggestion else ""
        raise SettingsError(
            unknown[0], f"unknown setting; {hint}the settings are {', '.join(PROJECT_KEYS)}", show_value=False
        )

    tenant_raw = config.get(TENANT_ID)
    if tenant_raw is None or not tenant_raw.strip():
        raise SettingsError(
            TENANT_ID,
            "required in the stack file itself, so an inherited ARM_TENANT_ID can never pick the tenant",
            show_value=False,
        )
    tenant_id = _guid(TENANT_ID, tenant_raw)
    if tenant_id == PLACEHOLDER_TENANT_ID:
        raise SettingsError(
            TENANT_ID, "replace the placeholder tenant id with the id of the tenant this stack manages", tenant_raw
        )
    client_raw = config.get(CLIENT_ID)
    client_id = _guid(CLIENT_ID, client_raw) if client_raw else None
    cloud = _cloud(config.get(ENVIRONMENT))

    scopes = _scopes(_string_list(config, SCOPES))
    tenant_wide = _bool(config, TENANT_WIDE_CONSENT)
    consent_users = _guid_list(config, CONSENT_USERS)
    if tenant_wide and consent_users:
        raise SettingsError(
            CONSENT_USERS,
            f"per-user consent needs {TENANT_WIDE_CONSENT}: false; both together are contradictory",
            list(consent_users),
        )
    if not tenant_wide and not consent_users:
        raise SettingsError(
            CONSENT_USERS,
            f"required when {TENANT_WIDE_CONSENT} is false (nobody would be granted anything)",
            [],
        )

    groups = tuple(_group(entry) for entry in _string_list(config, GROUPS))
    users = tuple(
        Assignee(entry, AssigneeKind.USER, _guid(USERS, entry), None) for entry in _string_list(config, USERS)
    )
    _no_duplicate_names(groups, users)

    assigned = bool(groups or users)
    if ASSIGNMENT_REQUIRED in config:
        assignment_required = _bool(config, ASSIGNMENT_REQUIRED)
        if assignment_required and not assigned:
            raise SettingsError(
                ASSIGNMENT_REQUIRED,
                f"true with nobody in {GROUPS} or {USERS} would lock every user out of Enpass",
                True,
            )
        if not assignment_required and assigned:
            raise SettingsError(
                ASSIGNMENT_REQUIRED,
                f"false while {GROUPS}/{USERS} are set: the assignments would restrict nothing",
                False,
            )
    else:
        assignment_required = assigned

    return Settings(
        tenant_id=tenant_id,
        client_id=client_id,
        cloud=cloud,
        scopes=scopes,
        tenant_wide_consent=tenant_wide,
        consent_user_ids=consent_users,
        groups=groups,
        users=users,
        assignment_required=assignment_required,
        protect=_bool(config, PROTECT),
        adopt=_adoption(config, tenant_wide, consent_users, groups + users),
        notification_emails=_emails(_string_list(config, NOTIFICATION_EMAILS)),
        account_enabled=_bool(config, ACCOUNT_ENABLED),
        hide_from_my_apps=_bool(config, HIDE_FROM_MY_APPS),
    )


def guid_or_none(value: str | None) -> str | None:
    """``value`` as a canonical GUID, or None when it is not one (for reports of invalid stacks)."""
    if not value:
        return None
    try:
        return _guid(TENANT_ID, value)
    except SettingsError:
        return None


def _guid(key: str, value: str) -> str:
    try:
        parsed = uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        raise SettingsError(key, "not a GUID", value) from None
    if len(value.strip()) != 36:
        raise SettingsError(key, "not a GUID in the 8-4-4-4-12 form", value)
    return str(parsed)


def _cloud(raw: str | None) -> clouds.Cloud:
    cloud = clouds.lookup(raw or "global")
    if cloud is None:
        known = ", ".join([*clouds.CLOUDS, *clouds.ALIASES])
        raise SettingsError(ENVIRONMENT, f"unknown cloud; known clouds are {known}", raw)
    if not cloud.enpass_published:
        raise SettingsError(
            ENVIRONMENT,
            f"Enpass is published only in the global (public) cloud; it cannot be consented in the {cloud.name} cloud",
            raw,
        )
    return cloud


def _json_value(config: Mapping[str, str], key: str) -> Any:
    """The JSON value of ``key``, or its default when absent."""
    if key not in config:
        return DEFAULTS[key]
    raw = config[key]
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, TypeError):
        return raw  # a bare string; the type checks below name it


def _string_list(config: Mapping[str, str], key: str) -> list[str]:
    value = _json_value(config, key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SettingsError(key, "must be a list of strings", value)
    blank = [item for item in value if not item.strip()]
    if blank:
        raise SettingsError(key, "has an empty entry", value)
    return value


def _bool(config: Mapping[str, str], key: str) -> bool:
    if key not in config:
        default: bool = DEFAULTS[key]
        return default
    # Exactly what Pulumi accepts for a key declared `type: boolean` (YAML true/false arrive as these).
    raw = config[key].strip()
    if raw in ("true", "false"):
        return raw == "true"
    raise SettingsError(key, "must be true or false", config[key])


def _scopes(entries: list[str]) -> tuple[str, ...]:
    if not entries:
        raise SettingsError(
            SCOPES, "is empty; Enpass needs at least one scope (to grant nothing, retire the stack)", []
        )
    seen: dict[str, str] = {}
    for entry in entries:
        name = catalog.canonical_scope(entry.strip())
        if name is None:
            raise SettingsError(
                SCOPES,
                f"unknown scope {entry!r}; Enpass may hold only {', '.join(catalog.ALL_SCOPE_NAMES)}",
                entries,
            )
        if name in seen:
            raise SettingsError(SCOPES, f"duplicate scope {entry!r} (same as {seen[name]!r})", entries)
        seen[name] = entry
    return tuple(sorted(seen))


def _guid_list(config: Mapping[str, str], key: str) -> tuple[str, ...]:
    ids: list[str] = []
    for entry in _string_list(config, key):
        object_id = _guid(key, entry)
        if object_id in ids:
            raise SettingsError(key, f"duplicate object id {entry!r}", entry)
        ids.append(object_id)
    return tuple(ids)


def _group(entry: str) -> Assignee:
    try:
        object_id: str | None = _guid(GROUPS, entry)
    except SettingsError:
        object_id = None
    if object_id:
        return Assignee(entry, AssigneeKind.GROUP, object_id, None)
    if not name_key(entry):
        raise SettingsError(GROUPS, "a group name needs at least one letter or digit", entry)
    return Assignee(entry, AssigneeKind.GROUP, None, entry.strip())


def _no_duplicate_names(groups: tuple[Assignee, ...], users: tuple[Assignee, ...]) -> None:
    seen: dict[str, Assignee] = {}
    for assignee in groups + users:
        key = GROUPS if assignee.kind is AssigneeKind.GROUP else USERS
        other = seen.get(assignee.name_key)
        if other is not None:
            raise SettingsError(
                key,
                f"duplicate entry: {assignee.entry!r} and {other.entry!r} both name enpass-assign-{assignee.name_key}",
                assignee.entry,
            )
        seen[assignee.name_key] = assignee


def _emails(entries: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    for entry in entries:
        if not _EMAIL.match(entry):
            raise SettingsError(NOTIFICATION_EMAILS, "not an email address", entry)
        if entry.lower() in seen:
            raise SettingsError(NOTIFICATION_EMAILS, "duplicate address", entry)
        seen.add(entry.lower())
    return tuple(entries)


def _adoption(
    config: Mapping[str, str],
    tenant_wide: bool,
    consent_users: tuple[str, ...],
    assignees: tuple[Assignee, ...],
) -> Adoption:
    if ADOPT not in config:
        return Adoption()
    value = _json_value(config, ADOPT)
    if not isinstance(value, dict):
        raise SettingsError(ADOPT, "must be an object", value)
    unknown = sorted(set(value) - set(ADOPT_FIELDS))
    if unknown:
        raise SettingsError(
            f"{ADOPT}.{unknown[0]}", f"unknown field; the fields are {', '.join(ADOPT_FIELDS)}", value[unknown[0]]
        )

    sp_raw = value.get(ADOPT_SERVICE_PRINCIPAL)
    sp_id = None
    if sp_raw is not None:
        if not isinstance(sp_raw, str):
            raise SettingsError(f"{ADOPT}.{ADOPT_SERVICE_PRINCIPAL}", "must be a GUID string", sp_raw)
        sp_id = _guid(f"{ADOPT}.{ADOPT_SERVICE_PRINCIPAL}", sp_raw)

    grant_id = value.get(ADOPT_GRANT)
    if grant_id is not None:
        _graph_id(f"{ADOPT}.{ADOPT_GRANT}", grant_id)
        if not tenant_wide:
            raise SettingsError(
                f"{ADOPT}.{ADOPT_GRANT}", f"adopts a tenant-wide grant while {TENANT_WIDE_CONSENT} is false", grant_id
            )

    user_grants = _id_map(value, ADOPT_USER_GRANTS)
    normalised_user_grants: dict[str, str] = {}
    for user, grant in user_grants.items():
        user_id = _guid(f"{ADOPT}.{ADOPT_USER_GRANTS}", user)
        if user_id not in consent_users:
            raise SettingsError(
                f"{ADOPT}.{ADOPT_USER_GRANTS}", f"user is not in {CONSENT_USERS}, so nothing would import it", user
            )
        normalised_user_grants[user_id] = grant

    assignment_ids = _id_map(value, ADOPT_ASSIGNMENTS)
    entries = {a.entry for a in assignees}
    for entry in assignment_ids:
        if entry not in entries:
            raise SettingsError(
                f"{ADOPT}.{ADOPT_ASSIGNMENTS}",
                f"not an entry of {GROUPS} or {USERS} exactly as written, so nothing would import it",
                entry,
            )
    if assignment_ids and sp_id is None:
        # An assignment's import id is /servicePrincipals/{sp}/appRoleAssignedTo/{id}
        # (terraform-provider-azuread internal/services/approleassignments/app_role_assignment_resource.go,
        # stable.ValidateServicePrincipalIdAppRoleAssignedToID); a grant's, /oauth2PermissionGrants/{id}, needs no SP.
        raise SettingsError(
            f"{ADOPT}.{ADOPT_ASSIGNMENTS}",
            f"needs {ADOPT}.{ADOPT_SERVICE_PRINCIPAL}: an assignment's import id names the service principal "
            f"(/servicePrincipals/{{{ADOPT_SERVICE_PRINCIPAL}}}/appRoleAssignedTo/{{id}})",
            dict(assignment_ids),
        )
    return Adoption(sp_id, grant_id, normalised_user_grants, assignment_ids)


def _graph_id(key: str, value: object) -> str:
    if not isinstance(value, str) or not _GRAPH_ID.match(value):
        raise SettingsError(key, "must be a Graph object id (letters, digits, '-' and '_')", value)
    return value


def _id_map(value: Mapping[str, Any], field_name: str) -> dict[str, str]:
    key = f"{ADOPT}.{field_name}"
    mapping = value.get(field_name, {})
    if not isinstance(mapping, dict):
        raise SettingsError(key, "must be an object", mapping)
    return {str(k): _graph_id(f"{key}.{k}", v) for k, v in mapping.items()}
