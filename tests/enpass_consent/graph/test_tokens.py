from __future__ import annotations

from typing import Any, ClassVar

import msal
import pytest

from enpass_consent import clouds
from enpass_consent.graph import tokens
from enpass_consent.graph.credentials import ClientSecret
from enpass_consent.graph.errors import AuthError
from tests.enpass_consent.graph.fakes import FAKE_TOKEN, FakeSession, response

TENANT = "11111111-2222-4333-8444-555555555555"
SECRET = "fake-client-secret-for-tokens-test"


class FakeApp:
    built: ClassVar[list[dict[str, Any]]] = []
    result: ClassVar[Any] = None
    raises: ClassVar[Exception | None] = None

    def __init__(self, client_id: str, **options: Any) -> None:
        if FakeApp.raises is not None:
            raise FakeApp.raises
        FakeApp.built.append({"client_id": client_id, **options})

    def acquire_token_for_client(self, scopes: list[str]) -> Any:
        return FakeApp.result


@pytest.fixture
def fake_msal(monkeypatch: pytest.MonkeyPatch) -> type[FakeApp]:
    FakeApp.built, FakeApp.result, FakeApp.raises = [], {"access_token": FAKE_TOKEN, "expires_in": 3599}, None
    monkeypatch.setattr(msal, "ConfidentialClientApplication", FakeApp)
    return FakeApp


def provider(environ: dict[str, str] | None = None) -> tokens.TokenProvider:
    return tokens.TokenProvider(
        endpoints=clouds.endpoints(clouds.GLOBAL, environ or {}),
        tenant_id=TENANT,
        client_id="c0000000-0000-4000-8000-000000000001",
        credential=ClientSecret("client secret", secret=SECRET),
        session=FakeSession(lambda call: response(500)),
        token_cache=msal.SerializableTokenCache(),
    )


def test_application_options(fake_msal: type[FakeApp], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSAL_FORCE_REGION", "westeurope")
    assert provider().get_token() == FAKE_TOKEN
    assert provider().get_token() == FAKE_TOKEN
    built = fake_msal.built[0]
    assert built["authority"] == f"{clouds.GLOBAL.login_host}/{TENANT}"
    assert built["azure_region"] is False
    assert built["client_credential"] == SECRET
    assert "instance_discovery" not in built  # a well-known host: msal skips instance discovery itself
    provider({clouds.AUTHORITY_HOST_ENV: "https://127.0.0.1:1"}).get_token()
    assert fake_msal.built[-1]["instance_discovery"] is False


def test_app_is_built_once_per_provider(fake_msal: type[FakeApp]) -> None:
    tokens_provider = provider()
    tokens_provider.get_token()
    tokens_provider.get_token()
    assert len(fake_msal.built) == 1


def test_error_dict_becomes_scrubbed_auth_error(fake_msal: type[FakeApp]) -> None:
    fake_msal.result = {
        "error": "invalid_client",
        "error_description": f"AADSTS7000215: bad secret {SECRET} Bearer {FAKE_TOKEN}",
    }
    with pytest.raises(AuthError) as raised:
        provider().get_token()
    error = raised.value
    assert error.error_code == "invalid_client"
    assert "AADSTS7000215" in str(error)
    for secret in (SECRET, FAKE_TOKEN):
        assert secret not in f"{error} {error!r} {error.args} {error.description}"
    assert error.__cause__ is None


def test_constructor_failure_becomes_auth_error(fake_msal: type[FakeApp]) -> None:
    fake_msal.raises = ValueError(f"discovery failed: client_secret={SECRET}")
    with pytest.raises(AuthError, match="ValueError: discovery failed") as raised:
        provider().get_token()
    assert SECRET not in str(raised.value)


def test_missing_token_without_error_code(fake_msal: type[FakeApp]) -> None:
    fake_msal.result = None
    with pytest.raises(AuthError, match="no_token"):
        provider().get_token()
