"""The adopt block edit: a ruamel round trip that keeps everything else byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from enpass_consent import settings, stackfile
from enpass_consent.adopt import stack_edit
from enpass_consent.settings import Adoption

TENANT = "11111111-2222-3333-4444-555555555555"
SP = "5e000000-0000-4000-8000-0000000000e1"
USER = "aaaaaaaa-0000-4000-8000-000000000001"
ADOPTION = Adoption(SP, "grant-1", {}, {"Team (EU)": "assign-1", USER: "assign-2"})

COMMENTED = f"""\
# Contoso's Enpass consent.   (top comment)
config:
  # the tenant
  azuread:tenantId: "{TENANT}"   # pinned here on purpose
  enpass-consent:groups:
      - 'Team (EU)'    # quoted on purpose
  enpass-consent:users: [{USER}]

  # protect, with a blank line above
  enpass-consent:protect: true
# trailing comment at the end
"""


def project(tmp_path: Path, text: str, stack: str = "contoso") -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: enpass-consent\nruntime: python\n")
    (tmp_path / f"Pulumi.{stack}.yaml").write_bytes(text.encode())
    return tmp_path


def adopt_once(tmp_path: Path, text: str, adoption: Adoption = ADOPTION) -> bytes:
    return stack_edit.with_adoption(stack_edit.load(project(tmp_path, text), "contoso"), adoption)


def adopt_twice(tmp_path: Path, text: str, adoption: Adoption = ADOPTION) -> tuple[bytes, bytes]:
    root = project(tmp_path, text)
    first = stack_edit.with_adoption(stack_edit.load(root, "contoso"), adoption)
    (root / "Pulumi.contoso.yaml").write_bytes(first)
    second = stack_edit.with_adoption(stack_edit.load(root, "contoso"), adoption)
    return first, second


def test_appends_the_block_and_keeps_every_other_byte(tmp_path: Path) -> None:
    first, second = adopt_twice(tmp_path, COMMENTED)
    assert first == second  # idempotent, byte for byte
    expected_block = (
        "  enpass-consent:adopt:\n"
        f"    servicePrincipalObjectId: {SP}\n"
        "    grantId: grant-1\n"
        "    assignmentIds:\n"
        "      Team (EU): assign-1\n"
        f"      {USER}: assign-2\n"
    )
    # The column-0 comment after config stays after it (below the new block).
    assert first.decode() == COMMENTED.replace(
        "  enpass-consent:protect: true\n", "  enpass-consent:protect: true\n" + expected_block
    )


def test_replaces_an_earlier_block_in_place_and_keeps_the_comment_after_it(tmp_path: Path) -> None:
    text = f"""\
config:
  azuread:tenantId: {TENANT}
  enpass-consent:adopt:
    servicePrincipalObjectId: 5e000000-0000-4000-8000-0000000000ff
    userGrantIds: {{}}
    assignmentIds:
      old entry: old-id   # stale
  # about groups
  enpass-consent:groups:
    - Team (EU)
  enpass-consent:users:
    - {USER}
"""
    first, second = adopt_twice(tmp_path, text)
    assert first == second
    assert (
        first.decode()
        == f"""\
config:
  azuread:tenantId: {TENANT}
  enpass-consent:adopt:
    servicePrincipalObjectId: {SP}
    grantId: grant-1
    assignmentIds:
      Team (EU): assign-1
      {USER}: assign-2
  # about groups
  enpass-consent:groups:
    - Team (EU)
  enpass-consent:users:
    - {USER}
