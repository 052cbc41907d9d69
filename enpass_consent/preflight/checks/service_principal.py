"""Check ``service-principal``: what the first ``pulumi up`` sets on an Enpass service principal that exists.

``pulumi up`` adopts an existing SP through ``use_existing`` and writes every property the program
declares (``enpass_consent.service_principal`` lists them, with the provider source). Nothing here stops
``pulumi up``, so differences are a warning that names each property with its current and future value.
"""

from __future__ import annotations

from enpass_consent.preflight.checks.common import permission_failure
from enpass_consent.preflight.result import Check, CheckStatus
from enpass_consent.preflight.state import Denied, PreflightState
from enpass_consent.service_principal import changes_on_existing
from enpass_consent.settings import ACCOUNT_ENABLED, HIDE_FROM_MY_APPS, NOTIFICATION_EMAILS, Settings

SERVICE_PRINCIPAL = "service-principal"

# Properties a stack setting can keep as they are; the others take the program's value.
_SETTING_FOR = {
    "accountEnabled": ACCOUNT_ENABLED,
    "tags": HIDE_FROM_MY_APPS,
    "notificationEmailAddresses": NOTIFICATION_EMAILS,
}


def check_service_principal(settings: Settings, state: PreflightState) -> Check:
    if isinstance(state.enpass, Denied):
        return permission_failure(
            SERVICE_PRINCIPAL, state.enpass.requirement, "the Enpass service principal", identity=state.identity
        )
    sp = state.enpass.service_principal
    if sp is None:
        return Check(
            SERVICE_PRINCIPAL,
            CheckStatus.PASS,
            "Enpass has no service principal in this tenant yet: `pulumi up` creates it with the stack's values.",
        )
    changes = changes_on_existing(settings, sp)
    if not changes:
        return Check(
            SERVICE_PRINCIPAL,
            CheckStatus.PASS,
            f"`pulumi up` adopts the existing Enpass service principal {sp.object_id} (use_existing) and changes "
            "none of its properties.",
        )
    settings_to_review = sorted({_SETTING_FOR[c.name] for c in changes if c.name in _SETTING_FOR})
    keep = (
        f"To keep a current value, set {', '.join(settings_to_review)} in the stack file; other properties always "
        "take the program's value"
        if settings_to_review
        else "These properties always take the program's value"
    )
    return Check(
        SERVICE_PRINCIPAL,
        CheckStatus.WARN,
        f"`pulumi up` adopts the existing Enpass service principal {sp.object_id} (use_existing) and sets "
        + "; ".join(change.describe() for change in changes)
        + ".",
        f"Review these changes before the first `pulumi up`. {keep} (docs/preflight.md).",
    )
