"""Initialise many tenants: check every row, look the tenants up, then read, describe and write each.

1. Each row on its own: a stack name (given, or the domain's first label), a tenant that parses.
2. Look-ups, concurrently: a domain (or, when the tenant is not read anyway, a tenant id) -> tenant id,
   without credentials.
3. Duplicates: a stack or a tenant (also two domains of one tenant) named on several rows is an error
   for every row naming it.
4. Per row, concurrently: the stack file must not exist; with ``from_tenant`` the tenant is read like
   ``audit`` (one ``$batch``; a tenant id costs no look-up, its sign-in checks it); the file is rendered,
   checked, created (never overwriting) and, with a stack creator, the stack is created, or the file
   removed again when that fails.

Whatever fails in one row is that row's ``error``; every other row still completes.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from enpass_consent import clouds, settings, stackfile, tenant_lookup
from enpass_consent.audit.collect import collect
from enpass_consent.files import create_new
from enpass_consent.graph.errors import AuthError, GraphClientError
from enpass_consent.graph.redact import scrub
from enpass_consent.init import DEFAULT_CONCURRENCY
from enpass_consent.init.describe import Outcome, blank, describe
from enpass_consent.init.result import InitReport, StackResult, Status
from enpass_consent.init.rows import Request
from enpass_consent.init.stack_text import render
from enpass_consent.tenant_lookup import TenantLookupError, TenantRef

if TYPE_CHECKING:
    from enpass_consent.graph.factory import GraphFactory

log = logging.getLogger(__name__)

StackCreator = Callable[[str], None]
"""Creates a stack in the Pulumi backend; raises with Pulumi's reason."""


@dataclass(frozen=True)
class Options:
    project_dir: Path
    from_tenant: bool = False
    write: bool = False
    secrets_provider: str | None = None
    """Passed to ``pulumi stack init`` (created here, or in the command shown)."""
    concurrency: int = DEFAULT_CONCURRENCY


@dataclass(frozen=True)
class _Row:
    request: Request
    stack: str | None = None
    ref: TenantRef | None = None
    error: str | None = None


@dataclass(frozen=True)
class _Run:
    """What every row of one run shares."""

    options: Options
    config_dir: Path
    endpoints: clouds.Endpoints
    session: requests.Session
    graph: GraphFactory | None
    create_stack: StackCreator | None

    def lookup(self, ref: TenantRef) -> TenantRef:
        return tenant_lookup.resolve(ref, self.endpoints.authority_host, self.session)


def stack_init_command(stack: str, secrets_provider: str | None) -> str:
    """The command that creates ``stack`` by hand (shown when init does not create it)."""
    command = ["pulumi", "stack", "init", stack]
    if secrets_provider:
        command += ["--secrets-provider", secrets_provider]
    return shlex.join(command)


def init_tenants(
    wanted: Sequence[Request],
    options: Options,
    *,
    config_dir: Path,
    lookup_session: requests.Session,
    graph: GraphFactory | None = None,
    create_stack: StackCreator | None = None,
    environ: Mapping[str, str] | None = None,
    on_done: Callable[[StackResult], None] | None = None,
) -> InitReport:
    """Initialise every request (in this order in the report).

    ``config_dir`` is the project's stack folder; ``graph`` is required with ``options.from_tenant``.
    """
    if options.from_tenant and graph is None:
        raise ValueError("from_tenant needs a GraphFactory")
    run = _Run(options, config_dir, clouds.endpoints(clouds.GLOBAL, environ), lookup_session, graph, create_stack)
    rows = [_checked(request) for request in wanted]
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency), thread_name_prefix="init") as pool:
        rows = list(pool.map(lambda row: _looked_up(row, run), rows))
        rows = _without_duplicates(rows)

        def one(row: _Row) -> StackResult:
            result = _initialise(row, run)
            if on_done is not None:
                on_done(result)
            return result

        results = list(pool.map(one, rows))
    return InitReport(tuple(results), options.from_tenant, options.write)


# --- 1. each row on its own ------------------------------------------------------------------------
def _checked(request: Request) -> _Row:
    if request.problem:
        return _Row(request, request.stack, error=request.problem)
    try:
        ref = tenant_lookup.parse(request.tenant)
    except TenantLookupError as exc:
        return _Row(request, request.stack, error=f"{request.where('tenant')}: {exc}")
    stack = request.stack or ref.first_label
    if stack is None:
        return _Row(request, None, ref, f"--stack: name the stack; it cannot be derived from a tenant id ({ref.text})")
    try:
        stackfile.check_stack_name(stack)
    except stackfile.StackFileError as exc:
        option = "stack" if request.stack else "tenant"
        derived = "" if request.stack else f" (the first label of {ref.domain}; give --stack)"
        return _Row(request, stack, ref, f"{request.where(option)}: {exc}{derived}")
    return _Row(request, stack, ref)


# --- 2. look-ups -----------------------------------------------------------------------------------
def _looked_up(row: _Row, run: _Run) -> _Row:
    ref = row.ref
    if row.error is not None or ref is None:
        return row
    if ref.tenant_id is not None and run.options.from_tenant:
        return row  # signing in to the tenant checks it, without a round trip of its own
    try:
        return replace(row, ref=run.lookup(ref))
    except TenantLookupError as exc:
        return replace(row, error=f"{row.request.where('tenant')}: {exc}")


