"""Every request the emulator answered, for assertions such as "three round trips per tenant"."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import unquote, unquote_plus


class Kind(StrEnum):
    DISCOVERY = "discovery"
    TOKEN = "token"
    DEVICE_CODE = "devicecode"
    MANAGED_IDENTITY = "managed_identity"
    GRAPH = "graph"
    BATCH = "batch"
    BATCH_ITEM = "batch_item"
    OTHER = "other"


@dataclass(frozen=True)
class Record:
    method: str
    path: str
    """Path and query, percent-decoded (``+`` in the query as space); a batch item's is ``/v1.0`` + its url."""
    tenant: str | None
    status: int
    kind: Kind
    client_id: str | None = None
    batch_id: str | None = None
    """For batch items: the item's id."""
    raw_path: str = ""
    """Path and query exactly as sent on the wire."""

    @property
    def is_item(self) -> bool:
        return self.kind is Kind.BATCH_ITEM


def decode_target(raw: str) -> str:
    """``/p%28x%29?$filter=a+eq+%27b%27`` -> ``/p(x)?$filter=a eq 'b'`` (what fault regexes and tests see)."""
    path, sep, query = raw.partition("?")
    return unquote(path) + sep + unquote_plus(query)


class Recorder:
    """Thread-safe request log. HTTP requests and batch items are kept apart (``requests``/``items``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[Record] = []

    def add(self, record: Record) -> None:
        with self._lock:
            self._records.append(record)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    @property
    def all(self) -> list[Record]:
        with self._lock:
            return list(self._records)

    def requests(self, tenant: str | None = None, kind: Kind | None = None) -> list[Record]:
        """HTTP round trips (batch items excluded), optionally for one tenant and/or kind."""
        return [
            r
            for r in self.all
            if not r.is_item
            and (tenant is None or (r.tenant or "").lower() == tenant.lower())
            and (kind is None or r.kind is kind)
        ]

    def items(self, tenant: str | None = None) -> list[Record]:
        """Sub-requests executed inside ``$batch`` envelopes."""
        return [r for r in self.all if r.is_item and (tenant is None or (r.tenant or "").lower() == tenant.lower())]

    def count(self, tenant: str | None = None, kind: Kind | None = None) -> int:
        return len(self.requests(tenant, kind))

    def per_tenant(self) -> Counter[str | None]:
        """HTTP round trips per tenant."""
        return Counter(r.tenant.lower() if r.tenant else None for r in self.all if not r.is_item)
