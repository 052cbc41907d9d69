"""``preflight``: can the first ``pulumi up`` in a tenant go right? collect (Graph reads) -> checks (pure) -> report."""
