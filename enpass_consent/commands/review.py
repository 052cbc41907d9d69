"""``enpass-consent review PREVIEW_JSON... [--format markdown|json] [--output FILE]`` (docs/reference.md#review)."""

from __future__ import annotations

from pathlib import Path

import click

from enpass_consent import documents
from enpass_consent.commands.common import (
    EXIT_DRIFT,
    EXIT_ERROR,
    EXIT_OK,
    UsageError,
    emit,
    format_option,
    log,
    output_option,
)
from enpass_consent.review import PreviewError, review_files
from enpass_consent.review.parse import STDIN
from enpass_consent.review.render import to_json, to_markdown


@click.command("review")
@click.argument(
    "previews", nargs=-1, required=True, metavar="PREVIEW_JSON...", type=click.Path(path_type=Path, allow_dash=True)
)
@format_option("markdown", "json", default="markdown")
@output_option
def review(previews: tuple[Path, ...], format_: str, output: Path | None) -> int:
    """Review what Pulumi previews would change in Enpass consent, one tenant per file.

    Each file is `pulumi preview --json` output or a `pulumi preview --event-log` file (detected
    from its content); `-` reads one from standard input. Exit 0: no consent change; 2: consent
    changes to review; 1: a file is unreadable or invalid (no document), or a preview failed
    (errors, mandatory policy).
    """
    if sum(1 for path in previews if str(path) == STDIN) > 1:
        raise UsageError("PREVIEW_JSON: standard input (-) can be read once")
    try:
        reviews = review_files(list(previews))
    except PreviewError as exc:
        # One message that names the file; no partial document, so CI never reads a 0 or 2 from it.
        log(f"error: {exc}")
        return EXIT_ERROR
    if format_ == "json":
        generated_at = documents.timestamp(documents.now())
        emit(to_json(reviews, generated_at), output)
    else:
        emit(to_markdown(reviews), output)
    if any(r.failed for r in reviews):
        return EXIT_ERROR
    return EXIT_DRIFT if any(r.consent_changes for r in reviews) else EXIT_OK
