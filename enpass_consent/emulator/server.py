"""The HTTPS server: one process-wide TLS setup, one threaded server per ``Emulator``."""

from __future__ import annotations

import json
import re
import socket
import ssl
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import requests

from enpass_consent import clouds
from enpass_consent.emulator.certs import CaBundle, server_context
from enpass_consent.emulator.ci import CI_TOKEN_PATH, CiTokenService
from enpass_consent.emulator.faults import FaultPlan
from enpass_consent.emulator.graph import DEFAULT_PAGE_SIZE, GraphResponse, GraphService, graph_fault_response
from enpass_consent.emulator.login import LoginResponse, LoginService, login_fault_response
from enpass_consent.emulator.records import Kind, Record, Recorder, decode_target
from enpass_consent.emulator.state import TEST_CLIENT_ID, TEST_CLIENT_SECRET, ClientApp, Tenant
from enpass_consent.emulator.tokens import Identity, TokenIssuer

# The instance metadata service's token path (msal appends it to AZURE_POD_IDENTITY_AUTHORITY_HOST; the
# azuread provider's ARM_MSI_ENDPOINT names the whole URL).
MANAGED_IDENTITY_PATH = "/metadata/identity/oauth2/token"
_LOGIN_PATH = re.compile(
    r"^/(?P<tenant>[^/]+)/(?:(?P<discovery>v2\.0/\.well-known/openid-configuration)"
    r"|oauth2/v2\.0/(?P<endpoint>token|devicecode))$"
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, emulator: Emulator, port: int) -> None:
        self.emulator = emulator
        self.ssl_context = server_context()
        super().__init__(("127.0.0.1", port), _Handler)

    def get_request(self) -> tuple[Any, Any]:
        # The TLS handshake runs in the request thread (_Handler.setup), not in the accept loop.
        sock, address = self.socket.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle/delayed-ACK stalls
        return self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that refuses our certificate or hangs up is a test case, not a server fault:
        # keep the traceback out of the test log. Anything else is still printed.
        if isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a benchmark must not pay a TLS handshake per request
    server: _Server
    timeout = 30
    wbufsize = 64 * 1024  # headers and body leave in one write (flushed after each request)

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.do_handshake()
        except (ssl.SSLError, OSError):
            self.close_connection = True
            raise

    def handle(self) -> None:
        with suppress(ssl.SSLError, ConnectionError, TimeoutError, socket.timeout):
            super().handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        emulator = self.server.emulator
        try:
            status, payload, headers, record = emulator._handle(method, self.path, dict(self.headers.items()), body)
        except Exception as error:  # an emulator bug must fail the test loudly, not hang or reset the connection
            traceback.print_exc()
            emulator.bugs.append(f"{method} {decode_target(self.path)}: {type(error).__name__}: {error}")
            status, headers = 500, {}
            payload = {"error": {"code": "EmulatorBug", "message": f"{type(error).__name__}: {error}"}}
            record = Record(method, decode_target(self.path), None, status, Kind.OTHER, raw_path=self.path)
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        emulator.recorder.add(record)  # before answering, so a test sees it as soon as its call returns
        self.send_response(status)
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json; charset=utf-8"))
        self.send_header("Content-Length", str(len(raw)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)


class Emulator:
    """A local Microsoft Entra login + Microsoft Graph v1.0 over HTTPS on 127.0.0.1.

    ``tenants`` maps lower-case tenant ids to mutable ``Tenant`` state; ``faults`` injects failures;
    ``recorder`` logs every request. ``reset()`` clears all three (used between tests).
    """

    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}
        self.faults = FaultPlan()
        self.recorder = Recorder()
        self.bugs: list[str] = []
        """Requests the emulator answered with its internal-error answer (a bug of its own, never Graph's)."""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._ca_bundle: CaBundle | None = None
        self.issuer = TokenIssuer(issuer_base="https://emulator.invalid")
        self.login = LoginService(self.tenants, self.issuer, lambda: self.base_url)
        self.graph = GraphService(self.tenants, self.faults, self.recorder, lambda: self.base_url)
        self.ci = CiTokenService(lambda: self.base_url)
        """A CI provider's OIDC token service at ``{base_url}/_ci/token`` (GitHub and Azure DevOps protocols)."""

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self, port: int = 0) -> Emulator:
        """Listen on 127.0.0.1:``port`` (0: a free port); ``OSError`` when the port is taken."""
        if self._server is None:
            self._server = _Server(self, port)
            self._ca_bundle = CaBundle()
            self.issuer.issuer_base = self.base_url
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="graph-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and remove the CA bundle file: the emulator leaves nothing in the temp folder."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._ca_bundle is not None:
            self._ca_bundle.remove()
            self._ca_bundle = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Fresh state: no tenants, no faults, no records, default settings."""
        self.tenants.clear()
        self.faults.clear()
        self.recorder.clear()
        self.bugs.clear()
        self.login.reset()
        self.ci.reset()
        self.graph.page_size = DEFAULT_PAGE_SIZE
        self.graph.enforce_permissions = True
        self.graph.batch_order = "shuffle"
        self.issuer.lifetime = 3599

    # --- addresses ------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def graph_base(self) -> str:
        return f"{self.base_url}/v1.0"

    @property
    def ca_bundle(self) -> str:
        """Path of the PEM file clients trust; it exists while the emulator runs."""
        if self._ca_bundle is None:
            raise RuntimeError("emulator not started")
        return self._ca_bundle.path

    def authority(self, tenant_id: str) -> str:
        return f"{self.base_url}/{tenant_id}"

    def env(self) -> dict[str, str]:
        """The environment variables that point the CLI at this emulator."""
        return {
            clouds.AUTHORITY_HOST_ENV: self.base_url,
            clouds.GRAPH_URL_ENV: self.base_url,
            clouds.CA_BUNDLE_ENV: self.ca_bundle,
        }

    # --- settings -------------------------------------------------------------------------------
    @property
    def page_size(self) -> int:
        return self.graph.page_size

    @page_size.setter
    def page_size(self, value: int) -> None:
        self.graph.page_size = value

    @property
    def latency(self) -> float:
        return self.faults.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.faults.latency = seconds

    # --- state ----------------------------------------------------------------------------------
    def add_tenant(self, tenant: Tenant) -> Tenant:
        self.tenants[tenant.tenant_id.lower()] = tenant
        return tenant

    def tenant(self, tenant_id: str) -> Tenant:
        return self.tenants[tenant_id.lower()]

    # --- client helpers for tests ---------------------------------------------------------------
    def session(self) -> requests.Session:
        """A session that trusts the emulator's CA and ignores proxy/CA environment variables."""
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca_bundle
        return session

    def issue_token(self, tenant_id: str, client_id: str = TEST_CLIENT_ID, roles: list[str] | None = None) -> str:
        """An app-only access token as the token endpoint would issue it (no HTTP round trip)."""
        client = self.tenant(tenant_id).clients.get(client_id.lower()) or ClientApp(client_id)
        return self.issuer.issue(tenant_id, client_id, roles=client.roles if roles is None else roles)

    def confidential_app(
        self,
        tenant_id: str,
        client_id: str = TEST_CLIENT_ID,
        secret: str = TEST_CLIENT_SECRET,
        session: requests.Session | None = None,
    ) -> Any:
        """An msal ConfidentialClientApplication signed in against this emulator (for tests)."""
        import msal

        return msal.ConfidentialClientApplication(
            client_id,
            client_credential=secret,
            authority=self.authority(tenant_id),
            instance_discovery=False,
            azure_region=False,
            http_client=session or self.session(),
        )

    # --- request handling (called from server threads) -------------------------------------------
    def _handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str], Record]:
        started = time.monotonic()
        split = urlsplit(raw_path)
        if split.path == "/v1.0" or split.path.startswith("/v1.0/"):
            status, payload, out_headers, tenant, client_id, kind = self._handle_graph(method, raw_path, headers, body)
        elif split.path == CI_TOKEN_PATH:
            response = self.ci.answer(method, dict(parse_qsl(split.query, keep_blank_values=True)), headers)
            payload = response.body.encode() if isinstance(response.body, str) else response.body
            status, out_headers, tenant, client_id, kind = (
                response.status,
                dict(response.headers),
                None,
                None,
                Kind.OTHER,
            )
        elif split.path == MANAGED_IDENTITY_PATH:
            status, payload, out_headers, tenant, client_id, kind = self._handle_managed_identity(
                method, split.query, headers
            )
        else:
            status, payload, out_headers, tenant, client_id, kind = self._handle_login(method, split.path, body)
        remaining = self.faults.latency - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
        out_headers.setdefault("request-id", headers.get("client-request-id", "") or "emulator")
        record = Record(method, decode_target(raw_path), tenant, status, kind, client_id, raw_path=raw_path)
        return status, payload, out_headers, record

    def _handle_graph(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str], str | None, str | None, Kind]:
        path_and_query = raw_path[len("/v1.0") :]
        is_batch = unquote(urlsplit(path_and_query).path).rstrip("/") == "/$batch"
        kind = Kind.BATCH if is_batch else Kind.GRAPH
        identity = self._authenticate(headers)
        if identity is None:
            response = GraphResponse(
                401,
                {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty or invalid."}},
                {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'},
            )
            return *self._graph_out(response), None, None, kind
        decision = self.faults.decide(method, decode_target(raw_path), identity.tenant_id, is_item=False)
        if decision.delay:
            time.sleep(decision.delay)
        if decision.fault is not None:
            response = graph_fault_response(decision.fault)
        elif is_batch and method == "POST":
            response = self.graph.batch(identity, body)
        elif method != "GET":
            response = GraphResponse(405, {"error": {"code": "MethodNotAllowed", "message": "Reads only."}})
        else:
            response = self.graph.get(identity, path_and_query)
        return *self._graph_out(response), identity.tenant_id, identity.client_id, kind

    @staticmethod
    def _graph_out(response: GraphResponse) -> tuple[int, Any, dict[str, str]]:
        headers = dict(response.headers)
        payload: Any = response.body
        if isinstance(payload, str):
            payload = payload.encode()
        elif payload is None:
            payload = b""
        return response.status, payload, headers

    def _authenticate(self, headers: dict[str, str]) -> Identity | None:
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        identity = self.issuer.verify(token.strip())
        if identity is None or identity.tenant_id.lower() not in self.tenants:
            return None
        return identity

    def _handle_managed_identity(
        self, method: str, query: str, headers: dict[str, str]
    ) -> tuple[int, Any, dict[str, str], str | None, str | None, Kind]:
        params = dict(parse_qsl(query, keep_blank_values=True))
        if method != "GET":
            return 405, {"error": "invalid_request"}, {}, None, params.get("client_id"), Kind.MANAGED_IDENTITY
        decision = self.faults.decide(method, MANAGED_IDENTITY_PATH, None, is_item=False)
        if decision.delay:
            time.sleep(decision.delay)
        if decision.fault is not None:
            response = login_fault_response(decision.fault)
        else:
            response = self.login.managed_identity_token(params, headers)
        tenant = next((mi.tenant_id for mi in self.login.managed_identities), None)
        payload: Any = response.body.encode() if isinstance(response.body, str) else response.body
        return response.status, payload, dict(response.headers), tenant, params.get("client_id"), Kind.MANAGED_IDENTITY

    def _handle_login(
        self, method: str, path: str, body: bytes
    ) -> tuple[int, Any, dict[str, str], str | None, str | None, Kind]:
        match = _LOGIN_PATH.match(path)
        if match is None:
            return (
                404,
                {"error": "not_found", "error_description": f"No such endpoint: {path}"},
                {},
                None,
                None,
                (Kind.OTHER),
            )
        tenant_id = match.group("tenant")
        if match.group("discovery"):
            kind, expected = Kind.DISCOVERY, "GET"
        elif match.group("endpoint") == "token":
            kind, expected = Kind.TOKEN, "POST"
        else:
            kind, expected = Kind.DEVICE_CODE, "POST"
        form = dict(parse_qsl(body.decode(errors="replace"), keep_blank_values=True)) if body else {}
        client_id = form.get("client_id")
        if method != expected:
            return 405, {"error": "invalid_request"}, {}, tenant_id, client_id, kind
        decision = self.faults.decide(method, decode_target(path), tenant_id, is_item=False)
        if decision.delay:
            time.sleep(decision.delay)
        response: LoginResponse
        if decision.fault is not None:
            response = login_fault_response(decision.fault)
        elif kind is Kind.DISCOVERY:
            response = self.login.discovery(tenant_id)
        elif kind is Kind.TOKEN:
            response = self.login.token(tenant_id, form)
        else:
            response = self.login.device_code(tenant_id, form)
        payload: Any = response.body.encode() if isinstance(response.body, str) else response.body
        return response.status, payload, dict(response.headers), tenant_id, client_id, kind


@contextmanager
def running() -> Iterator[Emulator]:
    """A started emulator for the duration of a ``with`` block."""
    emulator = Emulator().start()
    try:
        yield emulator
    finally:
        emulator.stop()
