"""What a preview would do to Enpass consent in one tenant (pure: :class:`Preview` in, review out).

Resource names and types are the program's contract (docs/reference.md#resources-and-names):
``enpass-sp``, ``enpass-grant``, ``enpass-grant-<user id>``, ``enpass-assign-<key>``. The steps of
one URN are folded into one effect on the tenant, because a replacement is several steps
(``create-replacement``, ``replace``, ``delete-replaced``) and ``--refresh`` adds a refresh step
before the program's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from enpass_consent import catalog
from enpass_consent.review.parse import Diagnostic, PolicyViolation, Preview, State, Step

SP_TYPE = "azuread:index/servicePrincipal:ServicePrincipal"
GRANT_TYPE = "azuread:index/servicePrincipalDelegatedPermissionGrant:ServicePrincipalDelegatedPermissionGrant"
ASSIGNMENT_TYPE = "azuread:index/appRoleAssignment:AppRoleAssignment"
SP_NAME = "enpass-sp"
USER_GRANT_PREFIX = "enpass-grant-"
ASSIGNMENT_PREFIX = "enpass-assign-"

# What the engine prints for a value it only knows after `up` (pulumi/pulumi sdk/go/common/resource/
# plugin: UnknownStringValue) and for a secret (pkg/backend/display/json.go: massagePropertyValue).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
SECRET = "[secret]"

_REPLACE_OPS = frozenset({"replace", "create-replacement", "delete-replaced", "import-replacement"})
# Steps that write nothing to the tenant: reads of existing objects and pending-replace bookkeeping.
_IGNORED_OPS = frozenset({"read", "read-replacement", "discard", "discard-replaced", "remove-pending-replace"})


@dataclass(frozen=True)
class Effect:
    """The net effect of one URN's steps: ``create|update|delete|replace|import``."""

    urn: str
    type: str
    name: str
    action: str
    old: State | None
    new: State | None
    reasons: tuple[str, ...]
    outside_pulumi: bool
    """True when only a refresh found it: the tenant already changed outside Pulumi."""


@dataclass(frozen=True)
class ServicePrincipalChange:
    """The Enpass SP's effect; deleting or replacing it disconnects every user."""

    urn: str
    action: str
    retain_on_delete: bool | None
    protect: bool | None
    reasons: tuple[str, ...]
    outside_pulumi: bool

    @property
    def disconnects_users(self) -> bool:
        """Delete or replace: the one change that signs every Enpass user out of their vaults."""
        return self.action in ("delete", "replace")


@dataclass(frozen=True)
class GrantChange:
    """A delegated grant's effect, in scopes (compared case-insensitively, in the catalog's spelling)."""

    name: str
    urn: str
    user_object_id: str | None
    """None for the tenant-wide (AllPrincipals) grant."""
    action: str
    scopes_before: tuple[str, ...] | None
    scopes_after: tuple[str, ...] | None
    scopes_added: tuple[str, ...]
    scopes_removed: tuple[str, ...]
    scopes_hidden: bool
    """A side is ``[secret]`` or unknown until apply: added/removed then name nothing (they cannot be known)."""
    outside_pulumi: bool


@dataclass(frozen=True)
class AssignmentChange:
    """An assignment's effect and the principal (group or user object id) it concerns."""

    name: str
    key: str
    urn: str
    action: str
    principal_object_id: str | None
    previous_principal_object_id: str | None
    outside_pulumi: bool


@dataclass(frozen=True)
class OtherChange:
    """A change to anything else (providers, unrelated resources): listed, not consent-relevant."""

    urn: str
    type: str
    action: str


@dataclass(frozen=True)
class FileReview:
    """The consent review of one preview file."""

    path: str
    format: str
    stack: str | None
    project: str | None
    service_principal: ServicePrincipalChange | None
    assignment_required: tuple[bool | None, bool | None] | None
    """(before, after) when ``appRoleAssignmentRequired`` changes (before None on create)."""
    grants: tuple[GrantChange, ...]
    assignments: tuple[AssignmentChange, ...]
    other_changes: tuple[OtherChange, ...]
    policy_violations: tuple[PolicyViolation, ...]
    errors: tuple[Diagnostic, ...]
    change_summary: Mapping[str, int]

    @property
    def failed(self) -> bool:
        """The preview reported errors or a mandatory policy blocked it: it cannot be cleared."""
        return bool(self.errors) or any(v.enforcement_level == "mandatory" for v in self.policy_violations)

    @property
    def consent_changes(self) -> bool:
        """Anything that changes who can use Enpass or with which scopes (or needs a policy look)."""
        sp_changes = self.service_principal is not None and self.service_principal.action in (
            "create",
            "delete",
            "replace",
        )
        return bool(
            sp_changes
            or self.assignment_required
            or any(g.action != "import" for g in self.grants)
            or any(a.action != "import" for a in self.assignments)
            or self.policy_violations
        )

    @property
    def status(self) -> str:
        """``error`` (preview failed), ``changes`` (consent-relevant) or ``no_changes``."""
        if self.failed:
            return "error"
        return "changes" if self.consent_changes else "no_changes"


