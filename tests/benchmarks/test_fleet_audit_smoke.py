"""The fleet benchmark's functions on a tiny fleet (N=3, no latency, C=2): request counts only, never durations."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from benchmarks import attribution, fleet_audit, report
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


def test_attribution_mode_makes_the_same_requests_in_the_tool_and_the_control(emulator: Emulator) -> None:
    # 4 tenants, half with drift and audit events: 3 round trips in sync, 4 with drift (the audit-log $batch).
    handle = fleet_audit.InProcessEmulator(emulator)
    row = fleet_audit.run_row(handle, 4, 0, 2, mode="inprocess", clients=("audit", "control"), share=0.5)
    assert row.audit is not None and row.control is not None
    assert (row.attribution, row.drifted) == (0.5, 2)
    # The audit-log $batch: the Enpass SP as target, 3 delegated-grant activities on Graph's SP, the licences.
    base_items = len(requests_for(settings.parse({settings.TENANT_ID: TENANT})))
    expected_by_kind = {"discovery": 4, "token": 4, "batch": 6}
    for measurement in (row.audit, row.control):
        assert measurement.by_kind == expected_by_kind
        assert (measurement.round_trips_per_tenant, measurement.round_trips_max) == (3.5, 4)
        assert measurement.items_per_tenant == base_items + 2 * 5 / 4
    assert "--attribution 0.5" in row.command
    assert row.recorded_at
    assert "| 4 | 0 | 2 | 0.5 (2) | 3.5 (4) |" in report.attribution_table([asdict(row)])


def test_attribution_mode_follows_pages_in_both_clients(emulator: Emulator) -> None:
    # Page size 1: the Enpass SP is the target of two of the tenant's events (the consent, the assignment), so
    # that audit-log read has a second page, fetched in one more $batch round by the tool and the control alike.
    handle = fleet_audit.InProcessEmulator(emulator)
    row = fleet_audit.run_row(handle, 1, 0, 1, mode="inprocess", clients=("audit", "control"), share=1.0, page_size=1)
    assert row.audit is not None and row.control is not None
    for measurement in (row.audit, row.control):
        assert measurement.by_kind == {"discovery": 1, "token": 1, "batch": 3}
    assert row.audit.items_per_tenant == row.control.items_per_tenant
    assert "--page-size 1" in row.command


def test_drifted_tenants_are_spread_over_the_fleet() -> None:
    ids = [f"t{index}" for index in range(10)]
    assert attribution.drifted(ids, 0.1) == ["t0"]
    assert attribution.drifted(ids, 0.5) == ["t0", "t2", "t4", "t6", "t8"]
    assert attribution.drifted(ids, 1.0) == ids
    assert attribution.drifted(ids, 0.01) == []


def test_attribution_share_must_be_a_share() -> None:
    assert fleet_audit.parse_args(["--attribution", "0.1", "--attribution", "1"]).attribution == [0.1, 1.0]
    for bad in ("0", "1.5", "ten"):
        with pytest.raises(SystemExit):
            fleet_audit.parse_args(["--attribution", bad])
