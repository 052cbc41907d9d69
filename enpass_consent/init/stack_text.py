"""The stack file ``init`` writes: annotated like ``Pulumi.example.yaml``, the adopt block as ``adopt`` writes it.

Every key gets the example's explanation; a key the description sets is written, the others stay as
commented-out defaults to switch on later. Groups and users carry their display names as comments
(made one printable line: a name from the tenant must never become YAML). The adopt block is added by
``adopt``'s own writer, so the file is byte for byte what ``adopt --write`` would make of it. What is
returned has been read back through the one settings parser and equals the intended settings.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from enpass_consent import catalog, settings
from enpass_consent.adopt import stack_edit
from enpass_consent.init.describe import Description, Outcome, Principal

# Scalars written bare; anything else is written as a JSON (= YAML double-quoted) string.
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"})
_INDENT = "  "


class StackTextError(RuntimeError):
    """The rendered file does not read back as the intended settings (a bug here, never bad input)."""


def render(stack: str, path: Path, outcome: Outcome) -> bytes:
    """The stack file's bytes for ``outcome``; ``path`` names the file in messages."""
    raw = text(stack, outcome.description).encode("utf-8")
    if outcome.settings.adopt != settings.Adoption():
        loaded = stack_edit.LoadedStack(stack, path, raw, stack_edit.config_of(path, raw))
        raw = stack_edit.with_adoption(loaded, outcome.settings.adopt)
    try:
        read_back = settings.parse(stack_edit.config_of(path, raw))
    except (settings.SettingsError, ValueError) as exc:
        raise StackTextError(f"{path}: the file init rendered does not parse ({exc})") from None
    if read_back != outcome.settings:
        raise StackTextError(f"{path}: the file init rendered reads back as other settings than intended")
    return raw


def text(stack: str, description: Description) -> str:
    d = description
    lines = _header(stack, d)
    lines += ["config:"]
    lines += _tenant(d)
    lines += _client(d)
    lines += _scopes(d)
    lines += _consent(d)
    lines += _assignments(d)
    lines += _keep(
        "Protect the service principal and grants against `pulumi destroy` (default true). The service",
        "principal is never deleted either way.",
    )
    lines += [f"{_INDENT}# {settings.PROTECT}: true", ""]
    lines += _emails(d)
    lines += _account(d)
    lines += _hidden(d)
    lines += _keep(
        "Ids of the objects that already exist, so the next `pulumi up` imports them instead of creating",
        "them (written by `enpass-consent init --from-tenant` and `enpass-consent adopt --write`).",
    )
    if d.service_principal_object_id is None:
        lines += [f"{_INDENT}# {settings.ADOPT}: {{}}"]
    return "\n".join(lines) + "\n"


def _header(stack: str, d: Description) -> list[str]:
    tenant = d.domain or d.tenant_id
    lines = [f"# Enpass consent in the tenant {tenant}, as code (stack {stack}; one stack per tenant)."]
    if not d.read_from_tenant:
        lines.append("# Written by `enpass-consent init`: the defaults, ready to edit.")
    elif d.service_principal_object_id is None:
        lines += [
            "# Written by `enpass-consent init --from-tenant`: the tenant had no Enpass service principal (nobody",
            "# had consented), so these are the defaults and the first `pulumi up` creates everything.",
        ]
    else:
        lines += [
            "# Written by `enpass-consent init --from-tenant` from the tenant as it was: the first `pulumi preview`",
            "# imports what exists. What settings cannot hold was listed then; `enpass-consent audit` lists it now.",
        ]
    return lines


def _keep(*comment: str) -> list[str]:
    return [f"{_INDENT}# {line}" for line in comment]


def _tenant(d: Description) -> list[str]:
    lines = _keep(
        "Required, and required HERE: the tenant this stack manages. An inherited ARM_TENANT_ID or an",
        "Azure CLI sign-in must never decide which customer is changed.",
    )
    suffix = f"  # {_comment(d.domain)}" if d.domain else ""
    return [*lines, f"{_INDENT}{settings.TENANT_ID}: {d.tenant_id}{suffix}", ""]


def _client(d: Description) -> list[str]:
    lines = _keep("The deploying identity (app registration) for this tenant; otherwise ARM_CLIENT_ID.")
    if d.client_id:
        return [*lines, f"{_INDENT}{settings.CLIENT_ID}: {d.client_id}", ""]
    return [*lines, f"{_INDENT}# {settings.CLIENT_ID}: <application (client) id>", ""]


