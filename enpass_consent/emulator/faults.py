"""Fault injection: thread-safe rules that turn matching requests into failures or delays."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from enum import StrEnum


class FaultKind(StrEnum):
    THROTTLE = "throttle"  # 429 + Retry-After
    UNAVAILABLE = "unavailable"  # 503 + Retry-After
    SERVER_ERROR = "server_error"  # 500
    FORBIDDEN = "forbidden"  # 403 Authorization_RequestDenied
    MALFORMED_JSON = "malformed_json"  # 200 with a body that is not JSON
    INVALID_CLIENT = "invalid_client"  # token endpoint: 401 invalid_client
    DELAY = "delay"  # sleep, then answer normally
    STATUS = "status"  # any status with a Graph error body


class FaultScope(StrEnum):
    """Where a fault applies: whole HTTP requests, single ``$batch`` items, or both."""

    REQUEST = "request"
    ITEM = "item"
    BOTH = "both"


Scope = FaultScope
"""Earlier name of ``FaultScope``, kept because tests import it."""


@dataclass
class Fault:
    kind: FaultKind
    path: str = ".*"
    """Regex searched in the (URL-decoded) path+query; a batch item's path is ``/v1.0`` + its url."""
    method: str | None = None
    tenant: str | None = None
    count: int | None = None
    """Apply to the first N matching requests only; None = every match."""
    retry_after: float | None = 1
    delay: float = 0.0
    status: int = 500
    code: str | None = None
    scope: FaultScope = FaultScope.BOTH
    hits: int = 0
    _pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path)

    def matches(self, method: str, path: str, tenant: str | None, is_item: bool) -> bool:
        if self.scope is FaultScope.REQUEST and is_item:
            return False
        if self.scope is FaultScope.ITEM and not is_item:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.tenant is not None and (tenant is None or tenant.lower() != self.tenant.lower()):
            return False
        return self._pattern.search(path) is not None

    @property
    def exhausted(self) -> bool:
        return self.count is not None and self.hits >= self.count


@dataclass(frozen=True)
class Decision:
    """What to do with one request: sleep ``delay`` seconds, then answer with ``fault`` (if any)."""

    delay: float
    fault: Fault | None


def retry_after_header(seconds: float | None) -> dict[str, str]:
    """``{"Retry-After": "2"}`` (integers without a decimal point), or nothing."""
    if seconds is None:
        return {}
    return {"Retry-After": str(int(seconds)) if float(seconds).is_integer() else str(seconds)}


class FaultPlan:
    """A list of faults, consulted for every request and every ``$batch`` item (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.latency: float = 0.0
        """Seconds added to every HTTP request (not to batch items): the benchmark's round-trip time."""

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.latency = 0.0

    @property
    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def decide(self, method: str, path: str, tenant: str | None, *, is_item: bool) -> Decision:
        """Consume matching faults: every matching delay adds up; the first other match answers."""
        delay = 0.0
        chosen: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if fault.exhausted or not fault.matches(method, path, tenant, is_item):
                    continue
                if fault.kind is FaultKind.DELAY:
                    fault.hits += 1
                    delay += fault.delay
                elif chosen is None:
                    fault.hits += 1
                    chosen = fault
        return Decision(delay, chosen)

    # --- shorthands -----------------------------------------------------------------------------
    def throttle(
        self,
        path: str = ".*",
        *,
        retry_after: float = 1,
        count: int | None = 1,
        tenant: str | None = None,
        method: str | None = None,
        scope: FaultScope = FaultScope.BOTH,
    ) -> Fault:
        return self.add(Fault(FaultKind.THROTTLE, path, method, tenant, count, retry_after, scope=scope))

    def unavailable(
        self,
        path: str = ".*",
        *,
        retry_after: float | None = 1,
        count: int | None = 1,
        tenant: str | None = None,
        method: str | None = None,
        scope: FaultScope = FaultScope.BOTH,
    ) -> Fault:
        return self.add(Fault(FaultKind.UNAVAILABLE, path, method, tenant, count, retry_after, scope=scope))

    def server_error(
        self,
        path: str = ".*",
        *,
        count: int | None = 1,
        tenant: str | None = None,
        method: str | None = None,
        scope: FaultScope = FaultScope.BOTH,
    ) -> Fault:
        return self.add(Fault(FaultKind.SERVER_ERROR, path, method, tenant, count, None, scope=scope))

    def forbidden(
        self,
        path: str = ".*",
        *,
        count: int | None = None,
        tenant: str | None = None,
        method: str | None = None,
        scope: FaultScope = FaultScope.BOTH,
    ) -> Fault:
        return self.add(Fault(FaultKind.FORBIDDEN, path, method, tenant, count, None, scope=scope))

    def malformed_json(
        self,
        path: str = ".*",
        *,
        count: int | None = 1,
        tenant: str | None = None,
        method: str | None = None,
        scope: FaultScope = FaultScope.BOTH,
    ) -> Fault:
        return self.add(Fault(FaultKind.MALFORMED_JSON, path, method, tenant, count, None, scope=scope))

    def delay(
        self,
        seconds: float,
        path: str = ".*",
        *,
        count: int | None = None,
        tenant: str | None = None,
        method: str | None = None,
        scope: FaultScope = FaultScope.BOTH,
    ) -> Fault:
        return self.add(Fault(FaultKind.DELAY, path, method, tenant, count, None, delay=seconds, scope=scope))

    def status(
        self,
        status: int,
        code: str,
        path: str = ".*",
        *,
        count: int | None = 1,
        tenant: str | None = None,
        method: str | None = None,
        scope: FaultScope = FaultScope.BOTH,
    ) -> Fault:
        return self.add(
            Fault(FaultKind.STATUS, path, method, tenant, count, None, status=status, code=code, scope=scope)
        )

    def token_failure(
        self,
        tenant: str | None = None,
        *,
        kind: FaultKind = FaultKind.SERVER_ERROR,
        count: int | None = None,
        retry_after: float | None = 1,
    ) -> Fault:
        """Fail token requests (``POST /{tenant}/oauth2/v2.0/token``): 500, 503, 429 or invalid_client."""
        return self.add(
            Fault(kind, r"/oauth2/v2\.0/token", "POST", tenant, count, retry_after, scope=FaultScope.REQUEST)
        )
