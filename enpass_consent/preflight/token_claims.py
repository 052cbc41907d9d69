"""Who the CLI signed in as, read from the access token's claims.

The payload is decoded without verifying the signature: the token came straight from Entra over TLS
and is only read to learn which permissions it carries, never trusted for anything else. The token
itself is never stored, logged or put into a message; only the claims below are kept.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass


class TokenClaimsError(ValueError):
    """The access token is not a readable JWT (the message never contains the token)."""


@dataclass(frozen=True)
class SignedInIdentity:
    """The deploying identity as its Graph token describes it."""

    client_id: str
    """The app the token was issued to (``appid``/``azp``)."""
    delegated: bool
    """True for a signed-in user (the token has ``scp``), False for app-only (``roles``)."""
    user_object_id: str | None
    """The signed-in user's object id (``oid``), for delegated tokens."""
    application_permissions: tuple[str, ...]
    """The ``roles`` claim: Microsoft Graph application permissions (app-only tokens)."""
    delegated_scopes: tuple[str, ...]
    """The ``scp`` claim, split (delegated tokens)."""


def identity_from_token(access_token: str) -> SignedInIdentity:
    claims = _payload(access_token)
    scp = claims.get("scp")
    roles = claims.get("roles") or []
    if not isinstance(roles, list):
        roles = []
    oid = claims.get("oid")
    return SignedInIdentity(
        client_id=str(claims.get("appid") or claims.get("azp") or ""),
        delegated=isinstance(scp, str),
        user_object_id=str(oid).lower() if isinstance(scp, str) and oid else None,
        application_permissions=tuple(str(role) for role in roles),
        delegated_scopes=tuple(scp.split()) if isinstance(scp, str) else (),
    )


def _payload(access_token: str) -> dict[str, object]:
    parts = access_token.split(".")
    if len(parts) != 3:
        raise TokenClaimsError("the access token is not a JWT, so its permissions cannot be read")
    encoded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(encoded))
    except (binascii.Error, ValueError):
        raise TokenClaimsError("the access token's payload is not readable JSON") from None
    if not isinstance(claims, dict):
        raise TokenClaimsError("the access token's payload is not a JSON object")
    return claims