def _scopes(d: Description) -> list[str]:
    lines = _keep(
        "The delegated Microsoft Graph scopes. Default: Enpass's eight. Optional sign-in scopes:",
        "openid, profile, email. Anything else is refused (see `enpass-consent explain`).",
    )
    if d.scopes is None:
        if d.service_principal_object_id is not None:
            lines += _keep("As in the tenant: Enpass's eight (the default).")
        return [*lines, *_commented_list(settings.SCOPES, catalog.ENPASS_SCOPE_NAMES), ""]
    if d.tenant_wide_consent:
        lines += _keep("As in the tenant: the scopes its tenant-wide grant holds.")
    else:
        lines += _keep("As in the tenant: every scope one of its per-user grants holds.")
    return [*lines, *_list(settings.SCOPES, [(scope, "") for scope in d.scopes]), ""]


def _consent(d: Description) -> list[str]:
    if d.tenant_wide_consent:
        lines = _keep("Tenant-wide consent (default). For a pilot, consent per user instead:")
        lines += [f"{_INDENT}# {settings.TENANT_WIDE_CONSENT}: false"]
        return [*lines, *_commented_list(settings.CONSENT_USERS, ["<user object id>"]), ""]
    lines = _keep(
        "Per-user consent: the tenant has no tenant-wide grant; these users consented for themselves.",
        "To switch to tenant-wide consent later, remove both keys and the adopt block's userGrantIds:",
        "`pulumi up` then grants everyone and revokes these per-user grants.",
    )
    lines += [f"{_INDENT}{settings.TENANT_WIDE_CONSENT}: false"]
    return [*lines, *_list(settings.CONSENT_USERS, [(user_id, "") for user_id in d.consent_user_ids]), ""]


def _assignments(d: Description) -> list[str]:
    lines = _keep(
        "Restrict Enpass to assigned groups (by object id or security-group display name; needs",
        "Entra ID P1, nested groups do not count) and users. Setting either turns on",
        '"assignment required", so unassigned users are refused (AADSTS50105).',
    )
    if d.groups or d.users:
        lines += _keep("As in the tenant: assigned with the default access role (display names as comments).")
    lines += _principals(settings.GROUPS, d.groups, "Enpass Users")
    lines += _principals(settings.USERS, d.users, "<user object id>")
    if d.assignment_required is not None:
        lines += [f"{_INDENT}{settings.ASSIGNMENT_REQUIRED}: {_bool(d.assignment_required)}"]
    return [*lines, ""]


def _principals(key: str, principals: tuple[Principal, ...], example: str) -> list[str]:
    if not principals:
        return _commented_list(key, [example])
    return _list(key, [(p.object_id, p.display_name) for p in principals])


def _emails(d: Description) -> list[str]:
    lines = _keep("Who hears about the Enpass service principal (certificate expiry notices and the like).")
    if d.notification_emails:
        return [*lines, *_list(settings.NOTIFICATION_EMAILS, [(a, "") for a in d.notification_emails]), ""]
    return [*lines, *_commented_list(settings.NOTIFICATION_EMAILS, ["it-security@example.com"]), ""]


def _account(d: Description) -> list[str]:
    lines = _keep(
        "Sign-in to Enpass in this tenant (default true). Disabling Enpass is done here, in code: an",
        "admin who turns the service principal off in the portal has it turned on again by `pulumi up`.",
    )
    if d.account_enabled:
        return [*lines, f"{_INDENT}# {settings.ACCOUNT_ENABLED}: true", ""]
    lines += _keep("As in the tenant: the service principal is disabled.")
    return [*lines, f"{_INDENT}{settings.ACCOUNT_ENABLED}: false", ""]


def _hidden(d: Description) -> list[str]:
    lines = _keep(
        f"Hide Enpass from the users' My Apps portal (the service principal's {catalog.HIDE_APP_TAG} tag;",
        "default false). `pulumi up` sets the service principal's tags from these settings, so set it",
        "here, not in the portal.",
    )
    if d.hide_from_my_apps:
        lines += _keep(f"As in the tenant: the service principal has the {catalog.HIDE_APP_TAG} tag.")
        return [*lines, f"{_INDENT}{settings.HIDE_FROM_MY_APPS}: true", ""]
    return [*lines, f"{_INDENT}# {settings.HIDE_FROM_MY_APPS}: false", ""]


def _list(key: str, items: list[tuple[str, str]]) -> list[str]:
    lines = [f"{_INDENT}{key}:"]
    for value, comment in items:
        suffix = f"  # {_comment(comment)}" if _comment(comment) else ""
        lines.append(f"{_INDENT}{_INDENT}- {_scalar(value)}{suffix}")
    return lines


def _commented_list(key: str, values: tuple[str, ...] | list[str]) -> list[str]:
    return [f"{_INDENT}# {key}:", *(f"{_INDENT}#   - {value}" for value in values)]


def _scalar(value: str) -> str:
    if _PLAIN.match(value) and value.lower() not in _YAML_WORDS:
        return value
    return json.dumps(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _comment(text: str) -> str:
    """One printable line: no line break, control or format character from the tenant reaches the YAML."""
    one_line = " ".join(text.split())
    return "".join(ch for ch in one_line if ch.isprintable())
