"""Directory audit events as the attribution reads them: typed, and without ``additionalDetails``.

Shape: the directoryAudit resource (https://learn.microsoft.com/graph/api/resources/directoryaudit):
``activityDisplayName``, ``activityDateTime``, ``category``, ``correlationId``, ``result``,
``initiatedBy`` (``user`` with ``id``/``userPrincipalName``/``displayName``, or ``app`` with
``appId``/``displayName``/``servicePrincipalId``) and ``targetResources`` (``id``, ``type``,
``displayName``, ``modifiedProperties`` of ``displayName``/``oldValue``/``newValue``).
``additionalDetails`` is never read: it can carry user agents, IP addresses and free text.

Modified property values are strings holding JSON (``"\\" User.Read Mail.Read\\""``, ``"[false]"``), as
Microsoft's own script reads them (it strips the quotes of ``DelegatedPermissionGrant.Scope``:
https://learn.microsoft.com/entra/identity/enterprise-apps/restore-permissions); :func:`property_text`
decodes them.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from enpass_consent.attribution.result import LastChange

_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True)
class ModifiedProperty:
    name: str
    old_value: str
    new_value: str


@dataclass(frozen=True)
class Target:
    object_id: str
    """Lower case."""
    type: str
    display_name: str
    modified: tuple[ModifiedProperty, ...] = ()


@dataclass(frozen=True)
class AuditEvent:
    event_id: str
    activity: str
    at: datetime.datetime
    result: str
    correlation_id: str | None
    actor: str
    actor_id: str | None
    targets: tuple[Target, ...]

    @classmethod
    def from_graph(cls, body: Mapping[str, Any]) -> AuditEvent | None:
        """The event, or None when it has no usable time (it then explains nothing)."""
        at = parse_time(body.get("activityDateTime"))
        if at is None:
            return None
        actor, actor_id = _actor(body.get("initiatedBy"))
        targets = body.get("targetResources")
        return cls(
            event_id=str(body.get("id") or ""),
            activity=str(body.get("activityDisplayName") or ""),
            at=at,
            result=str(body.get("result") or ""),
            correlation_id=str(body["correlationId"]) if body.get("correlationId") else None,
            actor=actor,
            actor_id=actor_id,
            targets=tuple(_target(t) for t in targets if isinstance(t, Mapping)) if isinstance(targets, list) else (),
        )

    @property
    def succeeded(self) -> bool:
        return self.result.lower() == "success"

    def target_ids(self) -> set[str]:
        return {target.object_id for target in self.targets if target.object_id}

    def properties(self, name: str) -> list[ModifiedProperty]:
        """Every modified property called ``name`` (case-insensitive), over all targets."""
        wanted = name.lower()
        return [prop for target in self.targets for prop in target.modified if prop.name.lower() == wanted]

    def new_value(self, name: str) -> str | None:
        found = self.properties(name)
        return property_text(found[0].new_value) if found else None

    def old_value(self, name: str) -> str | None:
        found = self.properties(name)
        return property_text(found[0].old_value) if found else None

    def last_change(self) -> LastChange:
        return LastChange(
            activity=self.activity,
            at=self.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            actor=self.actor,
            actor_id=self.actor_id,
            result="success" if self.succeeded else "failure",
            correlation_id=self.correlation_id,
        )


def parse_time(value: Any) -> datetime.datetime | None:
    """``2026-11-30T21:14:03.1234567Z`` -> an aware UTC datetime (Graph writes 7 fractional digits)."""
    if not isinstance(value, str) or not value:
        return None
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00")
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


def property_text(raw: str) -> str:
    """A modified property's value as text: JSON strings and one-element lists unwrapped, quotes stripped."""
    text = raw.strip()
    try:
        decoded = json.loads(text) if text else ""
    except ValueError:
        return text.strip('"').strip()
    if isinstance(decoded, list):
        decoded = " ".join(str(item) for item in decoded)
    if isinstance(decoded, bool):
        return "true" if decoded else "false"
    return str(decoded if decoded is not None else "").strip()


def _actor(initiated_by: Any) -> tuple[str, str | None]:
    """``alice@contoso.com`` for a person, ``App name (appId)`` for an app; "unknown" when neither is given."""
    if not isinstance(initiated_by, Mapping):
        return "unknown", None
    user = initiated_by.get("user")
    if isinstance(user, Mapping) and (user.get("id") or user.get("userPrincipalName") or user.get("displayName")):
        name = user.get("userPrincipalName") or user.get("displayName") or user.get("id")
        return str(name), str(user["id"]).lower() if user.get("id") else None
    app = initiated_by.get("app")
    if isinstance(app, Mapping) and (app.get("appId") or app.get("displayName")):
        name = str(app.get("displayName") or "app")
        app_id = str(app.get("appId") or "")
        actor_id = app.get("servicePrincipalId") or app.get("appId")
        return (f"{name} ({app_id})" if app_id else name), str(actor_id).lower() if actor_id else None
    return "unknown", None


def _target(body: Mapping[str, Any]) -> Target:
    modified = body.get("modifiedProperties")
    properties: Sequence[Any] = modified if isinstance(modified, list) else []
    return Target(
        object_id=str(body.get("id") or "").lower(),
        # The documented example spells it "Type" in one response and "type" in another (directoryaudit-list).
        type=str(body.get("type") or body.get("Type") or ""),
        display_name=str(body.get("displayName") or ""),
        modified=tuple(
            ModifiedProperty(
                str(prop.get("displayName") or ""),
                _raw(prop.get("oldValue")),
                _raw(prop.get("newValue")),
            )
            for prop in properties
            if isinstance(prop, Mapping)
        ),
    )


def _raw(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)
