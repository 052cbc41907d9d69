"""What to initialise: one ``--tenant``, or the rows of a ``--csv`` file (``stack,tenant[,clientId]``).

A file that cannot be read as such a table (empty, a byte order mark, another delimiter, a missing or
unknown column, no rows) is one ``CsvError`` naming the file and the line: nothing is done. A row that
cannot be used (wrong number of fields, an empty cell, a client id that is no GUID) is reported for
that row only, and the other rows still run.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

STACK = "stack"
TENANT = "tenant"
CLIENT_ID = "clientId"
COLUMNS = (STACK, TENANT, CLIENT_ID)
REQUIRED = (STACK, TENANT)
HEADER = "stack,tenant[,clientId]"

_OTHER_DELIMITERS = (";", "\t", "|")
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class CsvError(ValueError):
    """The file is not a usable ``stack,tenant[,clientId]`` table; the message names it and the line."""


@dataclass(frozen=True)
class Request:
    """One tenant to initialise, as the user gave it."""

    tenant: str
    stack: str | None = None
    """None: derived from the domain."""
    client_id: str | None = None
    """Canonical GUID."""
    source: str | None = None
    """The CSV file's name; None for ``--tenant``."""
    line: int | None = None
    """The row's line in the CSV file."""
    problem: str | None = None
    """Why the row cannot be used (already prefixed with where it is)."""

    def where(self, option: str) -> str:
        """``--tenant`` (the option concerned), or ``tenants.csv line 3`` for a row."""
        return f"{self.source} line {self.line}" if self.source else f"--{option}"


def from_options(tenant: str, stack: str | None, client_id: str | None) -> Request:
    problem = None
    canonical = None
    if client_id is not None:
        canonical = guid(client_id)
        if canonical is None:
            problem = f"--client-id: must be the deploying app's client id (a GUID), got {client_id!r}"
    return Request(tenant, stack, canonical, problem=problem)


def guid(text: str) -> str | None:
    """``text`` as a canonical GUID (the 8-4-4-4-12 form only), else None."""
    value = text.strip()
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return str(parsed) if len(value) == 36 else None


def read_csv(path: Path) -> list[Request]:
    """The rows of ``path`` in file order. Raises ``CsvError``."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if raw.startswith(_UTF8_BOM):
        raise CsvError(
            f"{name}: starts with a byte order mark (Excel's 'CSV UTF-8' adds one, so the first column would "
            f"not be called stack); save it without one, for example as 'CSV (Comma delimited)'"
        )
    if raw.startswith(_UTF16_BOMS):
        raise CsvError(f"{name}: is UTF-16 text; save it as UTF-8 (or ASCII) comma-separated values")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CsvError(
            f"{name}: is not UTF-8 text (byte {exc.start}); save it as UTF-8 without a byte order mark"
        ) from None
    rows = _rows(name, text)
    if not rows:
        raise CsvError(f"{name}: is empty; the first line must be the header {HEADER}, then one tenant a line")
    header_line, header = rows[0]
    columns = _columns(name, header_line, header)
    requests = [_request(name, line, cells, columns) for line, cells in rows[1:]]
    if not requests:
        raise CsvError(f"{name}: has a header but no tenant rows")
    return requests


def _rows(name: str, text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((start, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CsvError(f"{name} line {reader.line_num}: not valid CSV ({exc})") from None
    return rows


def _columns(name: str, line: int, header: list[str]) -> dict[str, int]:
    where = f"{name} line {line}"
    if len(header) == 1:
        delimiter = next((d for d in _OTHER_DELIMITERS if d in header[0]), None)
        if delimiter is not None:
            shown = "a tab" if delimiter == "\t" else repr(delimiter)
            raise CsvError(f"{where}: the columns are separated by {shown}; separate them with commas: {HEADER}")
    known = {column.lower(): column for column in COLUMNS}
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = known.get(cell.lower())
        if column is None:
            raise CsvError(f"{where}: unknown column {cell!r}; the header must be {HEADER}")
        if column in columns:
            raise CsvError(f"{where}: column {column!r} appears twice; the header must be {HEADER}")
        columns[column] = index
    missing = [column for column in REQUIRED if column not in columns]
    if missing:
        raise CsvError(f"{where}: missing column {missing[0]!r}; the header must be {HEADER}")
    return columns


def _request(name: str, line: int, cells: list[str], columns: dict[str, int]) -> Request:
    where = f"{name} line {line}"

    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    tenant, stack, client = cell(TENANT), cell(STACK), cell(CLIENT_ID)
    base = Request(tenant, stack or None, None, name, line)
    if len(cells) != len(columns):
        hint = " (are they separated by ';'? use commas)" if len(cells) == 1 and ";" in cells[0] else ""
        problem = f"{where}: {len(cells)} field(s) where the header has {len(columns)}{hint}"
        return _with(base, problem)
    if not stack:
        return _with(base, f"{where}: the stack cell is empty")
    if not tenant:
        return _with(base, f"{where}: the tenant cell is empty")
    if client:
        canonical = guid(client)
        if canonical is None:
            return _with(base, f"{where}: clientId must be the deploying app's client id (a GUID), got {client!r}")
        return Request(tenant, stack, canonical, name, line)
    return base


def _with(request: Request, problem: str) -> Request:
    return Request(request.tenant, request.stack, request.client_id, request.source, request.line, problem)