def split_urn(urn: str) -> tuple[str | None, str | None, str, str]:
    """``urn:pulumi:<stack>::<project>::<parent$type>::<name>`` -> (stack, project, type, name)."""
    if not urn.startswith("urn:pulumi:"):
        return None, None, "", urn
    parts = urn[len("urn:pulumi:") :].split("::", 3)
    if len(parts) < 4:
        return None, None, "", urn
    stack, project, qualified_type, name = parts
    return stack or None, project or None, qualified_type.split("$")[-1], name


def effects(steps: Iterable[Step]) -> list[Effect]:
    """One effect per URN that would change the tenant, in the order the URNs first appear."""
    by_urn: dict[str, list[Step]] = {}
    for step in steps:
        if step.op not in _IGNORED_OPS:
            by_urn.setdefault(step.urn, []).append(step)
    out = []
    for urn, urn_steps in by_urn.items():
        effect = _fold(urn, urn_steps)
        if effect is not None:
            out.append(effect)
    return out


def _fold(urn: str, steps: list[Step]) -> Effect | None:
    _, _, type_, name = split_urn(urn)
    if any(s.op in _REPLACE_OPS for s in steps):
        old = next((s.old for s in steps if s.op in _REPLACE_OPS and s.old is not None), None)
        new = next((s.new for s in steps if s.op in _REPLACE_OPS and s.op != "delete-replaced" and s.new), None)
        reasons = tuple(dict.fromkeys(r for s in steps for r in s.replace_reasons))
        return Effect(urn, type_ or _type_of(old, new), name, "replace", old, new, reasons, False)
    last = steps[-1]
    type_ = type_ or _type_of(last.old, last.new)
    reasons = last.diff_reasons or tuple(last.detailed_diff or ())
    if last.op in ("create", "import", "update", "delete"):
        return Effect(urn, type_, name, last.op, last.old, last.new, reasons, False)
    if last.op == "refresh":
        # Only a refresh (e.g. `pulumi refresh --preview-only --event-log`): report what changed outside.
        if last.new is None:
            return Effect(urn, type_, name, "delete", last.old, None, (), True)
        if last.old is not None and last.old.outputs != last.new.outputs:
            return Effect(urn, type_, name, "update", last.old, last.new, reasons, True)
    return None  # `same`, or a refresh that found nothing


def _type_of(old: State | None, new: State | None) -> str:
    state = new or old
    return state.type if state else ""


def review(preview: Preview) -> FileReview:
    """The consent review of one parsed preview."""
    stacks = [split_urn(step.urn) for step in preview.steps]
    stack = next((s for s, _, _, _ in stacks if s), None)
    project = next((p for _, p, _, _ in stacks if p), None)
    sp: ServicePrincipalChange | None = None
    assignment_required: tuple[bool | None, bool | None] | None = None
    grants: list[GrantChange] = []
    assignments: list[AssignmentChange] = []
    others: list[OtherChange] = []
    for effect in effects(preview.steps):
        if effect.type == SP_TYPE and effect.name == SP_NAME:
            sp = _service_principal(effect)
            assignment_required = _assignment_required(effect)
        elif effect.type == GRANT_TYPE:
            grants.append(_grant(effect))
        elif effect.type == ASSIGNMENT_TYPE:
            assignments.append(_assignment(effect))
        elif _custom(effect):
            # Components and the root stack write nothing to the tenant; providers and other
            # resources do (a provider replacement, e.g. a new tenantId, replaces all its resources).
            others.append(OtherChange(effect.urn, effect.type, effect.action))
    errors = tuple(d for d in preview.diagnostics if d.severity == "error")
    return FileReview(
        path=preview.path,
        format=preview.format,
        stack=stack,
        project=project,
        service_principal=sp,
        assignment_required=assignment_required,
        grants=tuple(grants),
        assignments=tuple(assignments),
        other_changes=tuple(others),
        policy_violations=preview.policy_violations,
        errors=errors,
        change_summary=preview.change_summary,
    )


