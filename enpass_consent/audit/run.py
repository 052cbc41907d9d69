"""Audit many stacks concurrently: each stack file -> settings -> Graph reads -> findings.

Whatever fails in one stack (its file, its settings, its sign-in, Graph) makes that stack ``error``
with a reason; every other stack still completes. A stack whose settings are invalid makes no
Graph call at all.
"""

from __future__ import annotations

import datetime
import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from enpass_consent import clouds, documents
from enpass_consent.audit import DEFAULT_CONCURRENCY
from enpass_consent.audit.collect import collect
from enpass_consent.audit.evaluate import evaluate, recorded_service_principal_mismatch
from enpass_consent.audit.result import AuditReport, TenantResult
from enpass_consent.audit.state import TenantState
from enpass_consent.graph.client import GraphClient
from enpass_consent.graph.errors import GraphClientError
from enpass_consent.graph.factory import GraphFactory
from enpass_consent.graph.redact import scrub
from enpass_consent.stack_runs import StackSettingsError, for_each_stack, load_settings

log = logging.getLogger(__name__)


def audit_stacks(
    project_dir: Path,
    stacks: Sequence[str],
    factory: GraphFactory,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    environ: Mapping[str, str] | None = None,
    on_done: Callable[[TenantResult], None] | None = None,
    attribution_days: int | None = None,
    now: datetime.datetime | None = None,
) -> AuditReport:
    """Audit ``stacks`` (in this order in the report), at most ``concurrency`` tenants at a time.

    ``attribution_days``: join the findings with the last N days of each tenant's audit log (None: off).
    """
    env = dict(os.environ if environ is None else environ)
    started = now or documents.now()
    results = for_each_stack(
        project_dir,
        stacks,
        lambda stack, config_dir: audit_stack(
            project_dir,
            stack,
            factory,
            env,
            config_dir=config_dir,
            attribution_days=attribution_days,
            now=started,
        ),
        concurrency=concurrency,
        on_done=on_done,
        thread_name="audit",
    )
    return AuditReport(tuple(results), generated_at=started)


def audit_for_fleet(project_dir: Path, stacks: Sequence[str]) -> dict[str, TenantResult]:
    """The audit of ``stacks`` keyed by stack, for ``fleet drift`` (one shared session and token cache)."""
    with GraphFactory(concurrency=DEFAULT_CONCURRENCY, command="fleet drift") as factory:
        print(f"enpass-consent: {factory.credential_note()}", file=sys.stderr)
        report = audit_stacks(project_dir, stacks, factory)
    return {tenant.stack: tenant for tenant in report.tenants}


def audit_stack(
    project_dir: Path,
    stack: str,
    factory: GraphFactory,
    environ: Mapping[str, str],
    *,
    config_dir: Path | None = None,
    attribution_days: int | None = None,
    now: datetime.datetime | None = None,
) -> TenantResult:
    result, state, client = _audit_stack(project_dir, stack, factory, environ, config_dir)
    if attribution_days is None:
        return result
    from enpass_consent.attribution.run import attribute

    def audit_log_client() -> GraphClient:
        assert client is not None
        return factory.audit_log_client(client)

    return attribute(result, state, audit_log_client, attribution_days, now or documents.now())


def _audit_stack(
    project_dir: Path, stack: str, factory: GraphFactory, environ: Mapping[str, str], config_dir: Path | None
) -> tuple[TenantResult, TenantState | None, GraphClient | None]:
    """The tenant's result, and (when it was read) its state and the client that read it."""
    try:
        desired = load_settings(project_dir, stack, config_dir=config_dir)
    except StackSettingsError as exc:
        return TenantResult.failed(stack, exc.tenant_id, str(exc)), None, None
    try:
        endpoints = clouds.endpoints(desired.cloud, environ)
        client = factory.client(endpoints, desired.tenant_id, desired.client_id, stack=stack)
        state = collect(client, desired)
    except (GraphClientError, ValueError) as exc:
        return TenantResult.failed(stack, desired.tenant_id, scrub(str(exc))), None, None
    except Exception as exc:  # one tenant's surprise must not cost the others their report
        log.debug("audit of %s failed", stack, exc_info=True)
        failed = TenantResult.failed(stack, desired.tenant_id, scrub(f"unexpected {type(exc).__name__}: {exc}"))
        return failed, None, None
    mismatch = recorded_service_principal_mismatch(desired.adopt.service_principal_object_id, state)
    if mismatch is not None:
        return TenantResult.failed(stack, desired.tenant_id, mismatch), None, None
    return TenantResult.evaluated(stack, desired.tenant_id, evaluate(desired, state)), state, client
