"""Render reviews as the ``enpass-consent.review/v1`` JSON document or as Markdown for a PR comment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from enpass_consent.render import markdown_text, plain_value
from enpass_consent.review.evaluate import SP_NAME, FileReview, GrantChange, ServicePrincipalChange
from enpass_consent.review.parse import PREVIEW_JSON

SCHEMA = "enpass-consent.review/v1"
_VERB = {"create": "created", "update": "updated", "delete": "deleted", "replace": "replaced", "import": "imported"}


def document(reviews: Sequence[FileReview], generated_at: str) -> dict[str, Any]:
    """The JSON document: one entry per preview file, in the order given."""
    return {
        "schema": SCHEMA,
        "generatedAt": generated_at,
        "previews": [_entry(r) for r in reviews],
        "summary": {
            "previews": len(reviews),
            "changes": sum(r.status == "changes" for r in reviews),
            "noChanges": sum(r.status == "no_changes" for r in reviews),
            "error": sum(r.status == "error" for r in reviews),
            "servicePrincipalReplacedOrDeleted": sum(
                bool(r.service_principal and r.service_principal.disconnects_users) for r in reviews
            ),
        },
    }


def to_json(reviews: Sequence[FileReview], generated_at: str) -> str:
    """The JSON document as text (stable key order, two-space indent)."""
    return json.dumps(document(reviews, generated_at), indent=2) + "\n"


def _entry(r: FileReview) -> dict[str, Any]:
    sp = r.service_principal
    return {
        "file": r.path,
        "format": r.format,
        "stack": r.stack,
        "project": r.project,
        "status": r.status,
        "servicePrincipal": None
        if sp is None
        else {
            "urn": sp.urn,
            "action": sp.action,
            "disconnectsUsers": sp.disconnects_users,
            "retainOnDelete": sp.retain_on_delete,
            "protect": sp.protect,
            "reasons": list(sp.reasons),
            "outsidePulumi": sp.outside_pulumi,
        },
        "assignmentRequired": None
        if r.assignment_required is None
        else {"before": r.assignment_required[0], "after": r.assignment_required[1]},
        "grants": [
            {
                "name": g.name,
                "urn": g.urn,
                "consentType": "Principal" if g.user_object_id else "AllPrincipals",
                "userObjectId": g.user_object_id,
                "action": g.action,
                "scopesBefore": _list(g.scopes_before),
                "scopesAfter": _list(g.scopes_after),
                "scopesAdded": list(g.scopes_added),
                "scopesRemoved": list(g.scopes_removed),
                "scopesHidden": g.scopes_hidden,
                "outsidePulumi": g.outside_pulumi,
            }
            for g in r.grants
        ],
        "assignments": [
            {
                "name": a.name,
                "key": a.key,
                "urn": a.urn,
                "action": a.action,
                "principalObjectId": a.principal_object_id,
                "previousPrincipalObjectId": a.previous_principal_object_id,
                "outsidePulumi": a.outside_pulumi,
            }
            for a in r.assignments
        ],
        "otherChanges": [{"urn": o.urn, "type": o.type, "action": o.action} for o in r.other_changes],
        "policyViolations": [
            {
                "policyPack": v.policy_pack,
                "policyName": v.policy_name,
                "enforcementLevel": v.enforcement_level,
                "message": v.message,
                "urn": v.urn,
            }
            for v in r.policy_violations
        ],
        "errors": [{"urn": e.urn, "message": e.message} for e in r.errors],
        "changeSummary": dict(r.change_summary),
    }


def _list(value: tuple[str, ...] | None) -> list[str] | None:
    return None if value is None else list(value)


def to_markdown(reviews: Sequence[FileReview]) -> str:
    """Markdown for a PR comment or job summary: loud warnings first, a table, then details."""
    lines = ["## Enpass consent review", ""]
    for r in reviews:
        if r.service_principal and r.service_principal.disconnects_users:
            lines += _sp_alarm(r, r.service_principal)
    lines += ["| Stack | Result | Scopes added | Scopes removed | Assignments | Assignment required |"]
    lines += ["|---|---|---|---|---|---|"]
    for r in reviews:
        added = sorted({s for g in r.grants for s in g.scopes_added}, key=str.lower)
        removed = sorted({s for g in r.grants for s in g.scopes_removed}, key=str.lower)
        changed = [f"{_VERB.get(a.action, a.action)} {_code(a.key)}" for a in r.assignments]
        required = "" if r.assignment_required is None else _flip(r.assignment_required)
        cells = [_code(r.stack or "?"), _result(r), _codes(added), _codes(removed), ", ".join(changed), required]
        lines.append("| " + " | ".join(c or "–" for c in cells) + " |")
    for r in reviews:
        lines += ["", f"### {_code(r.stack or '?')} from {_code(r.path)}", ""]
        lines += _details(r) or ["No change to Enpass consent."]
    return "\n".join(lines) + "\n"


# The provider's create adopts an existing SP (use_existing) instead of creating one
# (terraform-provider-azuread internal/services/serviceprincipals/service_principal_resource.go).
_ADOPTED_ON_CREATE = (
    "if the tenant already has Enpass's service principal (an earlier consent), this `create` adopts it "
    "(`use_existing`): nothing is created, and `pulumi up` sets the stack's values on it; "
    "`enpass-consent preflight` lists each property it changes"
)


def _sp_alarm(r: FileReview, sp: ServicePrincipalChange) -> list[str]:
    verb = "DELETED" if sp.action == "delete" else "REPLACED"
    if sp.retain_on_delete:
        why = (
            "Its state has `retainOnDelete`, so Pulumi should drop it without deleting it in Entra; confirm "
            "before merging, because deleting the Enpass service principal disconnects every Enpass user."
        )
    else:
        why = (
            "Deleting or replacing the Enpass service principal revokes its consent and disconnects every "
            "Enpass user in the tenant. Do not merge unless that is intended."
        )
    reason = f" (because of {_codes(list(sp.reasons))})" if sp.reasons else ""
    stack = _code(r.stack or r.path)
    return ["> [!CAUTION]", f"> **{stack}: the Enpass service principal would be {verb}{reason}.** {why}", ""]


def _result(r: FileReview) -> str:
    return {"error": "**preview failed**", "changes": "**changes**"}.get(r.status, "no consent change")


def _details(r: FileReview) -> list[str]:
    out: list[str] = []
    sp = r.service_principal
    if sp is not None:
        out.append(f"- Enpass service principal {_code(SP_NAME)}: **{_VERB.get(sp.action, sp.action)}**{_outside(sp)}")
        if sp.action == "create":
            out.append(f"  - {_ADOPTED_ON_CREATE}")
    if r.assignment_required is not None:
        out.append(f"- `appRoleAssignmentRequired`: {_flip(r.assignment_required)}")
    for g in r.grants:
        out.append(f"- {_grant_label(g)} {_code(g.name)}: **{_VERB.get(g.action, g.action)}**{_outside(g)}")
        if g.scopes_added:
            out.append(f"  - scopes added: {_codes(list(g.scopes_added))}")
        if g.scopes_removed:
            out.append(f"  - scopes removed: {_codes(list(g.scopes_removed))}")
        if g.action == "replace" and not (g.scopes_added or g.scopes_removed or g.scopes_hidden):
            out.append("  - same scopes, but the grant is deleted and created again: a short consent gap")
        if g.scopes_hidden:
            out.append("  - scopes are `[secret]` or known only after apply: check them by hand")
    for a in r.assignments:
        principal = _code(a.principal_object_id or "(known after apply)")
        was = f" (was {_code(a.previous_principal_object_id)})" if a.previous_principal_object_id else ""
        verb = _VERB.get(a.action, a.action)
        out.append(f"- assignment {_code(a.name)}: **{verb}**, principal {principal}{was}{_outside(a)}")
    for o in r.other_changes:
        out.append(f"- other: {_code(o.type)} {_code(o.urn.rsplit('::', 1)[-1])} {_VERB.get(o.action, o.action)}")
    for v in r.policy_violations:
        policy = _code(f"{v.policy_pack}/{v.policy_name}")
        out.append(f"- policy **{v.enforcement_level}** {policy}: {markdown_text(v.message)}")
    for e in r.errors:
        out.append(f"- **error**: {markdown_text(e.message)}")
    if r.format == PREVIEW_JSON and out:
        out.append("- note: `pulumi preview --json` leaves out policy results; use `--event-log` to review them")
    return out


def _grant_label(g: GrantChange) -> str:
    return f"per-user grant for {_code(g.user_object_id)}" if g.user_object_id else "tenant-wide grant"


def _outside(change: Any) -> str:
    return " (found by refresh: changed outside Pulumi)" if change.outside_pulumi else ""


def _flip(values: tuple[bool | None, bool | None]) -> str:
    def show(v: bool | None) -> str:
        return "unset" if v is None else f"`{plain_value(v)}`"

    return f"{show(values[0])} → {show(values[1])}"


def _codes(values: list[str]) -> str:
    return ", ".join(_code(v) for v in values)


def _code(value: str) -> str:
    # Values come from preview files: keep them from breaking out of a code span or a table cell.
    return "`" + " ".join(value.replace("`", "'").replace("|", "\\|").split()) + "`"
