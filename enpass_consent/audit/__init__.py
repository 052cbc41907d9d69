"""``audit``: collect (Graph reads) -> evaluate (pure) -> report, per tenant."""
