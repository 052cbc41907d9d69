"""The preflight checks: pure functions of (settings, what collect read) -> one ``Check`` each, in report order."""

from __future__ import annotations

from collections.abc import Callable

from enpass_consent.preflight.checks.consent import check_user_consent
from enpass_consent.preflight.checks.directory import (
    check_entra_id_p1,
    check_graph_scopes,
    check_groups,
    check_nested_groups,
)
from enpass_consent.preflight.checks.identity import check_identity
from enpass_consent.preflight.checks.licences import check_licences
from enpass_consent.preflight.checks.service_principal import check_service_principal
from enpass_consent.preflight.result import Check
from enpass_consent.preflight.state import PreflightState
from enpass_consent.settings import Settings

CHECKS: tuple[Callable[[Settings, PreflightState], Check], ...] = (
    check_identity,
    check_graph_scopes,
    check_groups,
    check_nested_groups,
    check_entra_id_p1,
    check_licences,
    check_user_consent,
    check_service_principal,
)


def run_checks(settings: Settings, state: PreflightState) -> list[Check]:
    return [check(settings, state) for check in CHECKS]
