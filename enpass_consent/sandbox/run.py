"""One sandbox's lifetime: start the emulator, write the demo folder, wait for a stop signal, clean up."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator

from enpass_consent import clouds
from enpass_consent.emulator.server import Emulator
from enpass_consent.emulator.state import TEST_CLIENT_ID, TEST_CLIENT_SECRET
from enpass_consent.graph.credentials import CERTIFICATE_PASSWORD, CERTIFICATE_PATH, CLIENT_ID, CLIENT_SECRET
from enpass_consent.sandbox.folder import DemoFolder
from enpass_consent.sandbox.tenants import Served

# Signals that stop the sandbox cleanly: Ctrl-C, `kill`, a closed terminal.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class StartError(Exception):
    """The sandbox cannot start (port taken, demo folder not writable); nothing was left behind."""


def sandbox_env(emulator: Emulator) -> dict[str, str]:
    """The endpoint overrides, the CA bundle and the fake credentials the emulator accepts."""
    return {
        clouds.AUTHORITY_HOST_ENV: emulator.base_url,
        clouds.GRAPH_URL_ENV: emulator.base_url,
        clouds.CA_BUNDLE_ENV: emulator.ca_bundle,
        CLIENT_ID: TEST_CLIENT_ID,
        CLIENT_SECRET: TEST_CLIENT_SECRET,
    }


@contextlib.contextmanager
def running_sandbox(served: Served, folder: DemoFolder, port: int) -> Iterator[Emulator]:
    """The emulator serving ``served`` on 127.0.0.1:``port``, with ``folder`` written; everything the
    sandbox created is removed on exit (the folder itself only when it is a temporary one)."""
    emulator = Emulator()
    for tenant in served.tenants:
        emulator.add_tenant(tenant)
    try:
        try:
            emulator.start(port)
        except OSError as exc:
            raise StartError(f"--port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})") from None
        try:
            folder.write(served.demo, sandbox_env(emulator), unset=[CERTIFICATE_PATH, CERTIFICATE_PASSWORD])
        except OSError as exc:
            raise StartError(f"cannot write the demo project in {folder.path} ({exc.strerror or exc})") from None
        yield emulator
    finally:
        emulator.stop()
        folder.remove()


@contextlib.contextmanager
def stop_signals() -> Iterator[Callable[[], int]]:
    """While inside, the stop signals only end the wait: ``wait()`` returns the signal received."""
    received: list[int] = []
    stopped = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        received.append(signum)
        stopped.set()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}

    def wait() -> int:
        while not stopped.wait(3600):
            pass
        return received[0]

    try:
        yield wait
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
