"""``audit``: collect (Graph reads) -> evaluate (pure) -> report, per tenant."""

DEFAULT_CONCURRENCY = 16
"""Tenants audited at the same time (docs/reference.md#commands)."""
