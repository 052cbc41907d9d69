"""Fixtures every test may use: the Entra + Graph emulator (enpass_consent/emulator/README.md)."""

pytest_plugins = ["tests.support.emulator_fixtures"]
