"""Exit codes of every command (docs/reference.md#exit-codes), like ``terraform plan -detailed-exitcode``."""

EXIT_OK = 0
EXIT_ERROR = 1
"""Any error: bad input, sign-in, Graph, a failed stack, or bad usage (never 2)."""
EXIT_DRIFT = 2
"""Drift (or, for preflight, warnings or failed checks; for fleet preview/drift, changes) and no errors."""
