"""The shared emulator fixtures (one HTTPS server per test session, reset before every test)."""

from __future__ import annotations

from tests.support.emulator_fixtures import emulator, emulator_env, emulator_server

__all__ = ["emulator", "emulator_env", "emulator_server"]
