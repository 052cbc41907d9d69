"""``enpass-consent explain``: the permission catalog, what each scope allows and why Enpass needs it."""

from __future__ import annotations

import json
from typing import Any

import click

from enpass_consent import catalog
from enpass_consent.commands.common import emit, format_option, terminal_width
from enpass_consent.render import markdown_table, text_table

SCHEMA = "enpass-consent.catalog/v1"


def catalog_document() -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "enpassAppId": catalog.ENPASS_APP_ID,
        "redirectUri": catalog.ENPASS_REDIRECT_URI,
        "resourceAppId": catalog.MICROSOFT_GRAPH_APP_ID,
        "scopes": [
            {
                "name": s.name,
                "requestedByEnpass": s.requested_by_enpass,
                "allows": s.allows,
                "purpose": s.purpose,
                "risk": s.risk.value,
                "riskReason": s.risk_reason,
                "scannerRating": s.scanner_rating,
                "adminConsentRequired": s.admin_consent_required,
            }
            for s in catalog.SCOPES
        ],
        "consentRoles": [{"name": r.name, "roleTemplateId": r.template_id} for r in catalog.CONSENT_CAPABLE_ROLES],
    }


def _rows(detail: bool) -> list[list[str]]:
    rows = []
    for s in catalog.SCOPES:
        row = [s.name, "default" if s.requested_by_enpass else "optional", s.risk.value, s.scanner_rating or "-"]
        rows.append([*row, s.allows, s.purpose] if detail else [*row, s.purpose])
    return rows


@click.command("explain")
@format_option("table", "json", "markdown", default="table")
def explain(format_: str) -> int:
    """Print the delegated Microsoft Graph scopes Enpass may hold, with purpose and risk."""
    if format_ == "json":
        emit(json.dumps(catalog_document(), indent=2), None)
    elif format_ == "markdown":
        headers = ["scope", "granted", "risk", "ScubaGear", "Microsoft: what it allows", "why Enpass needs it"]
        emit(markdown_table(headers, _rows(detail=True)), None)
    else:
        headers = ["scope", "granted", "risk", "scubagear", "why Enpass needs it"]
        emit(text_table(headers, _rows(detail=False), terminal_width(None)), None)
    return 0
