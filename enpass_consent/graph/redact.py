"""Removing secrets from any text that may reach a message, a log line or an exception.

Two layers, because neither is enough alone: every secret value the process handles (client
secret, certificate password, OIDC assertion, access token) is registered here the moment it is
read or received and replaced verbatim wherever it appears; and patterns catch what was never
registered (a bearer header, a JWT, ``client_secret=...``, a PEM block) in text from a server or a
library.
"""

from __future__ import annotations

import re
import threading

REDACTED = "[REDACTED]"

# Shorter values are not secrets anyone would choose, and replacing them would mangle messages.
_MIN_SECRET_LENGTH = 6

_lock = threading.Lock()
_secrets: set[str] = set()
_longest_first: tuple[str, ...] = ()

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)", re.DOTALL), REDACTED),
    (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]+=*"), rf"\1\2{REDACTED}"),
    # A Pulumi Cloud access token (PULUMI_ACCESS_TOKEN), which fleet runs may carry.
    (re.compile(r"\bpul-[0-9a-f]{40}\b"), REDACTED),
    # A JWT: base64url header that starts with '{"' (eyJ), payload, optional signature.
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?"), REDACTED),
    (
        re.compile(
            r"(?i)(client_secret|client_assertion|assertion|access_token|refresh_token|id_token|oidc_?token"
            r"|password|passphrase|private_key|secret|token)\b"
            r"(\"?'?\s*[:=]\s*\"?'?)[^\s\"'&,;}]+"
        ),
        rf"\1\2{REDACTED}",
    ),
)


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that :func:`scrub` removes it from any text from now on."""
    global _longest_first
    if value and len(value.strip()) >= _MIN_SECRET_LENGTH:
        with _lock:
            before = len(_secrets)
            _secrets.update({value, value.strip()})
            if len(_secrets) != before:
                # Sorted once per new secret, not on every scrub: a fleet registers one token per tenant.
                _longest_first = tuple(sorted(_secrets, key=len, reverse=True))


def scrub(text: object) -> str:
    """``text`` as a string with every registered secret and every secret-looking token removed."""
    result = str(text)
    for secret in _longest_first:  # a tuple, replaced whole under the lock: safe to read without it
        if secret in result:
            result = result.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        result = pattern.sub(replacement, result)
    return result
