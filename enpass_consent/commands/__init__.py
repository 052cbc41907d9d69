"""One module per CLI command; each exposes a click command registered in ``enpass_consent.cli``."""
