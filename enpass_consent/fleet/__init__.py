"""``enpass-consent fleet``: preview, up and drift across many tenant stacks (docs/fleet.md).

``shard`` and ``plan`` decide which stacks run and in which order, ``runner`` runs them through
the Pulumi Automation API, ``report`` renders the result. Only ``runner`` imports Pulumi.
"""

DEFAULT_CONCURRENCY = 4
"""Stack operations at the same time; each is a ``pulumi`` process (docs/reference.md#commands)."""
