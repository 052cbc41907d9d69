"""``$filter`` of ``auditLogs/directoryAudits``: what its Learn page lists, nothing more.

https://learn.microsoft.com/graph/api/directoryaudit-list: ``$filter`` with ``eq``, ``ge``, ``le`` and
``startswith``; earlier revisions of that page list the attributes (``activityDateTime`` eq/ge/le,
``activityDisplayName`` eq, ``category``, ``loggedByService``, ``initiatedBy/user/id``,
``initiatedBy/app/appId``, ``targetResources/any(t: t/id eq '{value}')``); the lambda form follows
https://learn.microsoft.com/graph/filter-query-parameter. Clauses are joined by ``and``; ``or``, ``not``
and any other attribute answer 400 ``Request_UnsupportedQuery`` (stricter than Graph may be, so the tool
never relies on more).
"""

from __future__ import annotations

import datetime
import operator as operator_module
import re
from collections.abc import Callable
from typing import Any

from enpass_consent.emulator.odata import Json, bad_request, unsupported_query

Clause = Callable[[Json], bool]

_STRING = r"'((?:[^']|'')*)'"
_DATETIME_CLAUSE = re.compile(r"^activityDateTime\s+(eq|ge|le)\s+(\S+)$", re.IGNORECASE)
_STRING_CLAUSE = re.compile(r"^([A-Za-z/]+)\s+eq\s+" + _STRING + "$", re.IGNORECASE)
_TARGET_CLAUSE = re.compile(
    r"^targetResources/any\(\s*(\w+)\s*:\s*(\w+)/(id|displayName)\s+eq\s+" + _STRING + r"\s*\)$", re.IGNORECASE
)
_STRING_PATHS = {
    "activitydisplayname": ("activityDisplayName",),
    "category": ("category",),
    "loggedbyservice": ("loggedByService",),
    "result": ("result",),
    "initiatedby/user/id": ("initiatedBy", "user", "id"),
    "initiatedby/user/userprincipalname": ("initiatedBy", "user", "userPrincipalName"),
    "initiatedby/app/appid": ("initiatedBy", "app", "appId"),
}


def parse_time(text: str) -> datetime.datetime:
    """An OData DateTimeOffset (``2026-11-30T21:14:03Z``, fractional seconds allowed) or a date."""
    value = re.sub(r"(\.\d{6})\d+", r"\1", text.strip()).replace("Z", "+00:00")
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise bad_request(f"Invalid filter clause: '{text}' is not a DateTimeOffset.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _split_and(text: str) -> list[str]:
    """Split on top-level `` and `` (outside quotes and parentheses)."""
    parts: list[str] = []
    depth, quoted, start, index = 0, False, 0, 0
    lowered = text.lower()
    while index < len(text):
        char = text[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and lowered.startswith(" and ", index):
            parts.append(text[start:index])
            index += 5
            start = index
            continue
        index += 1
    if quoted or depth:
        raise bad_request(f"Invalid filter clause: unbalanced quotes or parentheses in '{text}'.")
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _path(item: Json, path: tuple[str, ...]) -> Any:
    value: Any = item
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _clause(text: str) -> Clause:
    if re.search(r"\s(or|not)\s|^not\s", text, re.IGNORECASE):
        raise unsupported_query(f"Unsupported query: only 'and' is supported in '{text}'.")
    timed = _DATETIME_CLAUSE.match(text)
    if timed:
        operator, moment = timed.group(1).lower(), parse_time(timed.group(2))
        compare = {"eq": operator_module.eq, "ge": operator_module.ge, "le": operator_module.le}[operator]

        def in_time(item: Json) -> bool:
            return bool(compare(parse_time(str(item.get("activityDateTime"))), moment))

        return in_time
    target = _TARGET_CLAUSE.match(text)
    if target:
        variable, used, prop, value = target.groups()
        if variable != used:
            raise bad_request(f"Invalid filter clause: unknown range variable '{used}' in '{text}'.")
        wanted, key = value.replace("''", "'").lower(), "id" if prop.lower() == "id" else "displayName"
        return lambda item: any(
            str(t.get(key) or "").lower() == wanted for t in item.get("targetResources") or [] if isinstance(t, dict)
        )
    plain = _STRING_CLAUSE.match(text)
    if plain and plain.group(1).lower() in _STRING_PATHS:
        path, wanted = _STRING_PATHS[plain.group(1).lower()], plain.group(2).replace("''", "'").lower()
        return lambda item: str(_path(item, path) or "").lower() == wanted
    raise unsupported_query(f"Unsupported or invalid query filter clause specified: '{text}'.")


def parse_audit_filter(text: str) -> list[Clause]:
    return [_clause(part) for part in _split_and(text)]


def audit_matches(item: Json, clauses: list[Clause]) -> bool:
    return all(clause(item) for clause in clauses)
