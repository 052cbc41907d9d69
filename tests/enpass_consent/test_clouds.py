from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from enpass_consent import catalog, clouds

TENANT = "11111111-2222-3333-4444-555555555555"


def test_lookup_accepts_aliases() -> None:
    assert clouds.lookup("public") is clouds.GLOBAL
    assert clouds.lookup(" Global ") is clouds.GLOBAL
    assert clouds.lookup("dod") is clouds.US_GOV_L5
    assert clouds.lookup("usgovernment") is clouds.US_GOV_L4
    assert clouds.lookup("mars") is None
    assert [c.name for c in clouds.CLOUDS.values() if c.enpass_published] == ["global"]


def test_overrides() -> None:
    env = {
        clouds.AUTHORITY_HOST_ENV: "https://127.0.0.1:8443/",
        clouds.GRAPH_URL_ENV: "https://127.0.0.1:8443",
        clouds.CA_BUNDLE_ENV: "/tmp/ca.pem",
    }
    endpoints = clouds.endpoints(clouds.GLOBAL, env)
    assert endpoints.authority(TENANT) == f"https://127.0.0.1:8443/{TENANT}"
    assert endpoints.graph_base == "https://127.0.0.1:8443/v1.0"
    assert endpoints.token_scope == "https://graph.microsoft.com/.default"
    assert endpoints.ca_bundle == "/tmp/ca.pem" and not endpoints.is_well_known
    plain = clouds.endpoints(clouds.GLOBAL, {})
    assert plain.is_well_known and plain.graph_base == "https://graph.microsoft.com/v1.0" and plain.ca_bundle is None


def test_plain_http_is_refused() -> None:
    with pytest.raises(ValueError, match="ENPASS_CONSENT_GRAPH_URL must be an https:// URL"):
        clouds.endpoints(clouds.GLOBAL, {clouds.GRAPH_URL_ENV: "http://127.0.0.1:8080"})


def test_admin_consent_url() -> None:
    url = clouds.admin_consent_url(clouds.GLOBAL, TENANT, ["User.Read", "offline_access", "openid"])
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}"
        == f"https://login.microsoftonline.com/{TENANT}/v2.0/adminconsent"
    )
    query = parse_qs(parts.query)
    assert query == {
        "client_id": [catalog.ENPASS_APP_ID],
        "scope": ["https://graph.microsoft.com/User.Read offline_access openid"],
        "redirect_uri": [catalog.ENPASS_REDIRECT_URI],
    }
