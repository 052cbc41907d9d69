"""Every test's Graph session retries as production does, without the backoff sleeps between tries.

The retry counts, statuses and Retry-After handling stay the production policy's (a fault still
costs the same number of requests); only the exponential backoff without a Retry-After is zero, so
a test of an exhausted retry takes milliseconds, not 7.5 s. The backoff itself is tested directly
on ``build_retry()`` in tests/enpass_consent/graph/test_session.py, which imports the original.
"""

from __future__ import annotations

import pytest
from urllib3.util.retry import Retry

from enpass_consent.graph import session


@pytest.fixture(autouse=True)
def no_backoff_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    production = session.build_retry

    def without_backoff() -> Retry:
        return production().new(backoff_factor=0, backoff_jitter=0)

    monkeypatch.setattr(session, "build_retry", without_backoff)
