"""Which proxy a request goes through: ``HTTPS_PROXY`` / ``NO_PROXY``, read as the azuread provider reads them.

The session ignores the environment (``trust_env`` is off, so ``REQUESTS_CA_BUNDLE`` can never
replace our CA bundle), so the proxy variables are read here, explicitly, with the rules of Go's
``http.ProxyFromEnvironment`` (golang.org/x/net/http/httpproxy), which the azuread provider uses
for every request (hashicorp/go-azure-sdk ``sdk/client/client.go`` and ``sdk/auth/client.go`` set
``Proxy: http.ProxyFromEnvironment``):

- ``HTTPS_PROXY`` (else ``https_proxy``) for https URLs; ``HTTP_PROXY`` never applies to them;
  a value without a scheme means ``http://``;
- ``NO_PROXY`` (else ``no_proxy``): comma-separated; ``*`` bypasses everything; an IP address or
  CIDR range matches the host's IP; ``example.com`` matches it and its subdomains, ``.example.com``
  only subdomains (``*.example.com`` the same); an entry may carry ``:port``;
- ``localhost`` and loopback addresses are never proxied.

TLS verification and the CA bundle stay exactly as without a proxy (CONNECT tunnel, end-to-end TLS).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from enpass_consent.graph.errors import ConfigurationError
from enpass_consent.graph.redact import register_secret

HTTPS_PROXY = "HTTPS_PROXY"
NO_PROXY = "NO_PROXY"


def _first(environ: Mapping[str, str], name: str) -> str:
    """Upper case first, then lower case, as httpproxy.FromEnvironment's getEnvAny does."""
    return (environ.get(name) or environ.get(name.lower()) or "").strip()


@dataclass(frozen=True)
class _Rule:
    host: str = ""
    """A domain, with a leading dot when only subdomains match; empty for IP rules."""
    match_host: bool = False
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: str = ""


@dataclass(frozen=True)
class ProxyConfig:
    """The proxy for https requests and the hosts that bypass it."""

    https_proxy: str | None = None
    bypass_all: bool = False
    rules: tuple[_Rule, ...] = field(default_factory=tuple)

    def proxy_for(self, url: str) -> str | None:
        """The proxy URL for ``url``, or None to connect directly."""
        split = urlsplit(url)
        if split.scheme != "https" or self.https_proxy is None or not split.hostname:
            return None
        host = split.hostname.lower()
        port = str(split.port or 443)
        if host == "localhost" or self.bypass_all:
            return None
        ip = _ip(host)
        if ip is not None and ip.is_loopback:
            return None
        for rule in self.rules:
            if rule.port and rule.port != port:
                continue
            if rule.network is not None:
                if ip is not None and ip in rule.network:
                    return None
            elif host.endswith(rule.host) or (rule.match_host and host == rule.host[1:]):
                return None
        return self.https_proxy

    def requests_proxies(self, url: str) -> dict[str, str]:
        """``proxies`` for one ``requests`` call; ``{}`` connects directly."""
        proxy = self.proxy_for(url)
        return {"https": proxy} if proxy else {}


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _rule(entry: str) -> _Rule | None:
    entry = entry.strip().lower()
    if not entry:
        return None
    try:
        return _Rule(network=ipaddress.ip_network(entry, strict=False)) if "/" in entry else _ip_rule(entry)
    except ValueError:
        pass
    host, port = entry, ""
    if entry.startswith("[") and "]:" in entry:  # [v6]:port
        host, _, port = entry[1:].partition("]:")
    elif entry.count(":") == 1:
        host, _, port = entry.partition(":")
    ip = _ip(host)
    if ip is not None:
        return _Rule(network=ipaddress.ip_network(ip), port=port)
    if not host:
        return None
    if host.startswith("*."):
        host = host[1:]
    if host.startswith("."):
        return _Rule(host=host, port=port)
    return _Rule(host="." + host, match_host=True, port=port)


def _ip_rule(entry: str) -> _Rule:
    ip = _ip(entry)
    if ip is None:
        raise ValueError(entry)
    return _Rule(network=ipaddress.ip_network(ip))


def proxy_config(environ: Mapping[str, str]) -> ProxyConfig:
    """The proxy settings ``environ`` describes. Raises ``ConfigurationError`` for an unusable proxy URL."""
    raw = _first(environ, HTTPS_PROXY)
    proxy: str | None = None
    if raw:
        proxy = raw if "://" in raw else f"http://{raw}"
        parsed = urlsplit(proxy)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigurationError(
                f"{HTTPS_PROXY}: {parsed.scheme}://{parsed.hostname or ''} is not an http(s) proxy"
            )
        register_secret(parsed.password)  # credentials in the proxy URL are as secret as any other
        register_secret(proxy if parsed.password else None)
    entries = [entry for entry in _first(environ, NO_PROXY).split(",") if entry.strip()]
    if any(entry.strip() == "*" for entry in entries):
        return ProxyConfig(proxy, bypass_all=True)
    return ProxyConfig(proxy, rules=tuple(rule for entry in entries if (rule := _rule(entry)) is not None))
