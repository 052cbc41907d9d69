"""Pulumi components of the enpass-consent program."""

from components import lookups, stack_config
from components.enpass_consent import TYPE_TOKEN, EnpassConsent, EnpassConsentArgs

__all__ = ["TYPE_TOKEN", "EnpassConsent", "EnpassConsentArgs", "lookups", "stack_config"]
