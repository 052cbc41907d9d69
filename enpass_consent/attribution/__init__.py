"""``--attribution``: who changed what a finding shows, and when, from the directory audit log.

collect (one more ``$batch`` of ``auditLogs/directoryAudits`` reads, only for a tenant with
findings) -> match (pure: the table in :mod:`.match`) -> the report's ``lastChange`` per finding and
``attribution`` per tenant (docs/findings.md#who-changed-it).
"""

DEFAULT_DAYS = 30
MIN_DAYS = 1
MAX_DAYS = 30
FREE_RETENTION_DAYS = 7
"""How far back the audit log reaches: 7 days without Microsoft Entra ID P1/P2, 30 with it
(https://learn.microsoft.com/entra/identity/monitoring-health/reference-reports-data-retention)."""
PREMIUM_RETENTION_DAYS = 30
