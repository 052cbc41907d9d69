"""What the sandbox's emulator serves: the demo tenants, plus the tenants of the user's own stacks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from enpass_consent import stackfile
from enpass_consent.emulator import scenarios
from enpass_consent.emulator.demo import DemoTenant, demo_tenants
from enpass_consent.emulator.state import Tenant
from enpass_consent.stack_runs import StackSettingsError, load_settings


class ProjectError(ValueError):
    """``--from-project`` names no usable Pulumi project; nothing was started."""


@dataclass(frozen=True)
class ServedStack:
    """A tenant built from one of the user's stack files, as its settings describe it."""

    stack: str
    tenant: Tenant


@dataclass
class Served:
    demo: list[DemoTenant]
    own: list[ServedStack] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """One line per stack of the user's project that is not served, saying why."""

    @property
    def tenants(self) -> list[Tenant]:
        return [demo.tenant for demo in self.demo] + [served.tenant for served in self.own]


def served_tenants(project_dir: Path | None) -> Served:
    """The demo tenants, and with ``project_dir`` one in-sync tenant per valid stack there.

    A stack whose settings are invalid is not served (``audit`` reports its error without asking the
    sandbox); two stacks naming one tenant get the first one's tenant.
    """
    served = Served(demo_tenants())
    if project_dir is None:
        return served
    if not (project_dir / stackfile.PROJECT_FILE).is_file():
        raise ProjectError(
            f"--from-project: {project_dir} holds no {stackfile.PROJECT_FILE}; name a Pulumi project folder"
        )
    try:
        stacks = stackfile.all_stacks(project_dir)
    except stackfile.StackFileError as exc:
        raise ProjectError(f"--from-project: {exc}") from None
    if not stacks:
        raise ProjectError(f"--from-project: no Pulumi.<stack>.yaml in {stackfile.stack_config_dir(project_dir)}")
    taken = {demo.tenant_id.lower(): f"the demo stack {demo.name}" for demo in served.demo}
    for stack in stacks:
        try:
            settings = load_settings(project_dir, stack)
        except StackSettingsError as exc:
            served.skipped.append(f"{stack}: not served, its settings are invalid ({exc})")
            continue
        owner = taken.get(settings.tenant_id.lower())
        if owner is not None:
            served.skipped.append(f"{stack}: not served, tenant {settings.tenant_id} is already served for {owner}")
            continue
        taken[settings.tenant_id.lower()] = f"stack {stack}"
        served.own.append(ServedStack(stack, scenarios.tenant_as_described(settings, display_name=stack)))
    return served
