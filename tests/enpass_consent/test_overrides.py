"""``overrides.check``: each unusable ENPASS_CONSENT_* value, the exact message; usable ones pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from enpass_consent import overrides
from enpass_consent.emulator.certs import tls_material

HOST = "ENPASS_CONSENT_AUTHORITY_HOST"
GRAPH = "ENPASS_CONSENT_GRAPH_URL"
CA = "ENPASS_CONSENT_CA_BUNDLE"
CLIENT = "ENPASS_CONSENT_PUBLIC_CLIENT_ID"
URL_RULE = "must be an https:// URL with a host, such as https://127.0.0.1:8443"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({HOST: ""}, f"{HOST} is set but empty; unset it to use the default"),
        ({HOST: "  "}, f"{HOST} is set but empty; unset it to use the default"),
        ({HOST: "127.0.0.1:8443"}, f"{HOST} {URL_RULE} (got '127.0.0.1:8443'); TLS is never turned off"),
        ({HOST: "http://127.0.0.1"}, f"{HOST} {URL_RULE} (got 'http://127.0.0.1'); TLS is never turned off"),
        ({GRAPH: "https://"}, f"{GRAPH} {URL_RULE} (got 'https://'); TLS is never turned off"),
        ({GRAPH: "https://h:port"}, f"{GRAPH} {URL_RULE} (got 'https://h:port'); TLS is never turned off"),
        ({GRAPH: "https://h?x=1"}, f"{GRAPH} {URL_RULE} (got 'https://h?x=1'); TLS is never turned off"),
        ({CA: ""}, f"{CA} is set but empty; unset it to use the default"),
        ({CLIENT: ""}, f"{CLIENT} is set but empty; unset it to use the default"),
        ({CLIENT: "graph-cli"}, f"{CLIENT} must be an application (client) id, a GUID (got 'graph-cli')"),
        (
            {CLIENT: "B642A132-0D12-4FF0-98D6-F5A4AEE7089F"},
            f"{CLIENT} must be a public client of your own (or unset for Microsoft Graph Command Line Tools), "
            "never Enpass's application id",
        ),
        # The first bad variable is reported, in a fixed order: the endpoints, the CA bundle, the client.
        ({CLIENT: "x", GRAPH: "ftp://x", HOST: ""}, f"{HOST} is set but empty; unset it to use the default"),
    ],
)
def test_unusable_values_are_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(overrides.OverrideError) as raised:
        overrides.check(environ)
    assert str(raised.value) == message


def test_ca_bundle_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a certificate\n")
    binary = tmp_path / "key.der"
    binary.write_bytes(b"\x30\x82\xff\xfe")
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    cases = {
        str(tmp_path / "missing.pem"): f"cannot read {tmp_path / 'missing.pem'} (No such file or directory)",
        str(tmp_path): f"cannot read {tmp_path} (Is a directory)",
        str(text): f"{text} holds no PEM certificate ('-----BEGIN CERTIFICATE-----')",
        str(binary): f"{binary} is not a PEM file (it holds non-text bytes)",
    }
    for path, message in cases.items():
        with pytest.raises(overrides.OverrideError) as raised:
            overrides.check({CA: path})
        assert str(raised.value) == f"ENPASS_CONSENT_CA_BUNDLE: {message}"
    with pytest.raises(
        overrides.OverrideError, match=rf"^ENPASS_CONSENT_CA_BUNDLE: {broken} is not a valid PEM bundle"
    ):
        overrides.check({CA: str(broken)})


def test_usable_values_and_unset_ones_pass(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(tls_material().ca)
    overrides.check({})
    overrides.check(
        {
            HOST: "https://127.0.0.1:8443",
            GRAPH: "https://graph.contoso.example/proxy",
            CA: str(ca),
            CLIENT: "14d82eec-204b-4c2f-b7e8-296a70dab67e",
            "ENPASS_CONSENT_SOMETHING_ELSE": "",  # not ours to judge
        }
    )
