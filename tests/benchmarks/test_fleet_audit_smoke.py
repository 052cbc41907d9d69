"""The fleet benchmark's functions on a tiny fleet (N=3, no latency, C=2): request counts only, never durations."""

from __future__ import annotations

from dataclasses import asdict

from benchmarks import fleet_audit, report
from enpass_consent import settings
from enpass_consent.audit.collect import requests_for
from enpass_consent.emulator.server import Emulator

TENANT = "10000000-0000-4000-8000-000000000001"


def test_three_round_trips_per_tenant(emulator: Emulator) -> None:
    handle = fleet_audit.InProcessEmulator(emulator)
    row = fleet_audit.run_row(handle, 3, 0, 2, mode="inprocess", clients=("audit", "control", "naive"))
    assert row.audit is not None and row.control is not None and row.naive is not None
    batch_items = len(requests_for(settings.parse({settings.TENANT_ID: TENANT})))
    assert (row.audit.round_trips_per_tenant, row.audit.round_trips_max) == (3, 3)
    assert row.audit.items_per_tenant == batch_items
    assert row.audit.by_kind == {"discovery": 3, "token": 3, "batch": 3}
    assert (row.control.round_trips_per_tenant, row.control.items_per_tenant) == (3, batch_items)
    assert row.naive.round_trips_per_tenant == fleet_audit.NAIVE_ROUND_TRIPS == 2 + batch_items
    assert row.bound_seconds == 0
    assert "--n 3 --latency-ms 0 --concurrency 2" in row.command
    assert "| 3 | 0 | 2 | 3 (3) |" in report.main_table([asdict(row)])


def test_tenant_ids_are_reproducible() -> None:
    assert fleet_audit.tenant_ids(5) == fleet_audit.tenant_ids(5, fleet_audit.SEED)
    assert fleet_audit.tenant_ids(5) != fleet_audit.tenant_ids(5, seed=1)
    assert len(set(fleet_audit.tenant_ids(100))) == 100
