"""Every command of the CLI; each module's command is listed once here."""

from __future__ import annotations

import importlib

import click

# module name -> attribute holding its click command. Commands appear here as they are built.
_COMMANDS: dict[str, str] = {
    "explain": "explain",
    "consent_url": "consent_url",
    "audit": "audit",
    "review": "review",
    "fleet": "fleet",
    "preflight": "preflight",
    "adopt": "adopt",
    "sandbox": "sandbox",
    "init": "init",
}


def commands() -> list[click.Command]:
    out = []
    for module_name, attribute in _COMMANDS.items():
        module = importlib.import_module(f"enpass_consent.commands.{module_name}")
        out.append(getattr(module, attribute))
    return out
