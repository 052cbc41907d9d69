"""Plugins every test may use: the Entra + Graph emulator (enpass_consent/emulator/README.md) and
the ``--real-cli`` selection (tests/support/real_cli.py)."""

pytest_plugins = ["tests.support.emulator_fixtures", "tests.support.real_cli", "pytester"]
