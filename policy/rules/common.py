"""Helpers the rules share: policy settings with defaults, preview-time unknowns, property paths."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError

GUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def setting(config: Mapping[str, Any], key: str, default: Any) -> Any:
    """A policy setting, or ``default`` when the CLI passed none.

    pulumi_policy does not apply ``PolicyConfigSchema`` defaults: ``get_config()`` is empty unless
    ``--policy-pack-config`` (or Pulumi Cloud) sets something, so every rule applies its own default.
    """
    value = config.get(key)
    return default if value is None else value


class Undecided:
    """Remembers the first preview-time unknown a rule could not decide on.

    A rule reports everything it can decide from known values first, then calls :meth:`raise_if_any`.
    The re-raised :class:`UnknownValueError` makes the SDK add an ADVISORY "can't run policy ...
    during preview" diagnostic, so an undecidable resource is always visible and never passes
    silently. At ``pulumi up`` the values are known and the rule runs at its own level.
    """

    def __init__(self) -> None:
        self.error: UnknownValueError | None = None

    def add(self, error: UnknownValueError, where: Sequence[str] = ()) -> None:
        """Record ``error``; ``where`` prefixes its property path (e.g. a resource name in a stack rule)."""
        if self.error is None:
            self.error = UnknownValueError(error.unknown_type_sentinel, [*where, *error.props]) if where else error

    def raise_if_any(self) -> None:
        if self.error is not None:
            raise self.error


def known_items(values: Sequence[Any], undecided: Undecided) -> list[Any]:
    """The known elements of a (proxied) list; unknown elements are recorded in ``undecided``."""
    items: list[Any] = []
    for index in range(len(values)):
        try:
            items.append(values[index])
        except UnknownValueError as error:
            undecided.add(error)
    return items


def top_level_property(path: str) -> str:
    """The first segment of an ``ignore_changes`` property path: ``a.b[0]`` -> ``a``, ``["a.b"].c`` -> ``a.b``."""
    path = path.strip()
    if path.startswith('["'):
        end = path.find('"]')
        return path[2:end] if end > 0 else path[2:]
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def same_property(path: str, engine_name: str) -> bool:
    """Whether an ``ignore_changes`` entry covers ``engine_name``.

    Engine names are camelCase (``appRoleAssignmentRequired``); a program may write the Python name
    (``app_role_assignment_required``), which the SDK normally translates but a transform or a raw
    request need not. ``*`` (every property) covers everything.
    """
    top = top_level_property(path)
    return top == "*" or top.replace("_", "").lower() == engine_name.replace("_", "").lower()
