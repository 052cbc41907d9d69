"""Preflight of many stacks: settings -> sign-in -> collect -> checks, one tenant at a time per worker.

Like ``audit``: every selected stack appears once in the report whatever fails, and a stack whose
settings are invalid makes no Graph call. A 403 is a failed check (inside ``collect``); every other
Graph or sign-in failure makes that tenant ``error``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from enpass_consent import clouds
from enpass_consent.graph.errors import GraphClientError
from enpass_consent.graph.factory import GraphFactory
from enpass_consent.graph.redact import scrub
from enpass_consent.preflight import DEFAULT_CONCURRENCY
from enpass_consent.preflight.checks import run_checks
from enpass_consent.preflight.collect import collect
from enpass_consent.preflight.result import PreflightReport, TenantPreflight
from enpass_consent.preflight.token_claims import TokenClaimsError, identity_from_token
from enpass_consent.stack_runs import StackSettingsError, for_each_stack, load_settings

log = logging.getLogger(__name__)


def preflight_stacks(
    project_dir: Path,
    stacks: Sequence[str],
    factory: GraphFactory,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    environ: Mapping[str, str] | None = None,
    on_done: Callable[[TenantPreflight], None] | None = None,
) -> PreflightReport:
    env = dict(os.environ if environ is None else environ)
    results = for_each_stack(
        project_dir,
        stacks,
        lambda stack, config_dir: preflight_stack(project_dir, stack, factory, env, config_dir=config_dir),
        concurrency=concurrency,
        on_done=on_done,
        thread_name="preflight",
    )
    return PreflightReport(tuple(results))


def preflight_stack(
    project_dir: Path,
    stack: str,
    factory: GraphFactory,
    environ: Mapping[str, str],
    *,
    config_dir: Path | None = None,
) -> TenantPreflight:
    try:
        desired = load_settings(project_dir, stack, config_dir=config_dir)
    except StackSettingsError as exc:
        return TenantPreflight.failed(stack, exc.tenant_id, str(exc))
    try:
        endpoints = clouds.endpoints(desired.cloud, environ)
        # The same provider (and msal cache) the client uses: reading the claims costs no extra request.
        token = factory.token_provider(endpoints, desired.tenant_id, desired.client_id, stack=stack).get_token()
        identity = identity_from_token(token)
        del token
        client = factory.client(endpoints, desired.tenant_id, desired.client_id, stack=stack)
        state = collect(client, desired, identity)
    except (GraphClientError, TokenClaimsError, ValueError) as exc:
        return TenantPreflight.failed(stack, desired.tenant_id, scrub(str(exc)))
    except Exception as exc:  # one tenant's surprise must not cost the others their report
        log.debug("preflight of %s failed", stack, exc_info=True)
        return TenantPreflight.failed(stack, desired.tenant_id, scrub(f"unexpected {type(exc).__name__}: {exc}"))
    return TenantPreflight.checked(stack, desired.tenant_id, run_checks(desired, state))
