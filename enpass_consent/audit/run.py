"""Audit many stacks concurrently: each stack file -> settings -> Graph reads -> findings.

Whatever fails in one stack (its file, its settings, its sign-in, Graph) makes that stack ``error``
with a reason; every other stack still completes. A stack whose settings are invalid makes no
Graph call at all.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from enpass_consent import clouds, settings, stackfile
from enpass_consent.audit import DEFAULT_CONCURRENCY
from enpass_consent.audit.collect import collect
from enpass_consent.audit.evaluate import evaluate
from enpass_consent.audit.result import AuditReport, TenantResult
from enpass_consent.graph.errors import GraphClientError
from enpass_consent.graph.factory import GraphFactory
from enpass_consent.graph.redact import scrub

log = logging.getLogger(__name__)


def audit_stacks(
    project_dir: Path,
    stacks: Sequence[str],
    factory: GraphFactory,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    environ: Mapping[str, str] | None = None,
    on_done: Callable[[TenantResult], None] | None = None,
) -> AuditReport:
    """Audit ``stacks`` (in this order in the report), at most ``concurrency`` tenants at a time."""
    env = dict(os.environ if environ is None else environ)
    # Pulumi.yaml is read once per run, not once per stack; when it is unusable, every stack
    # still reports that error itself (load_settings reads it again and fails the same way).
    try:
        config_dir: Path | None = stackfile.stack_config_dir(project_dir)
    except stackfile.StackFileError:
        config_dir = None

    def one(stack: str) -> TenantResult:
        result = audit_stack(project_dir, stack, factory, env, config_dir=config_dir)
        if on_done is not None:
            on_done(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="audit") as pool:
        results = list(pool.map(one, stacks))
    return AuditReport(tuple(results))


def audit_for_fleet(project_dir: Path, stacks: Sequence[str]) -> dict[str, TenantResult]:
    """The audit of ``stacks`` keyed by stack, for ``fleet drift`` (one shared session and token cache)."""
    with GraphFactory(concurrency=DEFAULT_CONCURRENCY) as factory:
        print(f"enpass-consent: {factory.credential_note()}", file=sys.stderr)
        report = audit_stacks(project_dir, stacks, factory)
    return {tenant.stack: tenant for tenant in report.tenants}


def load_settings(
    project_dir: Path, stack: str, *, config_dir: Path | None = None
) -> tuple[settings.Settings | None, TenantResult | None]:
    """The stack's settings, or the ``error`` result that says why they cannot be used.

    ``config_dir``: the stack folder when the caller has resolved it already (``stackfile.read``).
    """
    try:
        stack_file = stackfile.read(project_dir, stack, config_dir=config_dir)
    except stackfile.StackFileError as exc:
        return None, TenantResult.failed(stack, exc.tenant_id, str(exc))
    try:
        return settings.parse(stack_file.config), None
    except settings.SettingsError as exc:
        return None, TenantResult.failed(
            stack, settings.guid_or_none(stack_file.config.get(settings.TENANT_ID)), f"{stack_file.path}: {exc}"
        )


def audit_stack(
    project_dir: Path,
    stack: str,
    factory: GraphFactory,
    environ: Mapping[str, str],
    *,
    config_dir: Path | None = None,
) -> TenantResult:
    desired, failure = load_settings(project_dir, stack, config_dir=config_dir)
    if failure is not None or desired is None:
        return failure or TenantResult.failed(stack, None, "no settings")
    try:
        endpoints = clouds.endpoints(desired.cloud, environ)
        client = factory.client(endpoints, desired.tenant_id, desired.client_id)
        state = collect(client, desired)
    except (GraphClientError, ValueError) as exc:
        return TenantResult.failed(stack, desired.tenant_id, scrub(str(exc)))
    except Exception as exc:  # one tenant's surprise must not cost the others their report
        log.debug("audit of %s failed", stack, exc_info=True)
        return TenantResult.failed(stack, desired.tenant_id, scrub(f"unexpected {type(exc).__name__}: {exc}"))
    return TenantResult.evaluated(stack, desired.tenant_id, evaluate(desired, state))