"""
    )


def test_flow_style_empty_block_is_replaced(tmp_path: Path) -> None:
    text = f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:adopt: {{}}\n  enpass-consent:protect: false\n"
    first, second = adopt_twice(tmp_path, text, Adoption(SP))
    assert first == second
    assert first.decode() == (
        f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n"
        "  enpass-consent:protect: false\n"
    )


def test_crlf_files_stay_crlf(tmp_path: Path) -> None:
    text = f"config:\r\n  azuread:tenantId: {TENANT}\r\n"
    first, _ = adopt_twice(tmp_path, text, Adoption(SP))
    assert (
        first
        == f"config:\r\n  azuread:tenantId: {TENANT}\r\n  enpass-consent:adopt:\r\n    servicePrincipalObjectId: {SP}\r\n".encode()
    )


def test_four_space_indentation_is_kept(tmp_path: Path) -> None:
    text = f"config:\n    azuread:tenantId: {TENANT}\n    enpass-consent:groups:\n    - Team (EU)\n"
    first, _ = adopt_twice(tmp_path, text, Adoption(SP, None, {}, {"Team (EU)": "a-1"}))
    assert first.decode() == (
        text + f"    enpass-consent:adopt:\n        servicePrincipalObjectId: {SP}\n        assignmentIds:\n"
        "            Team (EU): a-1\n"
    )


def test_written_block_reads_back_through_stackfile_and_settings(tmp_path: Path) -> None:
    adopt_twice(tmp_path, COMMENTED)
    desired = settings.parse(stackfile.read(tmp_path, "contoso").config)
    assert desired.adopt == Adoption(SP, "grant-1", {}, {"Team (EU)": "assign-1", USER: "assign-2"})
    user_grants = Adoption(SP, None, {USER: "ug-1"}, {})
    per_user = f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:tenantWideConsent: false\n  enpass-consent:consentUsers: [{USER}]\n"
    adopt_twice(tmp_path, per_user, user_grants)
    assert settings.parse(stackfile.read(tmp_path, "contoso").config).adopt == user_grants


def test_a_stale_adopt_block_does_not_stop_a_new_adoption(tmp_path: Path) -> None:
    text = f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:adopt:\n    assignmentIds:\n      gone: a\n"
    root = project(tmp_path, text)
    loaded = stack_edit.load(root, "contoso")
    with pytest.raises(settings.SettingsError):
        settings.parse(loaded.config)  # the stale block alone is invalid (no such entry, no SP id)...
    assert stack_edit.settings_without_adopt(loaded).tenant_id == TENANT  # ...and ignored by adopt


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    root = project(tmp_path, "config: [unclosed\n")
    with pytest.raises(stackfile.StackFileError, match=r"Pulumi\.contoso\.yaml"):
        stack_edit.load(root, "contoso")


def test_diff_is_a_unified_diff_of_the_file(tmp_path: Path) -> None:
    diff = stack_edit.unified_diff(Path("Pulumi.contoso.yaml"), b"a: 1\n", b"a: 1\nb: 2\n")
    assert diff == "--- a/Pulumi.contoso.yaml\n+++ b/Pulumi.contoso.yaml\n@@ -1 +1,2 @@\n a: 1\n+b: 2\n"


def test_the_annotated_example_only_gains_the_block(tmp_path: Path) -> None:
    example = (Path(__file__).resolve().parents[3] / "Pulumi.example.yaml").read_text()
    text = example.replace("00000000-0000-0000-0000-000000000000", TENANT, 1)
    first, second = adopt_twice(tmp_path, text, Adoption(SP, "g-1", {}, {"Enpass Users": "a-1"}))
    assert first == second
    block = f"  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n    grantId: g-1\n    assignmentIds:\n"
    assert first.decode() == text + block + "      Enpass Users: a-1\n"


def test_a_comment_introducing_the_next_top_level_key_stays_with_it(tmp_path: Path) -> None:
    text = (
        f"config:\n  azuread:tenantId: {TENANT}   # eol\n  # still config\n# about the salt\nencryptionsalt: v1:abc\n"
    )
    first, second = adopt_twice(tmp_path, text, Adoption(SP))
    assert first == second
    assert first.decode() == (
        f"config:\n  azuread:tenantId: {TENANT}   # eol\n  # still config\n  enpass-consent:adopt:\n"
        f"    servicePrincipalObjectId: {SP}\n# about the salt\nencryptionsalt: v1:abc\n"
    )


def test_the_block_is_the_same_whatever_order_the_ids_come_in(tmp_path: Path) -> None:
    # The contract's field order, and within each map the keys sorted (digits < upper < lower case), so a
    # second adopt that reads the tenant in another order writes the same bytes.
    user_a, user_b = "aaaaaaaa-0000-4000-8000-00000000000a", "0aaaaaaa-0000-4000-8000-00000000000b"
    text = f"config:\n  azuread:tenantId: {TENANT}\n"
    expected = text + (
        "  enpass-consent:adopt:\n"
        f"    servicePrincipalObjectId: {SP}\n"
        "    userGrantIds:\n"
        f"      {user_b}: ug-b\n"
        f"      {user_a}: ug-a\n"
        "    assignmentIds:\n"
        "      Ops: a-ops\n"
        "      Zeta: a-zeta\n"
        "      alpha: a-alpha\n"
    )
    orders = [
        Adoption(SP, None, {user_a: "ug-a", user_b: "ug-b"}, {"alpha": "a-alpha", "Zeta": "a-zeta", "Ops": "a-ops"}),
        Adoption(SP, None, {user_b: "ug-b", user_a: "ug-a"}, {"Zeta": "a-zeta", "Ops": "a-ops", "alpha": "a-alpha"}),
    ]
    for index, adoption in enumerate(orders):
        (tmp_path / str(index)).mkdir()
        root = project(tmp_path / str(index), text)
        assert stack_edit.with_adoption(stack_edit.load(root, "contoso"), adoption).decode() == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"- a list\n", "a stack file must be a YAML mapping"),
        (b"config: [a, b]\n", "'config' must be a mapping"),
        (b"config: {a: [}\n", "not valid YAML (while parsing a flow node)"),
    ],
)
def test_what_cannot_be_edited_is_said_with_the_file(tmp_path: Path, raw: bytes, message: str) -> None:
    root = project(tmp_path, "config: {}\n")
    path = root / "Pulumi.contoso.yaml"
    path.write_bytes(raw)
    with pytest.raises(stackfile.StackFileError) as caught:
        stack_edit.with_adoption(stack_edit.LoadedStack("contoso", path, raw, {}), ADOPTION)
    assert str(caught.value) == f"{path}: {message}"


def test_long_lines_and_three_space_indentation_after_comments_are_kept(tmp_path: Path) -> None:
    name = "Enpass users of the finance, legal, human resources and executive teams in every region"
    text = f"# top\n\nconfig:\n   # the tenant\n\n   azuread:tenantId: {TENANT}\n   enpass-consent:groups: ['{name}']\n"
    first, _ = adopt_twice(tmp_path, text, Adoption(SP))
    assert first.decode() == text + f"   enpass-consent:adopt:\n      servicePrincipalObjectId: {SP}\n"


def test_the_diff_of_a_file_without_a_final_newline(tmp_path: Path) -> None:
    before = f"config:\n  azuread:tenantId: {TENANT}".encode()
    after = f"config:\n  azuread:tenantId: {TENANT}\n  x: 1".encode()
    assert stack_edit.unified_diff(Path("Pulumi.s.yaml"), before, after) == (
        "--- a/Pulumi.s.yaml\n+++ b/Pulumi.s.yaml\n@@ -1,2 +1,3 @@\n config:\n"
        f"-  azuread:tenantId: {TENANT}\n+  azuread:tenantId: {TENANT}\n+  x: 1\n"
    )


def test_load_reads_the_file_once_into_bytes_and_settings(tmp_path: Path) -> None:
    text = f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:users: [{USER}]\n"
    root = project(tmp_path, text, stack="eu-prod")
    assert stack_edit.load(root, "eu-prod") == stack_edit.LoadedStack(
        "eu-prod",
        root / "Pulumi.eu-prod.yaml",
        text.encode(),
        {settings.TENANT_ID: TENANT, settings.USERS: f'["{USER}"]'},
    )


def test_a_missing_or_refused_stack_file_is_named(tmp_path: Path) -> None:
    root = project(tmp_path, "config: {}\n")
    missing = root / "Pulumi.other.yaml"
    with pytest.raises(stackfile.StackFileError) as caught:
        stack_edit.load(root, "other")
    assert str(caught.value) == f"{missing}: cannot read (No such file or directory)"
    (root / "Pulumi.contoso.yaml").write_text(f"enpass-consent:groups: [Team]\nconfig:\n  azuread:tenantId: {TENANT}\n")
    with pytest.raises(stackfile.StackFileError, match=r"^" + re.escape(f"{root / 'Pulumi.contoso.yaml'}: ")):
        stack_edit.load(root, "contoso")


def test_config_of_bytes_is_the_settings_in_pulumis_string_form(tmp_path: Path) -> None:
    raw = f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:protect: false\n  enpass-consent:groups:\n    - Team\n"
    path = tmp_path / "Pulumi.s.yaml"
    assert stack_edit.config_of(path, raw.encode()) == {
        settings.TENANT_ID: TENANT,
        settings.PROTECT: "false",
        settings.GROUPS: '["Team"]',
    }
    with pytest.raises(stackfile.StackFileError, match=r"^" + re.escape(f"{path}: 'config' must be a mapping")):
        stack_edit.config_of(path, b"config: [1]\n")
    with pytest.raises(stackfile.StackFileError, match=r"^" + re.escape(f"{path}: not valid YAML")):
        stack_edit.config_of(path, b"config: [1\n")


def test_an_empty_flow_config_gets_a_block_indented_by_two(tmp_path: Path) -> None:
    # No nested line to learn the indentation from: two spaces.
    assert adopt_once(tmp_path, "config: {}\n", Adoption(SP)).decode() == (
        f"config:\n  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n"
    )


def test_an_indented_root_mapping_keeps_its_nesting_step(tmp_path: Path) -> None:
    text = f"  config:\n    azuread:tenantId: {TENANT}\n"
    # ruamel writes the root mapping from column 0 (the same YAML); each level stays two spaces deeper.
    assert adopt_once(tmp_path, text, Adoption(SP)).decode() == (
        f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n"
    )


USER_2 = "aaaaaaaa-0000-4000-8000-000000000002"


def test_comments_after_a_last_sequence_stay_in_config_or_move_below_the_block(tmp_path: Path) -> None:
    # ruamel keeps the comments after config on its last item; indented ones still belong to config,
    # those from the first column-0 line on introduce the next top-level key and stay before it.
    head = f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:users:\n    - {USER}\n    - {USER_2}\n"
    config_comments = "  # stays 1\n\n  # stays 2\n"
    outer_comments = "# moved 1\n# moved 2\n  # moved 3\nencryptionsalt: v1:abc\n"
    first, second = adopt_twice(tmp_path, head + config_comments + outer_comments, Adoption(SP))
    assert first == second
    assert first.decode() == (
        head + config_comments + f"  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n" + outer_comments
    )


def test_comments_after_a_last_sequence_of_mappings_move_below_the_block(tmp_path: Path) -> None:
    head = (
        f"config:\n  azuread:tenantId: {TENANT}\n  other:list:\n    - name: a\n      v: 1\n    - name: b\n      v: 2\n"
    )
    tail = "# about the salt\nencryptionsalt: v1:abc\n"
    first, _ = adopt_twice(tmp_path, head + tail, Adoption(SP))
    assert first.decode() == head + f"  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n" + tail


def test_a_scalar_adopt_value_is_replaced_by_the_block(tmp_path: Path) -> None:
    text = f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:adopt: stale\n  enpass-consent:protect: true\n"
    assert adopt_once(tmp_path, text, Adoption(SP)).decode() == (
        f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n"
        "  enpass-consent:protect: true\n"
    )


@pytest.mark.parametrize(
    ("text", "block"),
    [
        # A comment indented deeper than the keys says nothing about their indentation.
        (
            f"config:\n      # the tenant\n  azuread:tenantId: {TENANT}\n",
            f"  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n",
        ),
        # A top-level key without a value before config is not config's parent.
        (
            f"secretsprovider:\nconfig:\n   azuread:tenantId: {TENANT}\n",
            f"   enpass-consent:adopt:\n      servicePrincipalObjectId: {SP}\n",
        ),
        # Sequence items indented below a key keep their own indentation; the keys' is what counts.
        (
            f"config:\n  azuread:tenantId: {TENANT}\n  enpass-consent:users:\n      - {USER}\n",
            f"  enpass-consent:adopt:\n    servicePrincipalObjectId: {SP}\n",
        ),
    ],
    ids=["deeper comment", "empty top-level key", "deeper sequence"],
)
def test_the_block_follows_the_indentation_of_the_files_keys(tmp_path: Path, text: str, block: str) -> None:
    first, second = adopt_twice(tmp_path, text, Adoption(SP))
    assert first == second
    assert first.decode() == text + block


def test_the_block_follows_configs_indentation_after_a_multi_line_top_level_value(tmp_path: Path) -> None:
    text = f"secretsprovider: >-\n  awskms://alias/x\nconfig:\n    azuread:tenantId: {TENANT}\n"
    first, _ = adopt_twice(tmp_path, text, Adoption(SP))
    # (ruamel writes the folded value with the file's one indentation; its value is unchanged)
    assert first.decode().endswith(
        f"config:\n    azuread:tenantId: {TENANT}\n    enpass-consent:adopt:\n        servicePrincipalObjectId: {SP}\n"
    )
