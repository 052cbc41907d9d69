"""Pieces every JSON document of the CLI shares."""

from __future__ import annotations

import datetime


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def timestamp(moment: datetime.datetime) -> str:
    """``generatedAt``: UTC, whole seconds, ``Z`` suffix (``2026-11-27T08:00:00Z``)."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
