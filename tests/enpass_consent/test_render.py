from __future__ import annotations

from enpass_consent.render import markdown_table, markdown_text, text_table


def test_tenant_text_cannot_become_markdown_or_html() -> None:
    hostile = "[click here](https://evil.example) ![x](y) @org/admins <!-- hide | the rest\n# heading"
    safe = markdown_text(hostile)
    assert "\n" not in safe
    assert "<" not in safe and "&lt;" in safe
    import re

    for special in ("[", "]", "!", "@", "|", "#"):
        assert not re.search(rf"(?<!\\){re.escape(special)}", safe), special  # every one escaped
    assert safe.startswith("\\[click here\\](https://evil.example) \\!\\[x\\](y) \\@org/admins &lt;\\!-- hide \\| the")


def test_tables() -> None:
    assert markdown_table(["a", "b"], [["x|y", "z"]]) == "| a | b |\n|---|---|\n| x\\|y | z |"
    rows = text_table(["a", "b"], [["long text here", "z"]], max_width=6).splitlines()
    assert rows[0].split() == ["A", "B"] and rows[1].split() == ["long", "…", "z"] and "text" not in rows[1]
