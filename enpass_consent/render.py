"""Plain-text and Markdown tables shared by the reports (no colour: output is often a file or a CI log)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from enpass_consent.graph.errors import shorten


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], max_width: int = 80) -> str:
    """A fixed-width table; cells longer than ``max_width`` are cut with an ellipsis."""
    cells = [[shorten(c, max_width) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    line = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    out = [line]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(out)


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
