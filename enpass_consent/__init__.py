"""enpass-consent: Enpass admin consent in Microsoft Entra ID as code."""

__version__ = "0.1.0"
