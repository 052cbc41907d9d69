"""The one table style of every text report, and the Markdown helpers.

Text tables are plain: columns separated by two spaces, upper-case headers, no colour and no box,
so they read the same on a terminal, in a file and in a CI log. A cell is never cut: without a
width (a file, a pipe, a CI log) every cell is written in full on one line, so the text can be
searched; with a width (a terminal's) long cells wrap within their column instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from io import StringIO

_COLUMN_GAP = 2


def plain_value(value: object) -> str:
    """A value as the reports show it: booleans ``true``/``false`` (as in JSON), nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` without control characters (a terminal escape in a display name must not reach a terminal)."""
    return _CONTROL.sub("\ufffd", str(text))


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(text).split())


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """A table of ``rows`` under ``headers``; ``width``: wrap long cells to fit it (None: never wrap)."""
    from rich.cells import cell_len  # rich loads only when a text table is rendered
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    cells = [[one_line(cell) for cell in row] for row in rows]
    titles = [header.upper() for header in headers]
    table = Table(box=None, show_edge=False, pad_edge=False, padding=(0, _COLUMN_GAP, 0, 0), header_style="")
    for title in titles:
        table.add_column(title, overflow="fold", no_wrap=width is None)
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
    if width is None:
        # As wide as the widest cell of each column: nothing wraps, nothing is cut.
        width = sum(max([cell_len(t), *(cell_len(r[i]) for r in cells)]) + _COLUMN_GAP for i, t in enumerate(titles))
    buffer = StringIO()
    console = Console(file=buffer, width=max(width, 1), no_color=True, force_terminal=False, highlight=False)
    console.print(table, markup=False, emoji=False, soft_wrap=False)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(markdown_text(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|~!#@])")


def markdown_text(text: str) -> str:
    """Text from a tenant or a preview, safe in Markdown (a table cell, a CI job summary, a PR comment).

    One line; HTML escaped (no ``<!--`` hiding the rest of a comment, no tags); Markdown punctuation
    escaped, so a display name cannot become a link, an image, a heading or an @mention.
    """
    one_line = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))
