from __future__ import annotations

from pathlib import Path

import pytest

from enpass_consent import stackfile


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_all_stacks_skips_project_and_example(tmp_path: Path) -> None:
    write(tmp_path / "Pulumi.yaml", "name: enpass-consent\nruntime: python\n")
    for name in ("Pulumi.example.yaml", "Pulumi.b.yaml", "Pulumi.a.yaml", "README.yaml"):
        write(tmp_path / name, "config: {}\n")
    assert stackfile.all_stacks(tmp_path) == ["a", "b"]


def test_stack_config_dir(tmp_path: Path) -> None:
    write(tmp_path / "Pulumi.yaml", "name: enpass-consent\nruntime: python\nstackConfigDir: stacks\n")
    write(tmp_path / "stacks" / "Pulumi.contoso.yaml", "config: {}\n")
    write(tmp_path / "Pulumi.ignored.yaml", "config: {}\n")
    assert stackfile.all_stacks(tmp_path) == ["contoso"]
    assert stackfile.stack_path(tmp_path, "contoso") == tmp_path / "stacks" / "Pulumi.contoso.yaml"


def test_no_project(tmp_path: Path) -> None:
    with pytest.raises(stackfile.StackFileError, match="no Pulumi project here"):
        stackfile.all_stacks(tmp_path)


def test_config_strings() -> None:
    doc = {
        "config": {
            "azuread:tenantId": "t",
            "azuread:useOidc": True,
            "enpass-consent:protect": False,
            "enpass-consent:groups": ["a", "b"],
            "enpass-consent:adopt": {"grantId": "g"},
            "other:key": [1],
        }
    }
    assert stackfile.config_strings(doc, Path("x")) == {
        "azuread:tenantId": "t",
        "enpass-consent:protect": "false",
        "enpass-consent:groups": '["a", "b"]',
        "enpass-consent:adopt": '{"grantId": "g"}',
    }


TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    "value", [{"secure": "v1:abc"}, ["a@b.io", {"secure": "v1:abc"}]], ids=["whole value", "inside a list"]
)
def test_secure_values_are_refused_and_the_tenant_still_reported(value: object) -> None:
    doc = {"config": {"azuread:tenantId": TENANT, "enpass-consent:notificationEmails": value}}
    with pytest.raises(stackfile.StackFileError) as caught:
        stackfile.config_strings(doc, Path("Pulumi.x.yaml"))
    assert str(caught.value) == (
        "Pulumi.x.yaml: enpass-consent:notificationEmails holds a secure: value; "
        "the enpass-consent settings must be plain values"
    )
    assert caught.value.tenant_id == TENANT


def test_an_esc_environment_import_is_refused() -> None:
    doc = {"environment": ["customers/contoso"], "config": {"azuread:tenantId": TENANT}}
    with pytest.raises(
        stackfile.StackFileError, match=r"imports the ESC environment \['customers/contoso'\]"
    ) as caught:
        stackfile.config_strings(doc, Path("Pulumi.x.yaml"))
    assert caught.value.tenant_id == TENANT


def test_a_quoted_json_list_is_refused_like_pulumi_refuses_it() -> None:
    doc = {"config": {"azuread:tenantId": "not-a-guid", "enpass-consent:scopes": '["User.Read"]'}}
    with pytest.raises(stackfile.StackFileError) as caught:
        stackfile.config_strings(doc, Path("Pulumi.x.yaml"))
    assert str(caught.value) == (
        "Pulumi.x.yaml: enpass-consent:scopes must be a YAML list: Pulumi.yaml declares it an array, and "
        "pulumi refuses a quoted JSON string for it (got '[\"User.Read\"]')"
    )
    assert caught.value.tenant_id is None


