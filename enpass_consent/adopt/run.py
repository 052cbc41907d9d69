"""One adoption: read the stack file once, find what exists (as ``audit`` reads it), plan, render the edit."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from enpass_consent import clouds, settings
from enpass_consent.adopt import stack_edit
from enpass_consent.adopt.plan import AdoptionPlan, plan_adoption
from enpass_consent.adopt.stack_edit import LoadedStack
from enpass_consent.audit.collect import collect
from enpass_consent.audit.evaluate import recorded_service_principal_mismatch
from enpass_consent.graph.factory import GraphFactory


@dataclass(frozen=True)
class PreparedAdoption:
    loaded: LoadedStack
    tenant_id: str
    plan: AdoptionPlan
    new_bytes: bytes | None
    """The stack file with the new adopt block; None when there is nothing to adopt."""

    @property
    def changes_file(self) -> bool:
        return self.new_bytes is not None and self.new_bytes != self.loaded.original


def prepare(project_dir: Path, stack: str, factory: GraphFactory, environ: Mapping[str, str]) -> PreparedAdoption:
    """Everything up to (not including) the write.

    Raises ``StackFileError``, ``SettingsError`` (the message names the file), ``GraphClientError``.
    """
    loaded = stack_edit.load(project_dir, stack)
    try:
        desired = stack_edit.settings_without_adopt(loaded)
    except settings.SettingsError as exc:
        raise ValueError(f"{loaded.path}: {exc}") from None
    client = factory.client(clouds.endpoints(desired.cloud, environ), desired.tenant_id, desired.client_id, stack=stack)
    state = collect(client, desired)
    mismatch = recorded_service_principal_mismatch(recorded_service_principal(loaded), state)
    if mismatch is not None:
        raise ValueError(f"{loaded.path}: {mismatch}")
    plan = plan_adoption(desired, state)
    if plan.adoption is None:
        return PreparedAdoption(loaded, desired.tenant_id, plan, None)
    new_bytes = stack_edit.with_adoption(loaded, plan.adoption)
    # What is written must read back through the one settings parser, exactly as the program reads it.
    settings.parse(stack_edit.config_of(loaded.path, new_bytes))
    return PreparedAdoption(loaded, desired.tenant_id, plan, new_bytes)


def recorded_service_principal(loaded: LoadedStack) -> str | None:
    """The SP object id an earlier adopt block records, when it records a GUID (the rest of it may be stale)."""
    raw = loaded.config.get(settings.ADOPT)
    try:
        block = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return None
    value = block.get(settings.ADOPT_SERVICE_PRINCIPAL) if isinstance(block, dict) else None
    return settings.guid_or_none(value) if isinstance(value, str) else None
