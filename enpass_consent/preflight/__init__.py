"""``preflight``: can the first ``pulumi up`` in a tenant go right? collect (Graph reads) -> checks (pure) -> report."""

DEFAULT_CONCURRENCY = 8
"""Tenants checked at the same time."""
