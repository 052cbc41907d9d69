"""What ``adopt`` prints: the objects adopted, what ``pulumi up`` will change, what is left alone, the diff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from enpass_consent.adopt import stack_edit
from enpass_consent.adopt.plan import MIN_PULUMI_CLI

if TYPE_CHECKING:
    from enpass_consent.adopt.run import PreparedAdoption


def render(prepared: PreparedAdoption) -> str:
    loaded, plan = prepared.loaded, prepared.plan
    lines = [f"Stack {loaded.stack}, tenant {prepared.tenant_id}"]
    if plan.adoption is None:
        lines.append(
            "Nothing to adopt: the tenant has no Enpass service principal (nobody has consented yet). "
            "`pulumi up` will create everything; the stack file is left as it is."
        )
        return "\n".join(lines) + "\n"

    lines += [
        "",
        "Adopt (the next `pulumi up` takes these over instead of creating them: the service principal through "
        "use_existing, which `pulumi preview` shows as a create although nothing is created; the grants and "
        "assignments by import):",
    ]
    width = max(len(obj.kind) for obj in plan.adopted)
    lines += [f"  {obj.kind.ljust(width)}  {obj.object_id}  {obj.detail}" for obj in plan.adopted]

    lines += ["", "On the existing service principal, `pulumi up` sets (current -> future):"]
    lines += [f"  - {change.describe()}" for change in plan.service_principal_changes] or [
        "  nothing (it already has the stack's values)"
    ]

    lines += ["", "After importing, the next `pulumi up` changes:"]
    lines += [f"  - {change}" for change in plan.changes] or ["  nothing (the grants and assignments match the stack)"]

    lines += ["", "Left alone (the stack does not describe them: never adopted or deleted; `audit` reports them):"]
    lines += [f"  - {finding.code} ({finding.severity.value}): {finding.message}" for finding in plan.left_alone] or [
        "  nothing"
    ]

    lines += [
        "",
        f"Needs Pulumi CLI >= {MIN_PULUMI_CLI} for the next `pulumi up`: it imports the grants and assignments and "
        "then updates whatever input differs (scopes may differ). Older CLIs refuse an import whose inputs differ.",
        "",
        f"Stack file change ({loaded.path}):",
    ]
    if prepared.changes_file and prepared.new_bytes is not None:
        lines.append(stack_edit.unified_diff(loaded.path, loaded.original, prepared.new_bytes).rstrip("\n"))
    else:
        lines.append("  none: the file already records these ids")
    return "\n".join(lines) + "\n"