def _custom(effect: Effect) -> bool:
    state = effect.new or effect.old
    return state.custom if state else True


def _service_principal(effect: Effect) -> ServicePrincipalChange:
    state = effect.old or effect.new
    return ServicePrincipalChange(
        urn=effect.urn,
        action=effect.action,
        retain_on_delete=state.retain_on_delete if state else None,
        protect=state.protect if state else None,
        reasons=effect.reasons,
        outside_pulumi=effect.outside_pulumi,
    )


def _assignment_required(effect: Effect) -> tuple[bool | None, bool | None] | None:
    before = _bool(_old_value(effect.old, "appRoleAssignmentRequired"))
    after = _bool(_after_value(effect, "appRoleAssignmentRequired"))
    if effect.action == "import" or before == after or (effect.action == "delete" and after is None):
        return None
    return before, after


def _grant(effect: Effect) -> GrantChange:
    before = _scopes(_old_value(effect.old, "claimValues")) if effect.old else ()
    after = _scopes(_after_value(effect, "claimValues")) if effect.new else ()
    if effect.action == "delete":
        after = ()
    # A hidden side could hold any scope: nothing is known added or removed, not "all of the other side".
    hidden = before is None or after is None
    before_lower = {s.lower() for s in before or ()}
    after_lower = {s.lower() for s in after or ()}
    user = _after_value(effect, "userObjectId") or _old_value(effect.old, "userObjectId")
    if not isinstance(user, str) or user in (UNKNOWN, SECRET):
        user = effect.name[len(USER_GRANT_PREFIX) :] if effect.name.startswith(USER_GRANT_PREFIX) else None
    return GrantChange(
        name=effect.name,
        urn=effect.urn,
        user_object_id=user,
        action=effect.action,
        scopes_before=before if effect.old else None,
        scopes_after=after if effect.new and effect.action != "delete" else None,
        scopes_added=() if hidden else tuple(s for s in after or () if s.lower() not in before_lower),
        scopes_removed=() if hidden else tuple(s for s in before or () if s.lower() not in after_lower),
        scopes_hidden=hidden,
        outside_pulumi=effect.outside_pulumi,
    )


def _assignment(effect: Effect) -> AssignmentChange:
    old = _id(_old_value(effect.old, "principalObjectId"))
    new = _id(_after_value(effect, "principalObjectId"))
    key = effect.name[len(ASSIGNMENT_PREFIX) :] if effect.name.startswith(ASSIGNMENT_PREFIX) else effect.name
    current = old if effect.action == "delete" else new
    return AssignmentChange(
        name=effect.name,
        key=key,
        urn=effect.urn,
        action=effect.action,
        principal_object_id=current,
        previous_principal_object_id=old if effect.action in ("replace", "update") and old != new else None,
        outside_pulumi=effect.outside_pulumi,
    )


def _old_value(state: State | None, key: str) -> Any:
    # Outputs hold what the provider last read from Entra, inputs what the program last asked for.
    if state is None:
        return None
    return state.outputs.get(key, state.inputs.get(key))


def _after_value(effect: Effect, key: str) -> Any:
    """``key`` after the effect: what the program asks for, or for a change only a refresh found
    (made outside Pulumi) what the provider read from Entra, as for the old side."""
    if effect.outside_pulumi:
        return _old_value(effect.new, key)
    return _new_value(effect.new, key)


def _new_value(state: State | None, key: str) -> Any:
    if state is None:
        return None
    return state.inputs.get(key, state.outputs.get(key))


def _scopes(value: Any) -> tuple[str, ...] | None:
    """Sorted catalog spelling, duplicates folded; None when hidden (secret or unknown)."""
    if value is None:
        return ()
    if not isinstance(value, list) or any(not isinstance(v, str) or v in (UNKNOWN, SECRET) for v in value):
        return None
    canonical = {(catalog.canonical_scope(v) or v).lower(): catalog.canonical_scope(v) or v for v in value}
    return tuple(sorted(canonical.values(), key=str.lower))


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _id(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) and value not in (UNKNOWN, SECRET) else None
