"""What the sandbox prints once it runs: where it is, what each tenant shows, the commands to try."""

from __future__ import annotations

import shlex
from pathlib import Path

from enpass_consent.sandbox.folder import ENV_FILE, DemoFolder
from enpass_consent.sandbox.tenants import Served

READY = "Sandbox ready."
"""Start of the last line printed at start-up (scripts and tests wait for it)."""

# The provider takes its endpoints from a named cloud or from an Azure metadata service (pulumi-azuread 6.11.1
# Provider `metadata_host`, "The Hostname which should be used for the Azure Metadata Service"); the emulator
# serves no metadata service and answers every Graph write with 405 (its README).
PULUMI_NOTE = (
    "`pulumi preview` and `pulumi up` cannot use the sandbox: the azuread provider finds Microsoft's\n"
    "endpoints through its cloud (or an Azure metadata service, which the sandbox does not serve), and\n"
    "the sandbox answers no write."
)


ADOPT_DEMO = "fabrikam"
"""The demo tenant ``adopt`` is shown on: consented before and drifted, so it has ids to record, properties of
the service principal that ``pulumi up`` would change, and objects the stack leaves alone."""


def onboarding_commands(stack: str, tenant_id: str) -> list[str]:
    """Give a tenant consented by hand a stack file that describes what exists (``init --from-tenant``)."""
    return [
        f"enpass-consent init --tenant {tenant_id} --stack {stack} --from-tenant --write",
        f"enpass-consent audit --stack {stack}",
    ]


def guide(base_url: str, folder: DemoFolder, served: Served, from_project: Path | None) -> str:
    where = shlex.quote(str(folder.path))
    lifetime = "kept when the sandbox stops" if folder.kept else "removed when the sandbox stops; --dir DIR keeps one"
    lines = [
        f"enpass-consent sandbox: a local Microsoft Entra ID and Microsoft Graph at {base_url}",
        "(the emulator the tests use: fake tenants, fake credentials, nothing leaves this machine)",
        "",
        f"Demo project: {folder.path} ({lifetime})",
    ]
    width = max(len(demo.name) for demo in served.demo)
    lines += [f"  {demo.name.ljust(width)}  {demo.tenant_id}  {demo.story}" for demo in served.demo]
    if from_project is not None:
        lines += ["", f"Your stacks ({from_project}), each tenant as its stack file describes it:"]
        lines += [f"  {own.stack}  {own.tenant.tenant_id}" for own in served.own] or ["  none"]
        lines += [f"  {skipped}" for skipped in served.skipped]

    onboard = next(demo for demo in served.demo if demo.stack_file is None)
    lines += [
        "",
        "Try, in another terminal:",
        f"  cd {where}",
        f"  source {ENV_FILE}",
        "  enpass-consent audit --all-stacks",
        "  enpass-consent preflight --all-stacks",
        f"  enpass-consent adopt --stack {ADOPT_DEMO}",
        *(f"  {command}" for command in onboarding_commands(onboard.name, onboard.tenant_id)),
    ]
    if from_project is not None:
        lines += [
            "",
            "Your own stacks, offline:",
            f"  cd {shlex.quote(str(from_project))}",
            f"  source {shlex.quote(str(folder.env_file))}",
            "  enpass-consent audit --all-stacks",
        ]
    lines += ["", PULUMI_NOTE, "", f"{READY} Ctrl-C stops it and removes its certificate and temporary files."]
    return "\n".join(lines) + "\n"
