"""Fleet audit speed against its floor: the real audit vs a raw control client vs a naive baseline.

The targets: benchmarks/README.md#targets.

For each (N tenants, latency L, concurrency C) the emulator serves N in-sync tenants with L seconds
added to every HTTP request, and three clients audit them:

- ``audit``: the library entry point ``audit_stacks`` with a real ``GraphFactory`` (msal, retries,
  evaluation), exactly what ``enpass-consent audit --concurrency C`` runs;
- ``control``: plain ``requests`` making the same 3 round trips per tenant (discovery GET, token POST,
  one ``$batch`` POST carrying ``requests_for(settings)``), same pool size, same thread pool size;
- ``naive`` (optional): sequential, one request per endpoint, no ``$batch`` (8 round trips per tenant).

With ``--attribution SHARE`` the audit runs with ``--attribution`` over tenants of which ``SHARE`` have drift
and the audit events that explain it, and the control adds the same audit-log ``$batch`` for those
(:mod:`benchmarks.attribution`); the bound then counts 4 round trips for each of them.

The lower bound of a batched audit is ``N * 3 * L / C``. Run from the repository root::

    .venv/bin/python -m benchmarks.fleet_audit --grid --out benchmarks/results.json
    .venv/bin/python -m benchmarks.fleet_audit --n 1000 --latency-ms 100 --concurrency 32

The emulator runs in a separate process by default (``--emulator subprocess``): on a 2-core machine
a server sharing the client's GIL would slow the client down and blur the comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import multiprocessing.connection
import os
import platform
import random
import resource
import shlex
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests
from requests.adapters import HTTPAdapter

from benchmarks import attribution
from enpass_consent import clouds, documents, settings
from enpass_consent.attribution.collect import since_text
from enpass_consent.attribution.result import AttributionStatus
from enpass_consent.audit.collect import requests_for
from enpass_consent.audit.result import Status
from enpass_consent.audit.run import audit_stacks
from enpass_consent.emulator import TEST_CLIENT_ID, TEST_CLIENT_SECRET, scenarios
from enpass_consent.emulator.server import Emulator
from enpass_consent.graph.client import NEXT_LINK, BatchRequest
from enpass_consent.graph.factory import GraphFactory

SEED = 20261127
ROUND_TRIPS = 3
"""R: discovery, token, one $batch."""
NAIVE_ENDPOINTS = ("sp", "grants", "appPermissions", "assignedTo", "owners", "graphSp")
NAIVE_ROUND_TRIPS = 2 + len(NAIVE_ENDPOINTS)
GRID_N = (50, 200, 1000)
GRID_LATENCY_MS = (20, 100)
GRID_CONCURRENCY = (1, 8, 32)
ROW_BUDGET_SECONDS = 150.0
"""A client run whose lower bound exceeds this is skipped in ``--grid`` (unless ``--no-skip``)."""
MODULE = "benchmarks.fleet_audit"


# --- tenants and stack files ------------------------------------------------------------------------


def tenant_ids(n: int, seed: int = SEED) -> list[str]:
    """``n`` deterministic tenant ids (version-4 shaped GUIDs) from ``seed``."""
    rng = random.Random(seed)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)]


def stack_name(index: int) -> str:
    return f"t{index:05d}"


def write_project(directory: Path, ids: Sequence[str]) -> list[str]:
    """One ``Pulumi.<stack>.yaml`` per tenant (only ``azuread:tenantId``: the default settings)."""
    (directory / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    stacks = []
    for index, tenant_id in enumerate(ids):
        stack = stack_name(index)
        (directory / f"Pulumi.{stack}.yaml").write_text(f"config:\n  azuread:tenantId: {tenant_id}\n")
        stacks.append(stack)
    return stacks


# --- the emulator, in this process or in its own ------------------------------------------------------


@dataclass(frozen=True)
class RequestCounts:
    """What the emulator saw during one client run."""

    tenants: int
    round_trips: int
    round_trips_max: int
    items: int
    by_kind: dict[str, int]

    @property
    def per_tenant(self) -> float:
        return self.round_trips / self.tenants if self.tenants else 0.0

    @property
    def items_per_tenant(self) -> float:
        return self.items / self.tenants if self.tenants else 0.0


class EmulatorHandle(Protocol):
    base_url: str
    ca_bundle: str

    def setup(
        self, ids: Sequence[str], latency: float, drifted: Sequence[str] | None = None, page_size: int | None = None
    ) -> None: ...

    def take_counts(self) -> RequestCounts: ...

    def close(self) -> None: ...


def _counts(emulator: Emulator) -> RequestCounts:
    records = emulator.recorder.all
    emulator.recorder.clear()
    trips = Counter(r.tenant.lower() for r in records if not r.is_item and r.tenant)
    items = sum(1 for r in records if r.is_item)
    kinds = Counter(str(r.kind) for r in records if not r.is_item)
    return RequestCounts(len(trips), sum(trips.values()), max(trips.values(), default=0), items, dict(kinds))


def _setup(
    emulator: Emulator,
    ids: Sequence[str],
    latency: float,
    drifted: Sequence[str] | None = None,
    page_size: int | None = None,
) -> None:
    """In-sync tenants; with ``drifted`` (attribution mode), those have drift explained by their audit log."""
    emulator.reset()
    drift = set(drifted or ())
    for tenant_id in ids:
        if drifted is None:
            emulator.add_tenant(scenarios.in_sync_tenant(tenant_id))
        else:
            emulator.add_tenant(attribution.tenant(tenant_id, drift=tenant_id in drift))
    emulator.latency = latency
    if page_size is not None:
        emulator.page_size = page_size


class InProcessEmulator:
    """The emulator's server threads share this process (and its GIL) with the client."""

    def __init__(self, emulator: Emulator | None = None) -> None:
        self._owned = emulator is None
        self._emulator = Emulator().start() if emulator is None else emulator
        self.base_url = self._emulator.base_url
        self.ca_bundle = self._emulator.ca_bundle

    def setup(
        self, ids: Sequence[str], latency: float, drifted: Sequence[str] | None = None, page_size: int | None = None
    ) -> None:
        _setup(self._emulator, ids, latency, drifted, page_size)

    def take_counts(self) -> RequestCounts:
        return _counts(self._emulator)

    def close(self) -> None:
        if self._owned:
            self._emulator.stop()


