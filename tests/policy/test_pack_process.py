"""Start the pack exactly as the CLI's Python analyzer host does and talk to it over gRPC.

The CLI runs ``python -u -m pulumi.policy <engine address> <pack dir>``, which ``runpy``s
``policy/__main__.py`` with the pack directory as sys.path root. This proves the entry point's
imports work from there and that the served pack is the one ``guardrails.POLICIES`` describes,
without the CLI itself (that is ``test_pack_cli.py``).
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc

from tests.policy.analyzer import analyze_request
from tests.policy.builders import ENPASS_SCOPES, GRANT_TYPE, good_props
from tests.policy.conftest import POLICY_DIR

STARTUP_SECONDS = 60


def _read_port(process: subprocess.Popen[bytes]) -> int:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=STARTUP_SECONDS):
            raise AssertionError("the policy pack printed no port")
    line = process.stdout.readline().decode().strip()
    assert line.isdigit(), f"expected a port, got {line!r}"
    return int(line)


@pytest.fixture
def pack_stub(tmp_path: Path) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PULUMI_CONFIG"}}
    stderr_path = tmp_path / "pack.stderr"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", str(POLICY_DIR)],
            cwd=POLICY_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
    try:
        try:
            port = _read_port(process)
        except AssertionError as error:
            raise AssertionError(f"{error}; stderr: {stderr_path.read_text(errors='replace')}") from None
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def test_served_pack_lists_the_policies(pack_stub: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = pack_stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    assert info.name == "enpass-consent-guardrails"
    assert sorted(p.name for p in info.policies) == [
        "enpass-assignment-required-when-assigned",
        "enpass-client-id-pinned",
        "enpass-no-application-permissions",
        "enpass-no-drift-suppression",
        "enpass-protected",
        "enpass-scopes-allowlisted",
    ]


def test_served_pack_rejects_an_extra_scope(pack_stub: analyzer_pb2_grpc.AnalyzerStub) -> None:
    request = analyze_request(
        GRANT_TYPE, "enpass-grant", good_props(GRANT_TYPE, claimValues=[*ENPASS_SCOPES, "Mail.Read"])
    )
    response = pack_stub.Analyze(request, timeout=30)
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [
        ("enpass-scopes-allowlisted", proto.MANDATORY)
    ]
