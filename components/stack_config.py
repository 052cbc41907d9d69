"""The stack's settings as Pulumi hands them to the program, in the form ``settings.parse`` takes."""

from __future__ import annotations

import pulumi
from pulumi.runtime import config as runtime_config

from enpass_consent import settings


def read() -> dict[str, str]:
    """``namespace:key`` -> string for every contract key that is set, plus any unknown project key.

    Unknown ``enpass-consent:`` keys are included so that a typo (``enpass-consent:scope``) fails
    instead of being silently ignored.
    """
    out: dict[str, str] = {}
    for full_key in (settings.TENANT_ID, settings.CLIENT_ID, settings.ENVIRONMENT, *settings.PROJECT_KEYS):
        namespace, key = full_key.split(":", 1)
        value = pulumi.Config(namespace).get(key)
        if value is not None:
            out[full_key] = value
    for full_key in _all_keys():
        if full_key.startswith(f"{settings.PROJECT}:") and full_key not in out:
            out[full_key] = ""
    return out


def _all_keys() -> set[str]:
    # The SDK has no public "list all config" call; these are the two places it reads config from.
    return set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