def _serve(connection: multiprocessing.connection.Connection) -> None:
    """Child process: run an emulator and answer commands until ``stop``."""
    emulator = Emulator().start()
    connection.send((emulator.base_url, emulator.ca_bundle))
    while True:
        command, args = connection.recv()
        if command == "setup":
            _setup(emulator, *args)
            connection.send(None)
        elif command == "counts":
            connection.send(_counts(emulator))
        else:
            emulator.stop()
            connection.send(None)
            return


class SubprocessEmulator:
    """The emulator in its own process (own GIL, own core): the client is measured alone."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name="graph-emulator", daemon=True)
        self._process.start()
        self.base_url, self.ca_bundle = self._connection.recv()

    def _call(self, command: str, *args: Any) -> Any:
        self._connection.send((command, args))
        return self._connection.recv()

    def setup(
        self, ids: Sequence[str], latency: float, drifted: Sequence[str] | None = None, page_size: int | None = None
    ) -> None:
        self._call("setup", list(ids), latency, None if drifted is None else list(drifted), page_size)

    def take_counts(self) -> RequestCounts:
        counts: RequestCounts = self._call("counts")
        return counts

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError):
            self._call("stop")
        self._process.join(timeout=10)


def start_emulator(mode: str) -> EmulatorHandle:
    return SubprocessEmulator() if mode == "subprocess" else InProcessEmulator()


def audit_environ(base_url: str, ca_bundle: str) -> dict[str, str]:
    """What the CLI would see in CI, pointed at the emulator (and nothing from the caller's environment)."""
    return {
        clouds.AUTHORITY_HOST_ENV: base_url,
        clouds.GRAPH_URL_ENV: base_url,
        clouds.CA_BUNDLE_ENV: ca_bundle,
        "ARM_CLIENT_ID": TEST_CLIENT_ID,
        "ARM_CLIENT_SECRET": TEST_CLIENT_SECRET,
        "CI": "true",
    }


# --- the three clients --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fleet:
    project_dir: Path
    stacks: list[str]
    ids: list[str]
    environ: dict[str, str]
    drifted: frozenset[str] | None = None
    """Attribution mode: the tenants with drift and audit events (None: every tenant in sync, no attribution)."""


def run_audit(fleet: Fleet, concurrency: int) -> float:
    """Wall seconds of ``audit_stacks`` (factory construction included); every tenant must come back as built."""
    days = None if fleet.drifted is None else attribution.DAYS
    started = time.perf_counter()
    with GraphFactory(fleet.environ, concurrency) as factory:
        report = audit_stacks(
            fleet.project_dir,
            fleet.stacks,
            factory,
            concurrency=concurrency,
            environ=fleet.environ,
            attribution_days=days,
        )
    elapsed = time.perf_counter() - started
    drifted = fleet.drifted or frozenset()
    bad = [
        (t.stack, t.status, t.error or t.attribution.reason)
        for t in report.tenants
        if t.status != (Status.DRIFT if t.tenant_id in drifted else Status.IN_SYNC)
        or (days is not None and t.attribution.status is not AttributionStatus.OK)
    ]
    if bad:
        raise RuntimeError(f"{len(bad)} tenants not as built, e.g. {bad[:3]}")
    if days is not None:
        unexplained = [
            (t.stack, f.code)
            for t in report.tenants
            for index, f in enumerate(t.findings)
            if f.is_drift and (f.code not in attribution.EXPLAINED_FINDINGS or t.last_change(index) is None)
        ]
        if unexplained:
            raise RuntimeError(f"{len(unexplained)} findings not attributed as built, e.g. {unexplained[:3]}")
    return elapsed


def raw_session(ca_bundle: str, pool_size: int) -> requests.Session:
    """Plain requests: no retries, no msal; the same pool size as the audit's session."""
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_bundle
    session.mount("https://", HTTPAdapter(pool_connections=8, pool_maxsize=max(1, pool_size)))
    return session


def _token(session: requests.Session, tenant_id: str, endpoints: clouds.Endpoints) -> str:
    discovery = session.get(f"{endpoints.authority(tenant_id)}/v2.0/.well-known/openid-configuration", timeout=60)
    discovery.raise_for_status()
    response = session.post(
        discovery.json()["token_endpoint"],
        data={
            "grant_type": "client_credentials",
            "client_id": TEST_CLIENT_ID,
            "client_secret": TEST_CLIENT_SECRET,
            "scope": endpoints.token_scope,
        },
        timeout=60,
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


def post_batch(
    session: requests.Session, endpoints: clouds.Endpoints, token: str, batch: Sequence[BatchRequest]
) -> dict[str, Any]:
    """One ``POST $batch`` (≤ 20 items), then one more per round of ``@odata.nextLink`` pages; the bodies by item id.

    What the tool's client sends: a paged item's next link goes into the next ``$batch`` round, its pages'
    values are merged. No retries, no checks beyond the status.
    """
    pending = {request.id: request.url for request in batch}
    bodies: dict[str, Any] = {}
    base = endpoints.graph_base
    while pending:
        ids = list(pending)
        payload = {"requests": [{"id": str(i), "method": "GET", "url": pending[id_]} for i, id_ in enumerate(ids)]}
        response = session.post(
            f"{base}/$batch",
            json=payload,
            headers={"Accept": "application/json", "Authorization": f"Bearer {token}"},
            timeout=60,
        )
        response.raise_for_status()
        answers = response.json()["responses"]
        if len(answers) != len(ids):
            raise RuntimeError("control: short $batch answer")
        pending = {}
        for answer in answers:
            id_ = ids[int(answer["id"])]
            body = answer.get("body") or {}
            if id_ in bodies and isinstance(body, dict):
                bodies[id_]["value"].extend(body.get("value") or [])
            else:
                bodies[id_] = body
            link = body.get(NEXT_LINK) if isinstance(body, dict) else None
            if link:
                pending[id_] = str(link)[len(base) :]
    return bodies


def _control_one(
    session: requests.Session, tenant_id: str, endpoints: clouds.Endpoints, audit_log_since: str | None = None
) -> None:
    """3 round trips; with ``audit_log_since`` (a tenant with drift, attribution on) the audit-log ``$batch`` too."""
    token = _token(session, tenant_id, endpoints)
    answers = post_batch(session, endpoints, token, requests_for(settings.parse({settings.TENANT_ID: tenant_id})))
    if audit_log_since is not None:
        post_batch(session, endpoints, token, attribution.audit_log_requests(answers, audit_log_since))


def _naive_one(session: requests.Session, tenant_id: str, endpoints: clouds.Endpoints) -> None:
    token = _token(session, tenant_id, endpoints)
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
    for request in requests_for(settings.parse({settings.TENANT_ID: tenant_id})):
        response = session.get(f"{endpoints.graph_base}{request.url}", headers=headers, timeout=60)
        response.raise_for_status()
        response.json()


def _endpoints(fleet: Fleet) -> clouds.Endpoints:
    return clouds.endpoints(clouds.GLOBAL, fleet.environ)


def run_control(fleet: Fleet, concurrency: int) -> float:
    """Wall seconds of the raw control client: 3 round trips per tenant, ``concurrency`` threads."""
    endpoints = _endpoints(fleet)
    started = time.perf_counter()
    since = since_text(documents.now(), attribution.DAYS)
    drifted = fleet.drifted or frozenset()

    def one(tenant_id: str) -> None:
        _control_one(session, tenant_id, endpoints, since if tenant_id in drifted else None)

    with (
        raw_session(fleet.environ[clouds.CA_BUNDLE_ENV], concurrency) as session,
        ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="control") as pool,
    ):
        list(pool.map(one, fleet.ids))
    return time.perf_counter() - started


def run_naive(fleet: Fleet) -> float:
    """Wall seconds of the naive baseline: sequential, one request per endpoint, no ``$batch``."""
    endpoints = _endpoints(fleet)
    started = time.perf_counter()
    with raw_session(fleet.environ[clouds.CA_BUNDLE_ENV], 1) as session:
        for tenant_id in fleet.ids:
            _naive_one(session, tenant_id, endpoints)
    return time.perf_counter() - started


# --- rows -----------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    wall_seconds: float
    """Median of the repeats."""
    walls: list[float]
    round_trips_per_tenant: float
    round_trips_max: int
    items_per_tenant: float
    by_kind: dict[str, int]


@dataclass
class Row:
    n: int
    latency_ms: float
    concurrency: int
    emulator: str
    seed: int
    command: str
    bound_seconds: float
    audit: Measurement | None = None
    control: Measurement | None = None
    naive: Measurement | None = None
    naive_bound_seconds: float = 0.0
    skipped: dict[str, str] = field(default_factory=dict)
    attribution: float | None = None
    """``--attribution SHARE``: the share of tenants with drift and audit events (None: plain audit)."""
    drifted: int = 0
    """Tenants with drift (attribution mode): 4 round trips each in the bound."""
    recorded_at: str = ""
    """When this row was measured (UTC); the file's ``date`` is only its last write."""

    @property
    def key(self) -> tuple[int, float, int, str, float | None]:
        return (self.n, self.latency_ms, self.concurrency, self.emulator, self.attribution)


def lower_bound(n: int, latency: float, concurrency: int, round_trips: float = ROUND_TRIPS) -> float:
    """N·R·L/C: every round trip waits L, at most C tenants are in flight (R: the mean round trips per tenant)."""
    return n * round_trips * latency / max(1, concurrency)


def measure(run: Callable[[], float], emulator: EmulatorHandle, tenants: int, repeat: int) -> Measurement:
    walls: list[float] = []
    counts: RequestCounts | None = None
    for _ in range(max(1, repeat)):
        emulator.take_counts()  # start from an empty recorder
        walls.append(run())
        counts = emulator.take_counts()
    assert counts is not None
    if counts.tenants != tenants:
        raise RuntimeError(f"expected requests from {tenants} tenants, saw {counts.tenants}")
    return Measurement(
        statistics.median(walls),
        walls,
        counts.per_tenant,
        counts.round_trips_max,
        counts.items_per_tenant,
        counts.by_kind,
    )


def row_command(n: int, latency_ms: float, concurrency: int, emulator: str, seed: int, extra: Sequence[str]) -> str:
    argv = [
        ".venv/bin/python",
        "-m",
        MODULE,
        "--n",
        str(n),
        "--latency-ms",
        f"{latency_ms:g}",
        "--concurrency",
        str(concurrency),
        "--emulator",
        emulator,
        "--seed",
        str(seed),
        *extra,
    ]
    return shlex.join(argv)


@contextlib.contextmanager
def fleet_for(
    emulator: EmulatorHandle,
    n: int,
    latency: float,
    seed: int,
    share: float | None = None,
    page_size: int | None = None,
) -> Iterator[Fleet]:
    """N tenants in the emulator and their project; with ``share``, that share has drift and audit events."""
    ids = tenant_ids(n, seed)
    drifted = None if share is None else attribution.drifted(ids, share)
    emulator.setup(ids, latency, drifted, page_size)
    with tempfile.TemporaryDirectory(prefix="enpass-consent-bench-") as directory:
        project = Path(directory)
        yield Fleet(
            project,
            write_project(project, ids),
            ids,
            audit_environ(emulator.base_url, emulator.ca_bundle),
            None if drifted is None else frozenset(drifted),
        )


def run_row(
    emulator: EmulatorHandle,
    n: int,
    latency_ms: float,
    concurrency: int,
    *,
    mode: str,
    seed: int = SEED,
    repeat: int = 1,
    clients: Sequence[str] = ("audit", "control"),
    skip_over: float | None = None,
    extra_args: Sequence[str] = (),
    share: float | None = None,
    page_size: int | None = None,
) -> Row:
    """Measure the requested clients for one (N, L, C); a client whose floor exceeds ``skip_over`` is skipped.

    ``share``: attribution mode (:mod:`benchmarks.attribution`); ``page_size``: the emulator's page size.
    """
    latency = latency_ms / 1000
    drifted = 0 if share is None else len(attribution.drifted(tenant_ids(n, seed), share))
    mode_args = [] if share is None else ["--attribution", f"{share:g}"]
    mode_args += [] if page_size is None else ["--page-size", str(page_size)]
    row = Row(
        n,
        latency_ms,
        concurrency,
        mode,
        seed,
        row_command(n, latency_ms, concurrency, mode, seed, [*mode_args, *extra_args, "--clients", ",".join(clients)]),
        lower_bound(n, latency, concurrency, ROUND_TRIPS + drifted / n if n else ROUND_TRIPS),
        naive_bound_seconds=lower_bound(n, latency, 1, NAIVE_ROUND_TRIPS),
        attribution=share,
        drifted=drifted,
        recorded_at=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    )
    _log(f"$ {row.command}")
    with fleet_for(emulator, n, latency, seed, share, page_size) as fleet:
        for client in clients:
            floor = row.naive_bound_seconds if client == "naive" else row.bound_seconds
            if skip_over is not None and floor > skip_over:
                row.skipped[client] = f"lower bound {floor:.0f} s > {skip_over:.0f} s budget per run"
                continue
            run: Callable[[], float]
            if client == "audit":
                run = lambda: run_audit(fleet, concurrency)  # noqa: E731
            elif client == "control":
                run = lambda: run_control(fleet, concurrency)  # noqa: E731
            else:
                run = lambda: run_naive(fleet)  # noqa: E731
            setattr(row, client, measure(run, emulator, n, repeat))
            _log(f"  {client:8s} {getattr(row, client).wall_seconds:8.2f} s")
    return row


# --- peak memory -------------------------------------------------------------------------------------


def _peak_rss_kib() -> int:
    """This process's peak resident set (VmHWM): unlike ``ru_maxrss`` it does not inherit the parent's peak."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _memory_child(
    base_url: str, ca_bundle: str, n: int, concurrency: int, seed: int, trace: bool, share: float | None = None
) -> dict[str, float]:
    """In a fresh process: the audit's tracemalloc peak (optional) and its peak-RSS growth."""
    ids = tenant_ids(n, seed)
    drifted = None if share is None else frozenset(attribution.drifted(ids, share))
    with tempfile.TemporaryDirectory(prefix="enpass-consent-bench-") as directory:
        project = Path(directory)
        fleet = Fleet(project, write_project(project, ids), ids, audit_environ(base_url, ca_bundle), drifted)
        before = _peak_rss_kib()
        if trace:
            tracemalloc.start()
        wall = run_audit(fleet, concurrency)
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        after = _peak_rss_kib()
    return {
        "wall_seconds": wall,
        "tracemalloc_peak_mib": peak / 2**20,
        "peak_rss_before_mib": before / 1024,
        "peak_rss_after_mib": after / 1024,
        "peak_rss_delta_mib": (after - before) / 1024,
    }


def _memory_entry(connection: multiprocessing.connection.Connection, *args: Any) -> None:
    connection.send(_memory_child(*args))


def measure_memory(
    emulator: EmulatorHandle, n: int, latency_ms: float, concurrency: int, seed: int, share: float | None = None
) -> dict[str, dict[str, float]]:
    """The audit's memory in a fresh process: once with tracemalloc, once without (rss not inflated by it)."""
    ids = tenant_ids(n, seed)
    emulator.setup(ids, latency_ms / 1000, None if share is None else attribution.drifted(ids, share))
    results: dict[str, dict[str, float]] = {}
    context = multiprocessing.get_context("spawn")
    for trace in (False, True):
        parent, child = context.Pipe()
        args = (child, emulator.base_url, emulator.ca_bundle, n, concurrency, seed, trace, share)
        process = context.Process(target=_memory_entry, args=args)
        process.start()
        results["tracemalloc" if trace else "plain"] = parent.recv()
        process.join()
        emulator.take_counts()
    return results


# --- output ---------------------------------------------------------------------------------------------


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    from importlib.metadata import PackageNotFoundError, version

    packages: dict[str, str] = {}
    for name in ("msal", "requests", "urllib3", "cryptography", "matplotlib"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:  # matplotlib is only for the plot (benchmarks/requirements.txt)
            packages[name] = "not installed"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": packages,
    }


def load_results(path: Path) -> dict[str, Any]:
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    return {"rows": [], "memory": {}}


def save_rows(path: Path, rows: Sequence[Row], memory: dict[str, Any] | None, memory_key: str = "memory") -> None:
    """Merge ``rows`` into ``path`` (a row replaces the earlier one with the same N, L, C and emulator)."""
    data = load_results(path)
    fresh = {r.key: asdict(r) for r in rows}
    kept = [old for old in data["rows"] if _key(old) not in fresh]
    data["rows"] = sorted(
        [*kept, *fresh.values()],
        key=lambda r: (r["emulator"], r.get("attribution") or 0.0, r["latency_ms"], r["concurrency"], r["n"]),
    )
    if memory:
        data[memory_key] = memory
    data["machine"] = machine()
    data["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    path.write_text(json.dumps(data, indent=2) + "\n")


def _key(row: dict[str, Any]) -> tuple[int, float, int, str, float | None]:
    """A stored row's identity (rows written before attribution mode have no ``attribution``: plain)."""
    return (row["n"], row["latency_ms"], row["concurrency"], row["emulator"], row.get("attribution"))


def describe(row: Row) -> str:
    parts = [f"N={row.n} L={row.latency_ms:g}ms C={row.concurrency} bound={row.bound_seconds:.2f}s"]
    if row.attribution is not None:
        parts.append(f"attribution={row.attribution:g} ({row.drifted} tenants with drift)")
    for name in ("audit", "control", "naive"):
        m: Measurement | None = getattr(row, name)
        if m is not None:
            parts.append(f"{name}={m.wall_seconds:.2f}s ({m.round_trips_per_tenant:g} rt/tenant)")
    if row.audit and row.control:
        parts.append(f"audit/control={row.audit.wall_seconds / row.control.wall_seconds:.3f}")
        parts.append(f"audit/bound={row.audit.wall_seconds / row.bound_seconds:.3f}" if row.bound_seconds else "")
    return " ".join(p for p in parts if p)


# --- CLI ------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="tenants (repeatable)")
    parser.add_argument("--latency-ms", type=float, action="append", help="latency per HTTP request (repeatable)")
    parser.add_argument("--concurrency", type=int, action="append", help="concurrent tenants (repeatable)")
    parser.add_argument("--grid", action="store_true", help="N 50,200,1000 x L 20,100 ms x C 1,8,32 (+ naive, memory)")
    parser.add_argument("--clients", default="audit,control", help="comma list of audit,control,naive")
    parser.add_argument("--emulator", choices=("subprocess", "inprocess"), default="subprocess")
    parser.add_argument("--repeat", type=int, default=1, help="runs per client; the median is reported")
    parser.add_argument("--seed", type=int, default=SEED, help="tenant ids come from this seed")
    parser.add_argument("--memory", action="store_true", help="also measure the audit's peak memory (largest N)")
    parser.add_argument("--no-skip", action="store_true", help="in --grid, run rows whose floor exceeds the budget")
    parser.add_argument("--out", type=Path, help="merge the rows into this JSON file (see benchmarks/report.py)")
    parser.add_argument(
        "--attribution",
        type=_share,
        action="append",
        metavar="SHARE",
        help="audit with --attribution; SHARE (0-1] of the tenants have drift and audit events (repeatable)",
    )
    parser.add_argument("--page-size", type=int, help="the emulator's page size (default: its own, 100)")
    return parser.parse_args(argv)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"--attribution takes a share of the tenants in (0, 1], not {text!r}")
    return value


def plan(args: argparse.Namespace) -> list[tuple[int, float, int, tuple[str, ...], float | None]]:
    """(N, L ms, C, clients, attribution share or None) of every row to run."""
    if args.grid:
        rows: list[tuple[int, float, int, tuple[str, ...], float | None]] = []
        for latency_ms in GRID_LATENCY_MS:
            for n in GRID_N:
                for concurrency in GRID_CONCURRENCY:
                    # The naive baseline is sequential whatever C is: it runs once per (N, L), with C=1.
                    clients = ("audit", "control", "naive") if concurrency == 1 else ("audit", "control")
                    rows.append((n, float(latency_ms), concurrency, clients, None))
        return rows
    clients = tuple(c.strip() for c in args.clients.split(",") if c.strip() and c.strip() != "none")
    unknown = set(clients) - {"audit", "control", "naive"}
    if unknown:
        raise SystemExit(f"unknown clients: {sorted(unknown)}")
    if not clients:
        return []
    return [
        (n, float(latency_ms), concurrency, clients, share)
        for share in args.attribution or [None]
        for latency_ms in args.latency_ms or [100.0]
        for n in args.n or [1000]
        for concurrency in args.concurrency or [32]
    ]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    extra = ["--repeat", str(args.repeat)] if args.repeat != 1 else []
    if args.out:
        extra += ["--out", str(args.out)]
    emulator = start_emulator(args.emulator)
    rows: list[Row] = []
    memory: dict[str, Any] | None = None
    try:
        for n, latency_ms, concurrency, clients, share in plan(args):
            row = run_row(
                emulator,
                n,
                latency_ms,
                concurrency,
                mode=args.emulator,
                seed=args.seed,
                repeat=args.repeat,
                clients=clients,
                skip_over=None if (args.no_skip or not args.grid) else ROW_BUDGET_SECONDS,
                extra_args=extra,
                share=share,
                page_size=args.page_size,
            )
            rows.append(row)
            print(describe(row), flush=True)
            if args.out:
                save_rows(args.out, rows, None)
        if args.memory or args.grid:
            n = max(args.n or GRID_N)
            concurrency = max(args.concurrency or GRID_CONCURRENCY)
            latency_ms = min(args.latency_ms or [float(x) for x in GRID_LATENCY_MS])
            # Attribution mode: the largest share (the most audit-log reads), stored apart from the plain audit's.
            share = max(args.attribution) if args.attribution else None
            mode_args = [] if share is None else ["--attribution", f"{share:g}"]
            _log(f"memory: N={n} C={concurrency} L={latency_ms:g}ms" + (f" attribution={share:g}" if share else ""))
            memory = {
                "n": n,
                "concurrency": concurrency,
                "latency_ms": latency_ms,
                "attribution": share,
                "command": row_command(
                    n, latency_ms, concurrency, args.emulator, args.seed, [*mode_args, "--memory", "--clients", "none"]
                ),
                "recorded_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                **measure_memory(emulator, n, latency_ms, concurrency, args.seed, share),
            }
            print(json.dumps(memory, indent=2), flush=True)
            if args.out:
                save_rows(args.out, rows, memory, "memory" if share is None else "memory_attribution")
    finally:
        emulator.close()
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    raise SystemExit(main())
