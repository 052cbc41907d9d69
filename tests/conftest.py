"""Fixtures every test may use: the Entra + Graph emulator (tests/emulator/README.md)."""

pytest_plugins = ["tests.emulator.fixtures"]
