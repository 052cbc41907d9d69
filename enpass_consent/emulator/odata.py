"""The slice of OData the emulator understands: ``$filter`` with ``eq``/``and``, ``$select``, ``$top``, paging."""

from __future__ import annotations

import base64
import datetime
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]


class GraphError(Exception):
    """An error answer in Microsoft Graph's shape: ``{"error": {"code", "message", "innerError"}}``."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self) -> Json:
        return error_body(self.code, self.message)


def error_body(code: str, message: str) -> Json:
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": str(uuid.uuid4()),
                "client-request-id": str(uuid.uuid4()),
            },
        }
    }


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    return GraphError(400, code, message)


def unsupported_query(message: str = "Unsupported Query.") -> GraphError:
    return GraphError(400, "Request_UnsupportedQuery", message)


# ---------------------------------------------------------------------------------------------
# $filter
# ---------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<word>[A-Za-z0-9_.:/$@-]+)|(?P<punct>[(),]))")


@dataclass(frozen=True)
class Condition:
    prop: str
    value: Any


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise bad_request(f"Invalid filter clause: syntax error at position {pos} in '{text}'.")
        pos = match.end()
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
    return tokens


def _literal(kind: str, text: str) -> Any:
    if kind == "str":
        return text[1:-1].replace("''", "'")
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:  # an unquoted GUID literal
        return str(uuid.UUID(text))
    except ValueError:
        raise bad_request(f"Invalid filter clause: unexpected token '{text}'.") from None


def parse_filter(text: str, allowed: Iterable[str]) -> list[Condition]:
    """``a eq 'x' and b eq true`` -> conditions. Anything else (ne, or, any(), functions) is a 400."""
    allowed_lower = {p.lower(): p for p in allowed}
    tokens = _tokens(text)
    conditions: list[Condition] = []
    i = 0
    while True:
        if i + 3 > len(tokens):
            raise bad_request(f"Invalid filter clause: incomplete expression in '{text}'.")
        (k_prop, prop), (k_op, op), (k_val, value) = tokens[i : i + 3]
        if k_prop != "word" or k_op != "word" or k_val not in ("str", "word"):
            raise unsupported_query(f"Unsupported or invalid query filter clause specified: '{text}'.")
        if op.lower() != "eq":
            raise unsupported_query(f"Unsupported query operator '{op}' in filter '{text}' (the emulator knows eq).")
        if prop.lower() not in allowed_lower:
            raise unsupported_query(f"Unsupported query: filter on property '{prop}' is not supported here.")
        conditions.append(Condition(allowed_lower[prop.lower()], _literal(k_val, value)))
        i += 3
        if i == len(tokens):
            return conditions
        kind, word = tokens[i]
        if kind != "word" or word.lower() != "and":
            raise unsupported_query(f"Unsupported query: '{word}' in filter '{text}' (the emulator knows 'and').")
        i += 1


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.lower() == expected.lower()
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    return bool(actual == expected)


def matches(item: Json, conditions: list[Condition]) -> bool:
    return all(_equal(item.get(c.prop), c.value) for c in conditions)


# ---------------------------------------------------------------------------------------------
# $select
# ---------------------------------------------------------------------------------------------
def parse_select(text: str) -> list[str]:
    props = [p.strip() for p in text.split(",") if p.strip()]
    if not props:
        raise bad_request("Invalid $select: empty.")
    return props


def apply_select(item: Json, select: list[str] | None, *, keep_type: bool) -> Json:
    """Only the selected properties (case-insensitive) plus ``id``; unknown properties are a 400."""
    if select is None:
        return item if keep_type else {k: v for k, v in item.items() if k != "@odata.type"}
    by_lower = {k.lower(): k for k in item}
    out: Json = {}
    if keep_type and "@odata.type" in item:
        out["@odata.type"] = item["@odata.type"]
    if "id" in item:
        out["id"] = item["id"]
    for prop in select:
        key = by_lower.get(prop.lower())
        if key is None:
            if keep_type:  # polymorphic collections: a property of another type is simply absent
                continue
            raise bad_request(f"Could not find a property named '{prop}' on type 'microsoft.graph.entity'.")
        out[key] = item[key]
    return out


# ---------------------------------------------------------------------------------------------
# Paging
# ---------------------------------------------------------------------------------------------
_SKIPTOKEN_PREFIX = "RU1VTEFUT1I"  # opaque to clients; decodes to our own marker


def make_skiptoken(path: str, offset: int) -> str:
    raw = f"{offset}|{path.lower()}".encode()
    return _SKIPTOKEN_PREFIX + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def read_skiptoken(path: str, token: str) -> int:
    if not token.startswith(_SKIPTOKEN_PREFIX):
        raise bad_request("Invalid $skiptoken.", code="Directory_ExpiredPageToken")
    body = token[len(_SKIPTOKEN_PREFIX) :]
    try:
        offset_text, token_path = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode().split("|", 1)
        offset = int(offset_text)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Invalid $skiptoken.", code="Directory_ExpiredPageToken") from None
    if token_path != path.lower():
        raise bad_request("$skiptoken belongs to another request.", code="Directory_ExpiredPageToken")
    return offset


@dataclass
class Query:
    """Parsed query options of one Graph GET."""

    filter: str | None = None
    select: list[str] | None = None
    top: int | None = None
    skiptoken: str | None = None
    pairs: list[tuple[str, str]] = field(default_factory=list)
    """Decoded (key, value) pairs as sent, for rebuilding nextLinks."""


KNOWN_OPTIONS = {"$filter", "$select", "$top", "$skiptoken"}
REJECTED_OPTIONS = {"$expand", "$search", "$orderby", "$count", "$skip", "$format", "$apply", "$levels"}


def parse_query(pairs: list[tuple[str, str]]) -> Query:
    query = Query(pairs=pairs)
    seen: set[str] = set()
    for raw_key, value in pairs:
        key = raw_key.lower()
        if key in seen:
            raise bad_request(f"Query option '{raw_key}' was specified more than once.")
        seen.add(key)
        if key in REJECTED_OPTIONS:
            raise bad_request(
                f"Query option '{raw_key}' is not supported by the emulator (the CLI must use only $filter, "
                "$select and $top).",
                code="Request_UnsupportedQuery",
            )
        if key not in KNOWN_OPTIONS:
            raise bad_request(f"Query option '{raw_key}' is not supported.")
        if key == "$filter":
            query.filter = value
        elif key == "$select":
            query.select = parse_select(value)
        elif key == "$top":
            if not re.fullmatch(r"\d+", value) or not 1 <= int(value) <= 999:
                raise bad_request(f"Invalid page size specified: '{value}'. Must be between 1 and 999 inclusive.")
            query.top = int(value)
        else:
            query.skiptoken = value
    return query
