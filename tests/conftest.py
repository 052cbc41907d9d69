"""Plugins every test gets: the Entra + Graph emulator (enpass_consent/emulator/README.md), Graph
retries without backoff sleeps (tests/support/fast_retries.py), the fake ``az`` a test may ask for
(tests/support/fake_az.py) and the ``--real-cli`` selection (tests/support/real_cli.py)."""

pytest_plugins = [
    "tests.support.emulator_fixtures",
    "tests.support.fast_retries",
    "tests.support.fake_az",
    "tests.support.real_cli",
    "pytester",
]