def test_undeclared_keys_may_still_be_quoted_json() -> None:
    doc = {"config": {"enpass-consent:adopt": '{"grantId": "g"}', "enpass-consent:assignmentRequired": "true"}}
    assert stackfile.config_strings(doc, Path("x")) == {
        "enpass-consent:adopt": '{"grantId": "g"}',
        "enpass-consent:assignmentRequired": "true",
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "config: [unclosed\n",
            "not valid YAML: expected ',' or ']', but got '<stream end>' at line 2, column 1 "
            "(while parsing a flow sequence, which started at line 1, column 9)",
        ),
        (
            "config:\n  azuread:tenantId: x\n enpass-consent:groups: []\n",
            "not valid YAML: expected <block end>, but found '<block mapping start>' at line 3, column 2 "
            "(while parsing a block mapping, which started at line 1, column 1)",
        ),
        ("config:\n  a: b: c\n", "not valid YAML: mapping values are not allowed here at line 2, column 7"),
        (
            "config:\n  a: 1\n  a: 2\n",
            'not valid YAML: found duplicate key "a" with value "2" (original value: "1") at line 3, column 3 '
            "(while constructing a mapping, which started at line 2, column 3)",
        ),
    ],
)
def test_invalid_yaml_names_the_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / "Pulumi.yaml", "name: x\n")
    write(tmp_path / "Pulumi.bad.yaml", text)
    with pytest.raises(stackfile.StackFileError) as raised:
        stackfile.read(tmp_path, "bad")
    assert str(raised.value) == f"{tmp_path / 'Pulumi.bad.yaml'}: {message}"


TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            f"config:\nazuread:tenantId: {TENANT}\n",
            "azuread:tenantId is not under config: (indent it below the 'config:' line, as in Pulumi.example.yaml)",
        ),
        (
            f"config:\n  azuread:tenantId: {TENANT}\nenpass-consent:groups: [Enpass Users]\n",
            "enpass-consent:groups is not under config: (indent it below the 'config:' line, as in "
            "Pulumi.example.yaml)",
        ),
        (
            f"config:\n  azuread:tenantId: {TENANT}\n  enpass_consent:groups: [Enpass Users]\n",
            "enpass_consent:groups is not a setting of enpass-consent or azuread; did you mean enpass-consent:groups?",
        ),
        (
            f"config:\n  azuread:tenantid: {TENANT}\n",
            "azuread:tenantid is not a setting of enpass-consent or azuread; did you mean azuread:tenantId?",
        ),
    ],
)
def test_misplaced_and_mistyped_keys_are_named(text: str, message: str) -> None:
    path = Path("Pulumi.contoso.yaml")
    with pytest.raises(stackfile.StackFileError) as raised:
        stackfile.config_strings(stackfile.parse_yaml(text, path), path)
    assert str(raised.value) == f"Pulumi.contoso.yaml: {message}"


def test_other_providers_keys_are_left_alone() -> None:
    path = Path("Pulumi.contoso.yaml")
    text = (
        f"encryptionsalt: v1:abc\nconfig:\n  azuread:tenantId: {TENANT}\n  azuread:useOidc: 'true'\n  aws:region: eu\n"
    )
    assert stackfile.config_strings(stackfile.parse_yaml(text, path), path) == {"azuread:tenantId": TENANT}


def test_read_with_a_known_stack_folder_and_from_many_threads(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    write(tmp_path / "Pulumi.yaml", "name: enpass-consent\nruntime: python\nstackConfigDir: stacks\n")
    for n in range(40):
        write(tmp_path / "stacks" / f"Pulumi.s{n}.yaml", f"config:\n  azuread:tenantId: '{n}'\n")
    folder = stackfile.stack_config_dir(tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        read = list(pool.map(lambda n: stackfile.read(tmp_path, f"s{n}", config_dir=folder), range(40)))
    assert [s.config for s in read] == [{"azuread:tenantId": str(n)} for n in range(40)]
    assert stackfile.read(tmp_path, "s7").config == read[7].config
    write(tmp_path / "stacks" / "Pulumi.bad.yaml", "config: [\n")
    with pytest.raises(stackfile.StackFileError, match="not valid YAML"):
        stackfile.read(tmp_path, "bad", config_dir=folder)
    assert stackfile.read(tmp_path, "s8", config_dir=folder).config == {"azuread:tenantId": "8"}  # parser still usable


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b", ".hidden", "", "con toso"])
def test_stack_names_cannot_leave_the_stack_folder(tmp_path: Path, name: str) -> None:
    write(tmp_path / "Pulumi.yaml", "name: x\n")
    with pytest.raises(stackfile.StackFileError, match="is not a stack name this tool reads"):
        stackfile.read(tmp_path, name)
    with pytest.raises(stackfile.StackFileError, match="is not a stack name this tool reads"):
        stackfile.stack_path(tmp_path, name)
