"""Consent-focused review of Pulumi previews: parse (both formats) -> evaluate (pure) -> render."""

from __future__ import annotations

from pathlib import Path

from enpass_consent.review.evaluate import FileReview, review
from enpass_consent.review.parse import PreviewError, load

__all__ = ["FileReview", "PreviewError", "review_files"]


def review_files(paths: list[Path]) -> list[FileReview]:
    """Review every file; the first unreadable or invalid one raises :class:`PreviewError`."""
    return [review(load(path)) for path in paths]