# --- 3. duplicates (after the look-ups: two domains may name one tenant) ----------------------------------
def _stack_key(row: _Row) -> str | None:
    # Stack files differ only in case on a case-insensitive file system (macOS, Windows): one file.
    return row.stack.casefold() if row.stack else None


def _tenant_key(row: _Row) -> str | None:
    return row.ref.tenant_id if row.ref else None


def _without_duplicates(rows: list[_Row]) -> list[_Row]:
    """Every row whose stack or tenant another row names too becomes an error naming the other rows."""
    usable = [index for index, row in enumerate(rows) if row.error is None]
    problems: dict[int, list[str]] = {}
    for what, key in (("stack", _stack_key), ("tenant", _tenant_key)):
        groups: dict[str, list[int]] = {}
        for index in usable:
            value = key(rows[index])
            if value is not None:
                groups.setdefault(value, []).append(index)
        for indexes in (group for group in groups.values() if len(group) > 1):
            for index in indexes:
                others = ", ".join(_place(rows[other].request) for other in indexes if other != index)
                problems.setdefault(index, []).append(_duplicate(rows[index], what, others))
    return [replace(row, error="; ".join(problems[i])) if i in problems else row for i, row in enumerate(rows)]


def _duplicate(row: _Row, what: str, others: str) -> str:
    if what == "stack":
        return f"{row.request.where(what)}: stack {row.stack!r} is also named on {others}; each stack may appear once"
    ref = row.ref
    named = f"{ref.text!r}" + (f" (tenant {ref.tenant_id})" if ref.tenant_id != ref.text.strip() else "") if ref else ""
    return f"{row.request.where(what)}: tenant {named} is also named on {others}; each tenant may appear once"


def _place(request: Request) -> str:
    return f"line {request.line}" if request.line is not None else "the command line"


# --- 4. per row --------------------------------------------------------------------------------------
def _initialise(row: _Row, run: _Run) -> StackResult:
    request, ref, stack = row.request, row.ref, row.stack
    base = StackResult(request.tenant, Status.ERROR, stack, ref.tenant_id if ref else None, request.line)
    if row.error is not None or ref is None or ref.tenant_id is None or stack is None:
        return replace(base, error=row.error or "internal: row without a tenant")
    options = run.options
    path = run.config_dir / f"Pulumi.{stack}.yaml"
    base = replace(base, file=str(path))
    if path.exists():
        return replace(
            base,
            error=f"{path}: exists; init never overwrites a stack file (`enpass-consent adopt --stack {stack}` "
            "records existing consent in it)",
        )
    try:
        outcome = _outcome(ref, request, run)
        raw = render(stack, path, outcome)
    except GraphClientError as exc:
        return replace(base, error=_read_error(request, ref, exc, run))
    except Exception as exc:  # one tenant's surprise must not cost the others their result
        log.debug("init of %s failed", stack, exc_info=True)
        return replace(base, error=scrub(f"{request.where('tenant')}: unexpected {type(exc).__name__}: {exc}"))
    result = replace(
        base,
        status=Status.LEFT_OUT if outcome.left_out else Status.DESCRIBED,
        content=raw.decode("utf-8"),
        left_out=outcome.left_out,
        stack_init=stack_init_command(stack, options.secrets_provider),
    )
    if not options.write:
        return result
    try:
        create_new(path, raw)
    except FileExistsError:
        return replace(base, error=f"{path}: appeared while init ran; init never overwrites a stack file")
    except OSError as exc:
        return replace(base, error=f"{path}: cannot write ({exc.strerror or exc}); nothing was written")
    result = replace(result, written=True)
    if run.create_stack is None:
        return result
    try:
        run.create_stack(stack)
    except Exception as exc:
        return replace(base, error=f"pulumi stack init {stack} failed: {scrub(str(exc))}; {_undo(path, raw)}")
    return replace(result, stack_created=True, stack_init=None)


def _outcome(ref: TenantRef, request: Request, run: _Run) -> Outcome:
    tenant_id = ref.tenant_id or ""
    if not run.options.from_tenant or run.graph is None:
        return blank(tenant_id, request.client_id, ref.domain)
    client = run.graph.client(run.endpoints, tenant_id, request.client_id)
    # No groups by name to look up: the minimal settings make collect read exactly audit's reads.
    state = collect(client, settings.parse({settings.TENANT_ID: tenant_id}))
    return describe(tenant_id, request.client_id, ref.domain, state)


def _read_error(request: Request, ref: TenantRef, exc: GraphClientError, run: _Run) -> str:
    where = request.where("tenant")
    if isinstance(exc, AuthError) and ref.domain is None:
        # A tenant id is not looked up before signing in (a round trip saved); when the sign-in
        # fails, the look-up says whether the id names a tenant at all, which msal's error hides.
        try:
            run.lookup(ref)
        except TenantLookupError as lookup_error:
            return f"{where}: {lookup_error}"
    return f"{where} ({ref.text}): {exc}"


def _undo(path: Path, written: bytes) -> str:
    """Remove the file this run wrote, so a failed row leaves nothing behind; say what happened."""
    try:
        if path.read_bytes() != written:
            return f"{path} was changed meanwhile and is left as it is"
        path.unlink()
    except OSError as exc:
        return f"{path} could not be removed again ({exc.strerror or exc})"
    return f"{path} was removed again"
