from __future__ import annotations

from enpass_consent.render import markdown_table, markdown_text, plain_value, text_table


def test_tenant_text_cannot_become_markdown_or_html() -> None:
    hostile = "[click here](https://evil.example) ![x](y) @org/admins <!-- hide | the rest\n# heading"
    safe = markdown_text(hostile)
    assert "\n" not in safe
    assert "<" not in safe and "&lt;" in safe
    import re

    for special in ("[", "]", "!", "@", "|", "#"):
        assert not re.search(rf"(?<!\\){re.escape(special)}", safe), special  # every one escaped
    assert safe.startswith("\\[click here\\](https://evil.example) \\!\\[x\\](y) \\@org/admins &lt;\\!-- hide \\| the")


def test_markdown_table_escapes_cells() -> None:
    assert markdown_table(["a", "b"], [["x|y", "z"]]) == "| a | b |\n|---|---|\n| x\\|y | z |"


LONG = "a long detail that a narrow column could never hold on one line " * 3


def test_text_table_without_a_width_never_cuts_or_wraps() -> None:
    lines = text_table(
        ["stack", "detail"], [["contoso", LONG + "end"], ["fabrikam", "short\nsecond line"]]
    ).splitlines()
    assert lines[0].split() == ["STACK", "DETAIL"]
    assert lines[1].split() == ["contoso", *(LONG + "end").split()]  # the whole cell, on its row's one line
    assert lines[2].split() == ["fabrikam", "short", "second", "line"]  # newlines inside a cell become spaces
    assert len(lines) == 3 and "…" not in "".join(lines)
    assert lines[1].index(LONG[:10]) == lines[0].index("DETAIL")  # columns aligned


def test_text_table_with_a_width_wraps_within_columns() -> None:
    lines = text_table(["stack", "detail"], [["contoso", LONG + "end"], ["fabrikam", "short"]], width=40).splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert lines[1].startswith("contoso ")
    detail_column = lines[0].index("DETAIL")
    wrapped = [line[detail_column:] for line in lines[1:-1]]
    assert " ".join(" ".join(wrapped).split()) == " ".join((LONG + "end").split())  # every word, in order
    assert all(not line[:detail_column].strip() for line in lines[2:-1])  # continuation lines stay in the column
    assert lines[-1].split() == ["fabrikam", "short"]


def test_text_table_cells_are_text_not_markup() -> None:
    (line,) = text_table(["a"], [["[bold]x[/bold] :smile:"]]).splitlines()[1:]
    assert line == "[bold]x[/bold] :smile:"


def test_plain_values_read_like_json() -> None:
    assert [plain_value(v) for v in (True, False, None, "Mail.Read", 3)] == ["true", "false", "", "Mail.Read", "3"]
