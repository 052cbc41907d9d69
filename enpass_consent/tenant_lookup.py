"""A tenant given as its id or as any verified domain -> the tenant id, without credentials.

Entra serves every tenant's OpenID Connect metadata publicly at
``{authority host}/{tenant}/v2.0/.well-known/openid-configuration``, where ``{tenant}`` "can be the
domain name of the Microsoft Entra tenant or the tenant ID in GUID format", and the document's
``issuer`` is ``{authority host}/{tenant id}/v2.0``
(https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc, "Find your app's OpenID
configuration document URI"). A domain no tenant has is answered 400 ``invalid_tenant`` with
AADSTS90002 "Tenant '…' not found" (the body msal reports in Azure/azure-cli#22145;
https://learn.microsoft.com/entra/identity-platform/reference-error-codes lists AADSTS90002
InvalidTenantName). ``init`` and ``consent-url`` use this one lookup.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from enpass_consent import catalog
from enpass_consent.graph.errors import shorten

# Authority segments that name no tenant: they sign a user in to the user's own home tenant, which for
# an MSP technician is the MSP's (same page as above, the {tenant} table).
NOT_A_TENANT = frozenset({"common", "organizations", "consumers"})

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_UNKNOWN_TENANT_CODE = 90002
_DOCUMENT_PATH = "v2.0/.well-known/openid-configuration"


class TenantLookupError(ValueError):
    """The argument names no tenant (or the lookup failed); the message says which and why."""


@dataclass(frozen=True)
class TenantRef:
    """A tenant as the user named it: exactly one of ``tenant_id`` and ``domain`` is set."""

    text: str
    tenant_id: str | None = None
    """Canonical (lower-case) tenant id when the text is a GUID."""
    domain: str | None = None
    """Lower-case ASCII domain (an internationalised name in its ``xn--`` form) otherwise."""

    @property
    def first_label(self) -> str | None:
        """``contoso`` for ``contoso.onmicrosoft.com``: the default stack name."""
        return self.domain.split(".", 1)[0] if self.domain else None


def parse(text: str) -> TenantRef:
    """``text`` as a tenant id or a domain name; ``TenantLookupError`` when it is neither."""
    value = text.strip()
    if value.lower() in NOT_A_TENANT:
        raise TenantLookupError(
            f"{text!r} names no tenant (it signs in to the signed-in person's home tenant, for an MSP "
            "technician the MSP's own); give the customer's tenant id or one of its verified domains"
        )
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        pass
    else:
        if len(value) != 36:
            raise TenantLookupError(f"{text!r} is not a tenant id in the 8-4-4-4-12 form")
        return _checked(TenantRef(text, tenant_id=str(parsed)))
    return TenantRef(text, domain=_domain(text, value))


def _domain(text: str, value: str) -> str:
    try:
        ascii_name = value.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        ascii_name = ""
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise TenantLookupError(
            f"{text!r} is neither a tenant id (a GUID) nor a domain name such as contoso.onmicrosoft.com"
        )
    return ascii_name


def _checked(ref: TenantRef) -> TenantRef:
    if ref.tenant_id == catalog.PERSONAL_ACCOUNTS_TENANT_ID:
        source = f"{ref.domain!r} belongs to" if ref.domain else f"{ref.text!r} is"
        raise TenantLookupError(
            f"{source} the tenant of personal Microsoft accounts, not an organisation's; Enpass is consented "
            "in a Microsoft Entra ID tenant"
        )
    return ref


def document_url(authority_host: str, ref: TenantRef) -> str:
    segment = ref.tenant_id or ref.domain or ""
    return f"{authority_host.rstrip('/')}/{quote(segment, safe='')}/{_DOCUMENT_PATH}"


def resolve(ref: TenantRef, authority_host: str, session: requests.Session) -> TenantRef:
    """``ref`` with its tenant id, read from the tenant's OpenID configuration (one GET, no credentials).

    A GUID is looked up too: the answer says whether such a tenant exists. Raises ``TenantLookupError``.
    """
    url = document_url(authority_host, ref)
    try:
        response = session.get(url, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise TenantLookupError(
            f"no answer from the login service at {urlsplit(url).netloc} for {ref.text!r}: "
            f"{type(exc).__name__}: {shorten(str(exc), 200)}"
        ) from None
    body = _json(response)
    if response.status_code != 200:
        raise TenantLookupError(_refusal(ref, response.status_code, body))
    issuer = body.get("issuer") if isinstance(body, dict) else None
    tenant_id = _issuer_tenant(issuer)
    if tenant_id is None:
        raise TenantLookupError(
            f"the OpenID configuration of {ref.text!r} names no tenant id in its issuer (got {issuer!r})"
        )
    if ref.tenant_id is not None and tenant_id != ref.tenant_id:
        raise TenantLookupError(f"the OpenID configuration of {ref.text!r} is the tenant {tenant_id}'s")
    return _checked(TenantRef(ref.text, tenant_id=tenant_id, domain=ref.domain))


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _refusal(ref: TenantRef, status: int, body: Any) -> str:
    error = body if isinstance(body, dict) else {}
    raw_codes = error.get("error_codes")
    codes: list[Any] = raw_codes if isinstance(raw_codes, list) else []
    description = str(error.get("error_description") or "")
    # Entra's descriptions go on with "Trace ID: …" and a timestamp: nothing a reader can use.
    reason = shorten(re.split(r"\s+Trace ID:", description, maxsplit=1)[0], 200)
    if error.get("error") == "invalid_tenant" or _UNKNOWN_TENANT_CODE in codes:
        what = "is no verified domain of any" if ref.domain else "is no"
        return f"{ref.text!r} {what} Microsoft Entra tenant (the login service answered: {reason or status})"
    detail = f"{error.get('error')}: {reason}" if error.get("error") else f"HTTP {status}"
    return f"cannot look up {ref.text!r}: the login service answered {status} ({detail})"


def _issuer_tenant(issuer: object) -> str | None:
    if not isinstance(issuer, str):
        return None
    first = urlsplit(issuer).path.strip("/").split("/", 1)[0]
    try:
        parsed = uuid.UUID(first)
    except ValueError:
        return None
    return str(parsed) if len(first) == 36 else None
