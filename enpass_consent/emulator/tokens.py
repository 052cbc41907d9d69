"""JWT-shaped access tokens: readable claims (tid, roles, scp...) and an HMAC tail only this emulator checks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from enpass_consent.clouds import GLOBAL
from enpass_consent.emulator.state import FEDERATION_AUDIENCE

# The audience real tokens carry; the emulator issues tokens "for Graph" whatever its own URL.
GRAPH_AUDIENCE = GLOBAL.graph_root


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT-shaped token, without any verification (what a client would do)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    claims = json.loads(_unb64(parts[1]))
    if not isinstance(claims, dict):
        raise ValueError("JWT payload is not an object")
    return claims


@dataclass(frozen=True)
class Identity:
    """Who a verified token speaks for."""

    tenant_id: str
    client_id: str
    roles: tuple[str, ...]
    scopes: tuple[str, ...]
    user_id: str | None

    @property
    def delegated(self) -> bool:
        return self.user_id is not None


class TokenIssuer:
    def __init__(self, issuer_base: str, lifetime: int = 3599) -> None:
        self._key = secrets.token_bytes(32)
        self.issuer_base = issuer_base
        self.lifetime = lifetime

    def _sign(self, signing_input: str) -> str:
        return _b64(hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest())

    def issue(
        self,
        tenant_id: str,
        client_id: str,
        *,
        roles: list[str] | None = None,
        scopes: list[str] | None = None,
        user_id: str | None = None,
        lifetime: int | None = None,
        audience: str = GRAPH_AUDIENCE,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": f"{self.issuer_base}/{tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": now + (self.lifetime if lifetime is None else lifetime),
            "appid": client_id,
            "azp": client_id,
            "idtyp": "user" if user_id else "app",
            "tid": tenant_id,
            "uti": uuid.uuid4().hex[:22],
            "ver": "1.0",
        }
        if user_id:
            claims["oid"] = user_id
            claims["sub"] = user_id
            claims["scp"] = " ".join(scopes or [])
        else:
            claims["roles"] = list(roles or [])
            claims["sub"] = client_id
        return self._encode(claims)

    def _encode(self, claims: dict[str, Any]) -> str:
        header = _b64(json.dumps({"typ": "JWT", "alg": "HS256", "kid": "emulator"}).encode())
        payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{header}.{payload}"
        return f"{signing_input}.{self._sign(signing_input)}"

    def id_token(self, issuer: str, tenant_id: str, client_id: str, user_id: str, username: str, name: str) -> str:
        """An OpenID id_token for the device-code flow (MSAL reads it, never verifies the signature)."""
        now = int(time.time())
        claims = {
            "aud": client_id,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "name": name,
            "oid": user_id,
            "preferred_username": username,
            "sub": user_id,
            "tid": tenant_id,
            "ver": "2.0",
        }
        return self._encode(claims)

    def verify(self, token: str) -> Identity | None:
        """The identity of a token this issuer made and that has not expired, else None."""
        parts = token.split(".")
        if len(parts) != 3:
            return None
        if not hmac.compare_digest(self._sign(f"{parts[0]}.{parts[1]}"), parts[2]):
            return None
        claims = decode_claims(token)
        if "tid" not in claims or "appid" not in claims:
            return None
        if int(claims.get("exp", 0)) <= time.time():
            return None
        scp = str(claims.get("scp") or "")
        return Identity(
            tenant_id=str(claims["tid"]),
            client_id=str(claims["appid"]),
            roles=tuple(claims.get("roles") or ()),
            scopes=tuple(scp.split()),
            user_id=claims.get("oid"),
        )


def federated_assertion(issuer: str, subject: str, *, audience: str = FEDERATION_AUDIENCE, lifetime: int = 600) -> str:
    """A workload identity assertion as a CI provider issues it (GitHub, Azure DevOps, Kubernetes).

    The emulator checks its issuer, subject, audience and expiry, never its signature, so it is signed
    with nothing: obviously fake, yet shaped like the real thing.
    """
    now = int(time.time())
    header = _b64(json.dumps({"typ": "JWT", "alg": "RS256", "kid": "emulator-ci"}).encode())
    claims = {"iss": issuer, "sub": subject, "aud": audience, "iat": now, "nbf": now, "exp": now + lifetime}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{payload}.fake-signature"
