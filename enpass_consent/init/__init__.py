"""``init``: the stack file of a tenant, blank or describing the tenant's Enpass consent as it is.

tenant given -> tenant id (``tenant_lookup``, no credentials) -> with ``--from-tenant`` the tenant's
consent read like ``audit`` (``audit.collect``, one ``$batch``) -> description (pure: settings,
adoption, what settings cannot hold) -> annotated stack file text (adopt's block writer) -> read back
through the one settings parser -> created, never overwriting (``files.create_new``) -> optionally
``pulumi stack init`` through the Automation API.
"""

from __future__ import annotations

DEFAULT_CONCURRENCY = 8
"""Tenants initialised at the same time."""
