"""The pack keeps its own copies of the Enpass facts; they must equal the catalog's.

Widening consent therefore takes two reviewed edits: enpass_consent/catalog.py and policy/enpass_ids.py.
"""

from __future__ import annotations

import enpass_ids

from enpass_consent import catalog


def test_client_id_equals_the_catalog() -> None:
    assert enpass_ids.ENPASS_CLIENT_ID == catalog.ENPASS_APP_ID


def test_default_access_role_equals_the_catalog() -> None:
    assert enpass_ids.DEFAULT_ACCESS_APP_ROLE_ID == catalog.DEFAULT_ACCESS_APP_ROLE_ID


def test_scopes_equal_the_catalog() -> None:
    assert enpass_ids.ENPASS_SCOPES == catalog.ENPASS_SCOPE_NAMES
    assert enpass_ids.SIGN_IN_SCOPES == catalog.SIGN_IN_SCOPE_NAMES
    assert enpass_ids.DEFAULT_ALLOWED_SCOPES == catalog.ALL_SCOPE_NAMES
