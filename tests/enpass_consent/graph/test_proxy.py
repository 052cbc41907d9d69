"""HTTPS_PROXY / NO_PROXY as Go's http.ProxyFromEnvironment reads them (the azuread provider's rules)."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator

import pytest

from enpass_consent import clouds
from enpass_consent.emulator import Emulator, Kind, scenarios
from enpass_consent.emulator.certs import PROXIED_HOST
from enpass_consent.emulator.state import TEST_CLIENT_ID, TEST_CLIENT_SECRET
from enpass_consent.graph.credentials import CLIENT_ID, CLIENT_SECRET
from enpass_consent.graph.errors import ConfigurationError
from enpass_consent.graph.factory import GraphFactory
from enpass_consent.graph.proxy import proxy_config
from enpass_consent.graph.redact import scrub

PROXY = "http://proxy.example.test:3128"

# (NO_PROXY, URL, proxied?) — written out from the httpproxy rules, not computed by the code under test.
CASES: list[tuple[str, str, bool]] = [
    ("", "https://graph.microsoft.com/v1.0/organization", True),
    ("", "https://login.microsoftonline.com/t/oauth2/v2.0/token", True),
    ("", "http://graph.microsoft.com/v1.0", False),  # HTTP_PROXY is never used for https, and http has no proxy here
    ("", "https://127.0.0.1:8443/v1.0", False),  # loopback: never proxied
    ("", "https://[::1]:8443/v1.0", False),
    ("", "https://localhost:8443/v1.0", False),
    ("*", "https://graph.microsoft.com/v1.0", False),
    ("microsoft.com", "https://graph.microsoft.com/v1.0", False),  # a domain matches its subdomains
    ("microsoft.com", "https://microsoft.com/", False),  # and itself
    (".microsoft.com", "https://microsoft.com/", True),  # a leading dot: subdomains only
    (".microsoft.com", "https://graph.microsoft.com/", False),
    ("*.microsoft.com", "https://microsoft.com/", True),
    ("icrosoft.com", "https://graph.microsoft.com/", True),  # whole labels only
    ("graph.microsoft.com:8443", "https://graph.microsoft.com/", True),  # the port must match
    ("graph.microsoft.com:443", "https://graph.microsoft.com/", False),
    ("10.0.0.0/8", "https://10.1.2.3/", False),
    ("10.0.0.0/8", "https://11.1.2.3/", True),
    ("10.1.2.3", "https://10.1.2.3:443/", False),
    (" GRAPH.Microsoft.com , other.example ", "https://graph.microsoft.com/", False),
]


@pytest.mark.parametrize(("no_proxy", "url", "proxied"), CASES)
def test_no_proxy_rules(no_proxy: str, url: str, proxied: bool) -> None:
    config = proxy_config({"HTTPS_PROXY": PROXY, "NO_PROXY": no_proxy})
    assert config.proxy_for(url) == (PROXY if proxied else None)


def test_variables_and_their_lower_case_spelling() -> None:
    assert proxy_config({}).proxy_for("https://graph.microsoft.com/") is None
    assert proxy_config({"HTTP_PROXY": PROXY}).proxy_for("https://graph.microsoft.com/") is None
    assert proxy_config({"https_proxy": "proxy.example.test:8080"}).proxy_for("https://x.example/") == (
        "http://proxy.example.test:8080"
    )
    upper_wins = proxy_config({"HTTPS_PROXY": PROXY, "https_proxy": "http://other.example.test:1"})
    assert upper_wins.proxy_for("https://x.example/") == PROXY
    lower_no_proxy = proxy_config({"HTTPS_PROXY": PROXY, "no_proxy": "x.example"})
    assert lower_no_proxy.proxy_for("https://x.example/") is None


def test_proxy_credentials_are_secret() -> None:
    config = proxy_config({"HTTPS_PROXY": "http://user:fake-proxy-password@proxy.example.test:3128"})
    assert config.proxy_for("https://graph.microsoft.com/")
    assert "fake-proxy-password" not in scrub("via http://user:fake-proxy-password@proxy.example.test:3128")


def test_unusable_proxy_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="HTTPS_PROXY"):
        proxy_config({"HTTPS_PROXY": "socks5://proxy.example.test:1080"})


class ConnectProxy:
    """A CONNECT-only HTTP proxy that resolves ``PROXIED_HOST`` to the emulator and records each tunnel."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.tunnels: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client: socket.socket) -> None:
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            self.tunnels.append(f"{method} {target}")
            host, _, port = target.rpartition(":")
            if method != "CONNECT" or host != PROXIED_HOST or int(port) != self.target_port:
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            with socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                sockets = [client, upstream]
                while True:
                    readable, _, _ = select.select(sockets, [], [], 10)
                    if not readable:
                        return
                    for source in readable:
                        data = source.recv(65536)
                        if not data:
                            return
                        (upstream if source is client else client).sendall(data)

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def proxy(emulator: Emulator) -> Iterator[ConnectProxy]:
    server = ConnectProxy(emulator.port)
    yield server
    server.close()


def test_sign_in_and_graph_go_through_the_proxy_with_tls_verified(emulator: Emulator, proxy: ConnectProxy) -> None:
    tenant_id = "7e1a0000-0000-4000-8000-0000000000b1"
    emulator.add_tenant(scenarios.in_sync_tenant(tenant_id))
    base = f"https://{PROXIED_HOST}:{emulator.port}"
    environ = {
        clouds.AUTHORITY_HOST_ENV: base,
        clouds.GRAPH_URL_ENV: base,
        clouds.CA_BUNDLE_ENV: emulator.ca_bundle,
        CLIENT_ID: TEST_CLIENT_ID,
        CLIENT_SECRET: TEST_CLIENT_SECRET,
        "HTTPS_PROXY": f"127.0.0.1:{proxy.port}",
        "NO_PROXY": "localhost,.example.test",
    }
    with GraphFactory(environ, 1) as graph:
        endpoints = clouds.endpoints(clouds.GLOBAL, environ)
        assert graph.client(endpoints, tenant_id).get("/organization")["value"][0]["id"] == tenant_id
    assert proxy.tunnels and set(proxy.tunnels) == {f"CONNECT {PROXIED_HOST}:{emulator.port}"}
    kinds = [record.kind for record in emulator.recorder.requests(tenant_id)]
    assert kinds == [Kind.DISCOVERY, Kind.TOKEN, Kind.GRAPH]
