"""A local Microsoft Entra login + Microsoft Graph v1.0 emulator over HTTPS (test infrastructure).

See README.md in this folder. Typical use in a test::

    def test_audit(emulator):
        tenant = emulator.add_tenant(scenarios.in_sync_tenant(TENANT_ID))
        scenarios.add_scope(tenant, "Mail.Read")
        run_cli(env=emulator.env())
"""

from __future__ import annotations

from enpass_consent.emulator import scenarios
from enpass_consent.emulator.faults import Fault, FaultKind, FaultPlan, FaultScope, Scope
from enpass_consent.emulator.records import Kind, Record, Recorder
from enpass_consent.emulator.server import Emulator, running
from enpass_consent.emulator.state import (
    DEFAULT_CLIENT_ROLES,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    AppRoleAssignment,
    ClientApp,
    DirectoryRole,
    DirectoryRoleAssignment,
    Group,
    PermissionGrant,
    ServicePrincipal,
    Tenant,
    User,
    grant_id,
    new_id,
)
from enpass_consent.emulator.tokens import decode_claims

__all__ = [
    "DEFAULT_CLIENT_ROLES",
    "TEST_CLIENT_ID",
    "TEST_CLIENT_SECRET",
    "AppRoleAssignment",
    "ClientApp",
    "DirectoryRole",
    "DirectoryRoleAssignment",
    "Emulator",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "FaultScope",
    "Group",
    "Kind",
    "PermissionGrant",
    "Record",
    "Recorder",
    "Scope",
    "ServicePrincipal",
    "Tenant",
    "User",
    "decode_claims",
    "grant_id",
    "new_id",
    "running",
    "scenarios",
]
