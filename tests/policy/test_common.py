"""The helpers the rules share: which property an ``ignore_changes`` entry names."""

from __future__ import annotations

import pytest
from rules.common import same_property, top_level_property


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("appRoleAssignmentRequired", "appRoleAssignmentRequired"),
        ("claimValues[0]", "claimValues"),
        ("tags.owner.name", "tags"),
        ("  notes  ", "notes"),
        ('["a.b"].c', "a.b"),
        ('["claimValues"]["x"]', "claimValues"),
        ('["a[0]"][1]', "a[0]"),
        # Unterminated quoting (pulumi would reject it): the rest of the entry, not a shorter name.
        ('["notes', "notes"),
    ],
)
def test_top_level_property(path: str, expected: str) -> None:
    assert top_level_property(path) == expected


@pytest.mark.parametrize(
    ("path", "covered"),
    [
        ("appRoleAssignmentRequired", True),
        ("app_role_assignment_required", True),
        ("AppRoleAssignmentRequired.x", True),
        ('["app_role_assignment_required"]', True),
        ("*", True),
        ("appRoleAssignment", False),
        ("app_role_assignment_required_x", False),
    ],
)
def test_same_property_in_either_spelling(path: str, covered: bool) -> None:
    assert same_property(path, "appRoleAssignmentRequired") is covered
