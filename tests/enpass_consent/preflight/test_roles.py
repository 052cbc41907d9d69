"""The effective-role verdict from hand-written reads (pure)."""

from __future__ import annotations

from typing import Any

from enpass_consent.preflight import roles
from enpass_consent.preflight.state import Denied, Found, Missing, Outcome

CLOUD_APP_ADMIN = "158c047a-c907-4556-b7ef-446551a6b5f7"
GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10"
USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1"  # not consent-capable


def role(template_id: str | None) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.directoryRole", "id": "r1", "roleTemplateId": template_id}


def group() -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.group", "id": "g1"}


def reads(
    memberships: Outcome, eligible: list[dict[str, Any]] | Outcome = (), assignments: list[dict[str, Any]] = ()
) -> dict[str, Outcome]:  # type: ignore[assignment]
    return {
        roles.MY_MEMBERSHIPS: memberships,
        roles.MY_ELIGIBLE_ROLES: eligible
        if not isinstance(eligible, (list, tuple))
        else Found({"value": list(eligible)}),
        roles.MY_ROLE_ASSIGNMENTS: Found({"value": list(assignments)}),
    }


def test_active_roles_in_catalog_order_and_upper_case_ids() -> None:
    verdict = roles.evaluate(
        reads(Found({"value": [group(), role(CLOUD_APP_ADMIN.upper()), role(GLOBAL_ADMIN), role(USER_ADMIN)]}))
    )
    assert verdict.active == ("Global Administrator", "Cloud Application Administrator")
    assert verdict.unreadable is None


def test_eligible_and_narrow_exclude_what_is_active() -> None:
    eligible = [
        {"roleDefinitionId": CLOUD_APP_ADMIN, "directoryScopeId": "/", "memberType": "Group"},
        {"roleDefinitionId": GLOBAL_ADMIN, "directoryScopeId": "/administrativeUnits/x"},
    ]
    assignments = [{"roleDefinitionId": GLOBAL_ADMIN, "directoryScopeId": "/administrativeUnits/x"}]
    verdict = roles.evaluate(reads(Found({"value": [group()]}), eligible, assignments))
    assert (verdict.active, verdict.eligible, verdict.narrow) == (
        (),
        ("Cloud Application Administrator",),
        ("Global Administrator",),
    )
    active = roles.evaluate(reads(Found({"value": [role(CLOUD_APP_ADMIN)]}), eligible, assignments))
    assert active.eligible == ()


def test_what_makes_the_roles_unreadable() -> None:
    assert "template ids" in (roles.evaluate(reads(Found({"value": [role(None)]}))).unreadable or "")
    assert "GDAP" in (roles.evaluate(reads(Missing())).unreadable or "")
    assert "403" in (roles.evaluate(reads(Denied(roles.READ_MY_MEMBERSHIPS))).unreadable or "")
    refused = roles.evaluate(reads(Found({"value": []}), Denied(roles.READ_MY_ELIGIBLE_ROLES)))
    assert refused.unreadable is None and refused.eligibility_unreadable
