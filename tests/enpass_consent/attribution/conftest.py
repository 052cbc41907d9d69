"""The audit's end-to-end fixture (a project folder and an app credential) for attribution's tests."""

from tests.enpass_consent.audit.test_cli_emulator import project  # noqa: F401
